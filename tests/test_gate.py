"""The CI gate: exit codes for every combination of --fail-under, --fail-on and a baseline,
per-category thresholds, and one-line errors for bad gate settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tqcheck.cli import app, main

# 18 content words, two minor findings (one per paragraph): score 100 * (1 - 2/18) = 88.89.
V1 = "How to defeat the Islamic State ? The coalition meets in Paris today.\n"
V2 = V1 + "\nThe ministers talk about the plan .\n"

# baseline: "none"; "old" = written for V1, so the finding of V2's new paragraph is new (gated score
# 100 * (1 - 1/18) = 94.44); "all" = written for V2 itself (gated score 100).
# Exit 1 when the gated score is below --fail-under or a gated finding is at least --fail-on.
TABLE = """
baseline fail_under fail_on  exit
none     -          -        0
none     -          minor    1
none     -          major    0
none     85         -        0
none     85         minor    1
none     85         major    0
none     90         -        1
none     90         minor    1
none     90         major    1
none     99         -        1
none     99         minor    1
none     99         major    1
old      -          -        0
old      -          minor    1
old      -          major    0
old      85         -        0
old      85         minor    1
old      85         major    0
old      90         -        0
old      90         minor    1
old      90         major    0
old      99         -        1
old      99         minor    1
old      99         major    1
all      -          -        0
all      -          minor    0
all      -          major    0
all      85         -        0
all      85         minor    0
all      85         major    0
all      90         -        0
all      90         minor    0
all      90         major    0
all      99         -        0
all      99         minor    0
all      99         major    0
"""
ROWS = [line.split() for line in TABLE.strip().splitlines()[1:]]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gate")
    runner = CliRunner()
    doc = folder / "doc.txt"
    doc.write_text(V1, encoding="utf-8")
    assert runner.invoke(app, ["check", str(doc), "--write-baseline", str(folder / "old.json")]).exit_code == 0
    doc.write_text(V2, encoding="utf-8")
    assert runner.invoke(app, ["check", str(doc), "--write-baseline", str(folder / "all.json")]).exit_code == 0
    return folder


def test_table_covers_every_combination():
    combos = {(b, u, o) for b, u, o, _ in ROWS}
    assert len(combos) == len(ROWS) == 3 * 4 * 3


@pytest.mark.parametrize(("baseline", "fail_under", "fail_on", "expected"), ROWS)
def test_exit_code_follows_the_gate(workspace, baseline, fail_under, fail_on, expected):
    args = ["check", str(workspace / "doc.txt"), "--format", "json"]
    if baseline != "none":
        args += ["--baseline", str(workspace / f"{baseline}.json")]
    if fail_under != "-":
        args += ["--fail-under", fail_under]
    if fail_on != "-":
        args += ["--fail-on", fail_on]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == int(expected), res.output


def _config(tmp_path: Path, body: str) -> Path:
    cfg = tmp_path / "tqcheck.toml"
    cfg.write_text(body, encoding="utf-8")
    return cfg


def test_per_category_thresholds(tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text(V2, encoding="utf-8")
    runner = CliRunner()
    # Both findings are locale-convention: that category scores 88.89; fluency stays at 100.
    failing = _config(tmp_path, 'category_fail_under = { "locale-convention" = 95 }\n')
    res = runner.invoke(app, ["check", str(doc), "-c", str(failing), "-f", "markdown"])
    assert res.exit_code == 1
    assert "locale-convention score 88.89 is below 95" in res.stdout
    passing = _config(tmp_path, 'category_fail_under = { fluency = 95, "locale-convention" = 80 }\n')
    assert runner.invoke(app, ["check", str(doc), "-c", str(passing)]).exit_code == 0
    # A baseline takes known findings out of the category score too.
    base = tmp_path / "base.json"
    assert runner.invoke(app, ["check", str(doc), "-c", str(failing), "--write-baseline", str(base)]).exit_code == 0
    assert runner.invoke(app, ["check", str(doc), "-c", str(failing), "--baseline", str(base)]).exit_code == 0


@pytest.mark.parametrize(("body", "message"), [
    ('category_fail_under = { grammar = 90 }\n', "unknown category 'grammar' in category_fail_under"),
    ('category_fail_under = { "non-content" = 90 }\n', "unknown category 'non-content'"),
    ('category_fail_under = { accuracy = 120 }\n', "category_fail_under.accuracy must be between 0 and 100"),
    ('category_fail_under = { accuracy = "high" }\n', "'category_fail_under' has the wrong type"),
])
def test_bad_category_thresholds_are_one_line_errors(tmp_path, capsys, body, message):
    doc = tmp_path / "doc.txt"
    doc.write_text(V1, encoding="utf-8")
    cfg = _config(tmp_path, body)
    with pytest.raises(SystemExit) as exc:
        main(["check", str(doc), "-c", str(cfg)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(("args", "message"), [
    (["--fail-on", "fatal"], "'fail_on' must be one of critical, major, minor"),
    (["--fail-under", "101"], "fail_under must be between 0 and 100"),
])
def test_bad_gate_flags_are_one_line_errors(tmp_path, capsys, args, message):
    doc = tmp_path / "doc.txt"
    doc.write_text(V1, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["check", str(doc), *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
