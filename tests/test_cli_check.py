"""`tqcheck check` end to end on the seed, through a real subprocess and the JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import ROOT, SEED, run_tqcheck

SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def seed_json() -> dict:
    proc = run_tqcheck("check", str(SEED), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_seed_json_validates_against_schema(seed_json: dict) -> None:
    jsonschema.validate(seed_json, SCHEMA)
    assert seed_json["version"].startswith("1.")
    assert len(seed_json["documents"]) == 1


def test_finding_offsets_slice_the_original_file(seed_json: dict) -> None:
    original = SEED.read_text("utf-8")
    doc = seed_json["documents"][0]
    assert doc["findings"], "the seed must have findings"
    lines = original.splitlines(keepends=True)
    for f in doc["findings"]:
        assert original[f["start"] : f["end"]] == f["text"]
        # line/column agree with the offset
        assert sum(len(x) for x in lines[: f["line"] - 1]) + f["column"] - 1 == f["start"]
    for s in doc["segments"]:
        assert original[s["start"] : s["end"]] == s["text"]


def test_seed_space_before_question_mark_is_flagged_with_exact_fix(seed_json: dict) -> None:
    original = SEED.read_text("utf-8")
    at = original.index("State ?") + len("State")
    hits = [f for f in seed_json["documents"][0]["findings"]
            if f["rule"] == "typography.space-before-punctuation" and f["start"] == at]
    assert len(hits) == 1
    assert hits[0]["end"] == at + 1
    assert hits[0]["suggestions"][0] == {**hits[0]["suggestions"][0], "replacement": "", "safe": True}


def test_every_segment_has_a_score_and_document_score_formula(seed_json: dict) -> None:
    doc = seed_json["documents"][0]
    assert all(0 <= s["score"] <= 100 for s in doc["segments"])
    content_penalty = sum({"minor": 1, "major": 5, "critical": 25}[f["severity"]]
                          for f in doc["findings"] if f["category"] != "non-content"
                          and not doc["segments"][f["segment"]]["non_content"])
    expected = max(0.0, 100 * (1 - content_penalty / doc["words"]))
    assert doc["score"] == pytest.approx(expected, abs=0.01)


def test_text_report_shows_text_findings_and_score() -> None:
    proc = run_tqcheck("check", str(SEED), "--no-color")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "How to defeat the Islamic State ?" in out
    assert "typography.space-before-punctuation" in out
    assert "Score " in out and "Gate: PASSED" in out


def test_markdown_report(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    proc = run_tqcheck("check", str(SEED), "--format", "markdown", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    md = out.read_text("utf-8")
    assert md.startswith("## tqcheck report")
    assert "`typography.space-before-punctuation`" in md


def test_stdin_is_read_with_dash() -> None:
    proc = run_tqcheck("check", "-", "--format", "json", stdin=b"Is it true ?\n")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["documents"][0]["path"] == "-"
    assert [f["text"] for f in report["documents"][0]["findings"]] == [" "]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), 0),
        (("--fail-under", "99"), 1),
        (("--fail-under", "50"), 0),
        (("--fail-on", "minor"), 1),
        (("--fail-on", "major"), 0),
        (("--fail-on", "major", "--fail-under", "99.5"), 1),
    ],
)
def test_exit_codes_follow_the_gate(args: tuple[str, ...], code: int, tmp_path: Path) -> None:
    proc = run_tqcheck("check", str(SEED), "--format", "json", *args)
    assert proc.returncode == code, proc.stderr
    assert json.loads(proc.stdout)["gate"]["passed"] is (code == 0)


def test_select_and_ignore(tmp_path: Path) -> None:
    doc = tmp_path / "d.txt"
    doc.write_text("Is it true ? Yes, the  plan failed in in Paris.\n", "utf-8")
    def rules(*extra: str) -> set[str]:
        proc = run_tqcheck("check", str(doc), "--format", "json", *extra)
        assert proc.returncode == 0, proc.stderr
        return {f["rule"] for f in json.loads(proc.stdout)["documents"][0]["findings"]}
    everything = rules()
    assert {"typography.space-before-punctuation", "typography.doubled-space", "grammar.repeated-word"} <= everything
    assert rules("--select", "typography") == {r for r in everything if r.startswith("typography.")}
    assert "typography.doubled-space" not in rules("--ignore", "typography.doubled-space")
