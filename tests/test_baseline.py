"""Baselines: write, re-run (passes), add a new error (fails; only the new finding is new)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tqcheck.baseline import apply_baseline, load_baseline, write_baseline
from tqcheck.cli import app, main
from tqcheck.config import Config
from tqcheck.document import Document
from tqcheck.findings import Category, Finding, Severity
from tqcheck.fingerprint import fingerprints, normalize_path

DOC = """\
# Coalition meeting

How to defeat the Islamic State ? The strategy will be at the heart of a meeting.

The coalition , led by the US, met in Paris.
"""


def _check(runner: CliRunner, *args: str):
    return runner.invoke(app, ["check", *args])


def test_baseline_round_trip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = Path("article.md")
    doc.write_text(DOC, encoding="utf-8")
    runner = CliRunner()

    # Without a baseline the document fails the gate.
    assert _check(runner, str(doc), "--fail-on", "minor").exit_code == 1

    # 1. Write the baseline: this run already gates against it, so it passes.
    res = _check(runner, str(doc), "--fail-on", "minor", "--write-baseline", "tqcheck-baseline.json")
    assert res.exit_code == 0, res.output
    assert "wrote 2 finding(s) to the baseline tqcheck-baseline.json" in res.stderr
    stored = json.loads(Path("tqcheck-baseline.json").read_text("utf-8"))
    assert stored["version"] == 1 and stored["fingerprint"] == "v1"
    assert [(e["rule"], e["path"], e["line"]) for e in stored["findings"]] == [
        ("typography.space-before-punctuation", "article.md", 3),
        ("typography.space-before-punctuation", "article.md", 5),
    ]

    # 2. Re-run with it: passes, and every finding is reported as known.
    res = _check(runner, str(doc), "--fail-on", "minor", "--baseline", "tqcheck-baseline.json", "-f", "json")
    assert res.exit_code == 0, res.output
    found = json.loads(res.stdout)["documents"][0]["findings"]
    assert len(found) == 2 and all(f["baseline"] for f in found)

    # 3. Edit the document: a paragraph added on top (moves every line) and a new error at the end.
    doc.write_text("Intro line added later.\n\n" + DOC + "\nThey meet again on Friday ; nobody knows why.\n",
                   encoding="utf-8")
    res = _check(runner, str(doc), "--fail-on", "minor", "--baseline", "tqcheck-baseline.json", "-f", "json")
    assert res.exit_code == 1
    report = json.loads(res.stdout)
    found = report["documents"][0]["findings"]
    new = [f for f in found if not f["baseline"]]
    assert len(found) == 3
    assert [(f["line"], f["text"], f["message"]) for f in new] == [
        (9, " ", "Space before “;” (French typography); English puts no space there")]
    assert report["gate"]["reasons"] == ["article.md: 1 finding(s) of severity minor or worse"]

    # The CI formats report only the new finding as new.
    gh = _check(runner, str(doc), "--baseline", "tqcheck-baseline.json", "-f", "github").stdout
    assert gh.count("::notice") == 1 and "line=9," in gh
    sarif = json.loads(_check(runner, str(doc), "--baseline", "tqcheck-baseline.json", "-f", "sarif").stdout)
    states = [(r["baselineState"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
              for r in sarif["runs"][0]["results"]]
    assert states == [("unchanged", 5), ("unchanged", 7), ("new", 9)]
    md = _check(runner, str(doc), "--baseline", "tqcheck-baseline.json", "-f", "markdown").stdout
    assert "| article.md | " in md and "| 1 |" in md and "2 known finding(s) from the baseline" in md
    rd = _check(runner, str(doc), "--baseline", "tqcheck-baseline.json", "-f", "rdjsonl").stdout
    assert len(rd.splitlines()) == 1

    # 4. Fix the new error: passes again.
    doc.write_text("Intro line added later.\n\n" + DOC, encoding="utf-8")
    assert _check(runner, str(doc), "--fail-on", "minor", "--baseline", "tqcheck-baseline.json").exit_code == 0


def test_the_same_problem_on_two_identical_lines_stays_two_findings():
    doc = Document(text="Why ?\nWhy ?\nWhy not ?\n", path="./a/b.txt")
    findings = [Finding("r.x", Category.FLUENCY, Severity.MINOR, i, i + 1, "m") for i in (3, 9, 19)]
    prints = fingerprints(doc, findings)
    # Lines 1 and 2 give the same context, so only the occurrence number tells them apart.
    assert prints[0].split(":")[0] == prints[1].split(":")[0] != prints[2].split(":")[0]
    assert [p.split(":")[1] for p in prints] == ["1", "2", "1"]
    assert normalize_path("./a/b.txt") == "a/b.txt" and normalize_path("a\\b.txt") == "a/b.txt"


def test_fingerprint_depends_on_rule_path_and_text_not_position():
    f = Finding("r.x", Category.FLUENCY, Severity.MINOR, 4, 5, "m")
    base = fingerprints(Document(text="abc ? def\n", path="x.md"), [f])
    moved = fingerprints(Document(text="\n\n\nabc ? def\n", path="x.md"),
                         [Finding("r.x", Category.FLUENCY, Severity.MINOR, 7, 8, "m")])
    assert base == moved
    assert fingerprints(Document(text="abc ? def\n", path="y.md"), [f]) != base
    assert fingerprints(Document(text="abc ? dex\n", path="x.md"), [f]) != base
    other_rule = Finding("r.y", Category.FLUENCY, Severity.MINOR, 4, 5, "m")
    assert fingerprints(Document(text="abc ? def\n", path="x.md"), [other_rule]) != base


@pytest.mark.parametrize(("content", "message"), [
    (None, "baseline file not found"),
    ("{not json", "not a tqcheck baseline (invalid JSON"),
    ('{"version": 1}', "not a tqcheck baseline (no 'findings' list)"),
    ('{"version": 9, "fingerprint": "v1", "findings": []}', "baseline version 9 is not supported"),
    ('{"version": 1, "fingerprint": "v0", "findings": []}', "baseline uses fingerprint 'v0'"),
    ('{"version": 1, "fingerprint": "v1", "findings": [{"rule": "x"}]}', "baseline entry 0 has no 'fingerprint'"),
])
def test_bad_baseline_is_a_one_line_error(tmp_path, capsys, content, message):
    doc = tmp_path / "doc.txt"
    doc.write_text("Fine text ?\n", encoding="utf-8")
    base = tmp_path / "base.json"
    if content is not None:
        base.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["check", str(doc), "--baseline", str(base)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_python_api_round_trip(tmp_path):
    from tqcheck.api import Checker
    from tqcheck.scoring import evaluate_gate

    cfg = Config(signals=["rules"], fail_on="minor")
    checker = Checker(cfg)
    from tqcheck.formats import document_from_text

    report = checker.check_documents([document_from_text("Is it true ?\n", "t.txt")])
    assert not report.gate.passed
    written = write_baseline(report, tmp_path / "b.json")
    again = checker.check_documents([document_from_text("Is it true ?\n", "t.txt")])
    assert apply_baseline(again, load_baseline(tmp_path / "b.json")) == len(written) == 1
    assert evaluate_gate(again, cfg).passed
    assert again.signature["baseline"]["matched"] == 1
