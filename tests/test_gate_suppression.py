"""Inline suppression comments and configuration ignore lists (applied to every signal's findings)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tqcheck.cli import app
from tqcheck.config import Config
from tqcheck.document import Document
from tqcheck.findings import Category, Finding, Severity
from tqcheck.suppress import find_suppressions, suppress_findings

DOC = """\
Open question ?

<!-- tqcheck: ignore typography.space-before-punctuation -->
Skipped question ? Still skipped , here.
Same paragraph ?

Checked again ?

<!-- tqcheck: ignore grammar -->
the the block ?

the the still inside
<!-- tqcheck: end -->
the the outside ?

Inline <!-- tqcheck: ignore --> everything ? in in this paragraph

Last one ?
"""


def _findings(tmp_path, *extra: str) -> list[tuple[int, str]]:
    doc = tmp_path / "doc.md"
    doc.write_text(DOC, encoding="utf-8")
    res = CliRunner().invoke(app, ["check", str(doc), "-f", "json", *extra])
    assert res.exit_code == 0, res.output
    return [(f["line"], f["rule"]) for f in json.loads(res.stdout)["documents"][0]["findings"]]


def test_inline_comments_silence_the_next_paragraph_or_a_block(tmp_path):
    assert _findings(tmp_path) == [
        (1, "typography.space-before-punctuation"),
        # lines 4-5 (the paragraph after the comment) are silenced for that rule only
        (7, "typography.space-before-punctuation"),
        # lines 10-12: the block silences grammar.*; the space rule still fires inside it
        (10, "typography.space-before-punctuation"),
        (14, "grammar.repeated-word"),
        (14, "typography.space-before-punctuation"),
        # line 16: an id-less comment silences every rule for the rest of its paragraph
        (18, "typography.space-before-punctuation"),
    ]
    # A suppressed finding no longer counts for the gate.
    doc = tmp_path / "doc.md"
    assert CliRunner().invoke(app, ["check", str(doc), "--fail-on", "minor"]).exit_code == 1
    doc.write_text("<!-- tqcheck: ignore -->\nOnly this ?\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["check", str(doc), "--fail-on", "minor"]).exit_code == 0


def test_ignore_flag_and_config_silence_rules(tmp_path):
    assert all(rule != "grammar.repeated-word" for _, rule in _findings(tmp_path, "--ignore", "grammar"))
    cfg = tmp_path / "tqcheck.toml"
    cfg.write_text('ignore = ["typography.*"]\n', encoding="utf-8")
    assert _findings(tmp_path, "-c", str(cfg)) == [(14, "grammar.repeated-word")]


def test_configuration_ignore_applies_to_every_finding():
    doc = Document(text="abc ? def\n", path="x.md")
    findings = [
        Finding("fluency.surprisal", Category.FLUENCY, Severity.MAJOR, 0, 3, "m", signal="fluency"),
        Finding("roundtrip.drift", Category.ACCURACY, Severity.MAJOR, 4, 5, "m", signal="roundtrip"),
    ]
    kept = suppress_findings(doc, findings, Config(ignore=["fluency"]))
    assert [f.rule for f in kept] == ["roundtrip.drift"]
    kept = suppress_findings(doc, findings, Config(ignore=["roundtrip.*", "fluency.surprisal"]))
    assert kept == []


def test_directive_parsing():
    text = "a\n<!-- TQCHECK: ignore a.b, c.d -->\nx\n\ny\n<!--tqcheck:ignore-->z\n<!-- tqcheck: end -->w"
    regions = find_suppressions(text)
    assert [(text[r.start : r.end].strip(), r.rules) for r in regions] == [("x", ("a.b", "c.d")), ("z", ())]
    assert find_suppressions("no directives here") == []
    assert find_suppressions("<!-- tqcheck: end -->") == []
