"""SARIF output validates against the official SARIF 2.1.0 JSON Schema (vendored in tests/data)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from report_fixtures import small_report
from tqcheck.cli import app
from tqcheck.report import render
from tqcheck.rules.docs import rule_doc
from tqcheck.rules.engine import load_rules

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _errors(validator, data) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def test_the_schema_rejects_broken_sarif(validator):
    bad = json.loads(render(small_report(), "sarif"))
    bad["runs"][0]["results"][0]["level"] = "fatal"
    del bad["runs"][0]["tool"]["driver"]["name"]
    assert len(_errors(validator, bad)) >= 2


def test_small_report_is_valid_sarif(validator):
    assert _errors(validator, json.loads(render(small_report(), "sarif"))) == []


def _seed(tmp_path: Path) -> Path:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "# Title\n\nHow to defeat the Islamic State ? The the coalition meets .\n\n"
        "Prices rose  5 % in Paris ; “quotes” 😀 and <b>tags</b> &amp; entities .\n",
        encoding="utf-8",
    )
    return doc


def test_cli_sarif_with_baseline_and_real_rules_is_valid(tmp_path, validator, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = _seed(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["check", doc.name, "--format", "sarif", "--fail-on", "minor"])
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert _errors(validator, data) == []
    run = data["runs"][0]
    assert run["results"] and all("baselineState" not in r for r in run["results"])
    # Rules carry the help text of their declaration.
    docs = {r.id: rule_doc(r) for r in load_rules()}
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["shortDescription"]["text"] == docs[rule["id"]]["what"]
        assert docs[rule["id"]]["why"] in rule["help"]["text"]
        assert docs[rule["id"]]["why"] in rule["help"]["markdown"]
    for r in run["results"]:
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1

    # With a baseline: known results are "unchanged"; a new one is "new"; still valid SARIF.
    assert runner.invoke(app, ["check", doc.name, "--write-baseline", "bl.json", "-f", "sarif"]).exit_code == 0
    doc.write_text(doc.read_text("utf-8") + "\nA new line ?\n", encoding="utf-8")
    res = runner.invoke(app, ["check", doc.name, "--baseline", "bl.json", "--format", "sarif"])
    data = json.loads(res.stdout)
    assert _errors(validator, data) == []
    states = [r["baselineState"] for r in data["runs"][0]["results"]]
    assert states.count("new") == 1 and states.count("unchanged") == len(states) - 1


def test_partial_fingerprints_survive_edits_elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = _seed(tmp_path)
    runner = CliRunner()

    def prints() -> dict[str, tuple[int, int]]:
        run = json.loads(runner.invoke(app, ["check", doc.name, "-f", "sarif"]).stdout)["runs"][0]
        return {r["partialFingerprints"]["tqcheckFingerprint/v1"]:
                (r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleIndex"])
                for r in run["results"]}

    before = prints()
    doc.write_text("Intro paragraph added on top.\n\n\n" + doc.read_text("utf-8"), encoding="utf-8")
    after = prints()
    assert set(before) == set(after)  # same fingerprints ...
    assert all(after[k][0] == before[k][0] + 3 for k in before)  # ... though every line moved


def test_sarif_columns_are_utf16(validator):
    data = json.loads(render(small_report(), "sarif"))
    assert data["runs"][0]["columnKind"] == "utf16CodeUnits"
    region = data["runs"][0]["results"][2]["locations"][0]["physicalLocation"]["region"]
    line = "See 😀 <b>&amp; 100%, done.".encode("utf-16-le")
    start, end = (region["startColumn"] - 1) * 2, (region["endColumn"] - 1) * 2
    assert line[start:end].decode("utf-16-le") == region["snippet"]["text"] == "<b>&amp;"
