"""Faults around output: a full disk or a read-only directory leaves no partial file and exits 2."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.conftest import SEED, run_tqcheck
from tqcheck.atomic import write_atomic
from tqcheck.errors import OutputError


def test_full_disk_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous report", "utf-8")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OutputError, match="No space left on device"):
        write_atomic(target, "new report " * 1000)
    assert target.read_text("utf-8") == "previous report", "the old file must survive untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"], "temp file left behind"


@pytest.mark.skipif(os.geteuid() == 0 and not os.environ.get("TQCHECK_TEST_RO_AS_ROOT"),
                    reason="root ignores directory permissions; covered by the chattr-free test below")
def test_read_only_directory_cli(tmp_path: Path) -> None:  # pragma: no cover - non-root runs
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    proc = run_tqcheck("check", str(SEED), "-o", str(ro / "r.json"))
    assert proc.returncode == 2 and "cannot write" in proc.stderr
    assert list(ro.iterdir()) == []


def test_unwritable_target_cli(tmp_path: Path) -> None:
    """Writing over a directory fails cleanly (works for root too, unlike permission bits)."""
    target = tmp_path / "report.json"
    target.mkdir()
    proc = run_tqcheck("check", str(SEED), "-o", str(target))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "is a directory" in proc.stderr
    assert list(target.iterdir()) == []


def test_read_only_filesystem_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(OutputError, match="Read-only file system"):
        write_atomic(tmp_path / "r.json", "x")
    assert list(tmp_path.iterdir()) == []


def test_new_files_honour_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "r.json", "{}")
    finally:
        os.umask(old)
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o644
