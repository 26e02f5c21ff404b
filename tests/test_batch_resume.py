"""Kill a real batch half-way (SIGINT, then SIGTERM) and finish it with --resume: the summary must
be the one an uninterrupted run writes, and every report on disk must be complete at every step."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_f567bacb1f41f539.txt"
DOCS = 20


def _run(args: list[str]) -> subprocess.Popen[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen([sys.executable, "-m", "tqcheck", "check", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _records(out: Path) -> list[Path]:
    state = out / ".tqcheck-state"
    return sorted(state.glob("*.json")) if state.is_dir() else []


def _kill_after(args: list[str], out: Path, at_least: int, sig: int) -> tuple[int, str]:
    proc = _run(args)
    deadline = time.monotonic() + 120
    while len(_records(out)) < at_least:
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"run ended before it could be interrupted: {proc.communicate()}")
        time.sleep(0.01)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def _summary(out: Path) -> dict:
    data = json.loads((out / "summary.json").read_text("utf-8"))
    data.pop("run")
    return data


def _check_complete(out: Path) -> None:
    """Every record points at a report that parses and holds exactly its document."""
    for rec_file in _records(out):
        rec = json.loads(rec_file.read_text("utf-8"))["record"]
        if rec["status"] == "error":
            assert rec["report"] is None and "binary" in rec["error"]
            continue
        report = json.loads((out / rec["report"]).read_text("utf-8"))
        assert [d["path"] for d in report["documents"]] == [rec["path"]]
    assert not list(out.rglob("*.tmp")), "a temporary file was left behind"


def test_interrupted_run_resumes_to_the_same_summary(tmp_path: Path) -> None:
    seed = SEED.read_text("utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(DOCS):
        # big enough that a document takes a noticeable moment; every one different
        (docs / f"doc{i:02d}.txt").write_text((seed + "\n\n") * 3 + f"Document {i} , the end .\n", "utf-8")
    (docs / "broken.txt").write_bytes(bytes(range(256)) * 8)
    common = ["--signals", "rules", "--chunk-size", "1"]

    reference = tmp_path / "reference"
    proc = _run([str(docs), "--report-dir", str(reference), *common])
    proc.communicate(timeout=300)
    assert proc.returncode == 2  # one unreadable document

    out = tmp_path / "out"
    code, err = _kill_after([str(docs), "--report-dir", str(out), *common], out, 3, signal.SIGINT)
    assert code == 130, err
    assert "interrupted after" in err and "--resume" in err
    first = len(_records(out))
    assert 3 <= first < DOCS + 1
    _check_complete(out)
    partial = json.loads((out / "summary.json").read_text("utf-8"))
    assert partial["status"] == "interrupted" and partial["totals"]["pending"] == DOCS + 1 - first

    code, err = _kill_after([str(docs), "--report-dir", str(out), "--resume", *common], out, first + 3,
                            signal.SIGTERM)
    assert code == 130, err
    assert f"resuming: {first - 1}" in err or f"resuming: {first}" in err
    second = len(_records(out))
    assert first + 3 <= second < DOCS + 1
    _check_complete(out)

    proc = _run([str(docs), "--report-dir", str(out), "--resume", *common])
    _stdout, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err
    assert "resuming:" in err
    _check_complete(out)
    assert _summary(out) == _summary(reference)
    assert (out / "summary.csv").read_bytes() == (reference / "summary.csv").read_bytes()
    assert sorted(p.name for p in (out / "reports").iterdir()) == sorted(
        p.name for p in (reference / "reports").iterdir())
