"""A short coverage-guided fuzz run of the readers (atheris), as CI can afford."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("atheris", reason="atheris is not installed (x86-64 Linux, Python <= 3.12 wheels)")


def test_readers_survive_a_short_fuzz_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = [b"\x00How to defeat the Islamic State ?", b"\x01# Title\n\n```\ncode\n```\nText `x` ?",
             b"\x00\xff\xfeH\x00i\x00", b"\x01---\na: b\n---\n<!-- c -->[l](u) ."]
    for i, s in enumerate(seeds):
        (corpus / f"seed{i}").write_bytes(s)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "fuzz" / "fuzz_readers.py"), "-runs=3000", "-max_len=2048",
         "-rss_limit_mb=4096", str(corpus)],
        capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done 3000 runs" in proc.stderr
