"""Every hostile or broken input gives a report or one clear error, with exact offsets,
in bounded time (pytest-timeout guards hangs) and bounded memory (peak RSS of the child)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.hostile.corpus import CORPUS, MARKDOWN, fifty_mb_single_line

#: Generous memory bound for one check of any input (the rules-only path needs far less).
MAX_RSS_MB = 4096


def run_limited(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the CLI in a child and return its peak RSS in MB (ru_maxrss of children is in KiB)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-m", "tqcheck", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=600, check=False)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return proc, max(peak, before) / 1024


def check_result(path: Path, report_path: Path, original: str) -> dict:
    report = json.loads(report_path.read_text("utf-8"))
    doc = report["documents"][0]
    for f in doc["findings"]:
        assert original[f["start"] : f["end"]] == f["text"]
    for s in doc["segments"]:
        assert original[s["start"] : s["end"]] == s["text"]
    return report


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_input(name: str, tmp_path: Path) -> None:
    factory, expect = CORPUS[name]
    data = factory()
    path = tmp_path / (name + (".md" if name in MARKDOWN else ".txt"))
    path.write_bytes(data)
    out = tmp_path / "report.json"
    proc, rss = run_limited(["check", str(path), "--signals", "rules", "--format", "json", "-o", str(out)],
                            tmp_path)
    assert "Traceback" not in proc.stderr
    assert rss < MAX_RSS_MB
    assert path.read_bytes() == data, "input modified"
    if expect == "ok":
        assert proc.returncode == 0, proc.stderr
        from tqcheck.formats.decode import decode

        text, _ = decode(data, name)
        check_result(path, out, text)
    else:
        assert proc.returncode == 2
        assert proc.stderr.count("\n") == 1 and expect.split(":", 1)[1] in proc.stderr, proc.stderr
        assert not out.exists()


def test_exact_offsets_with_combining_marks_emoji_and_bidi(tmp_path: Path) -> None:
    text = "Cafe\u0301 👩‍👩‍👧 ok ? Then \u202eParis\u202c , done .\n"
    path = tmp_path / "t.txt"
    path.write_text(text, "utf-8")
    out = tmp_path / "r.json"
    proc, _ = run_limited(["check", str(path), "--signals", "rules", "-f", "json", "-o", str(out)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = check_result(path, out, text)
    starts = [f["start"] for f in report["documents"][0]["findings"]]
    assert starts == [text.index(" ?"), text.index(" ,"), text.index(" .")]


def test_crlf_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"First line.\r\nSecond line ;\r\n\r\nThird .\r\n")
    out = tmp_path / "r.json"
    proc, _ = run_limited(["check", str(path), "--signals", "rules", "-f", "json", "-o", str(out)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(out.read_text("utf-8"))["documents"][0]["findings"]
    assert [(f["line"], f["column"]) for f in found] == [(2, 12), (4, 6)]


@pytest.mark.slow
def test_fifty_megabyte_single_line(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    data = fifty_mb_single_line()
    path.write_bytes(data)
    out = tmp_path / "r.json"
    proc, rss = run_limited(["check", str(path), "--signals", "rules", "-f", "json", "-o", str(out)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert rss < MAX_RSS_MB
    report = json.loads(out.read_text("utf-8"))
    doc = report["documents"][0]
    assert doc["words"] > 5_000_000
    assert all(s["end"] - s["start"] <= 2000 for s in doc["segments"])
