"""Golden tests: each CI format rendered from one small report, compared with the exact expected text.

The document (tests/report_fixtures.py) has a character outside the BMP before two findings, so the
columns differ by unit: line 2 "See 😀 <b>&amp; 100%, done." puts "<b>&amp;" at character column 7,
UTF-16 column 8 and UTF-8 byte column 10.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from report_fixtures import small_report
from tqcheck import __version__
from tqcheck.report import RENDERERS, render
from tqcheck.report.github import command, escape_data, escape_property

GITHUB = """\
::notice file=docs/small.txt,line=1,endLine=1,col=13,endColumn=14,title=tqcheck test.space-before (minor)::Space before “?”%0ASuggestion: delete
::warning file=docs/small.txt,line=2,endLine=2,col=5,endColumn=7,title=tqcheck test.emoji (major)::Emoji in copy
::error file=docs/small.txt,line=2,endLine=2,col=8,endColumn=16,title=tqcheck test.markup (critical)::Stray "<b>" & entity: 100%25, fix%0Ait%0ASuggestion: “&”
::error file=docs/small.txt,title=tqcheck gate::2 finding(s) of severity major or worse
"""  # noqa: E501

RDJSONL = """\
{"message": "Space before “?”", "location": {"path": "docs/small.txt", "range": {"start": {"line": 1, "column": 14}, "end": {"line": 1, "column": 15}}}, "severity": "INFO", "source": {"name": "tqcheck", "url": "https://github.com/tqcheck/tqcheck"}, "code": {"value": "test.space-before"}, "suggestions": [{"range": {"start": {"line": 1, "column": 14}, "end": {"line": 1, "column": 15}}, "text": ""}]}
{"message": "Emoji in copy", "location": {"path": "docs/small.txt", "range": {"start": {"line": 2, "column": 5}, "end": {"line": 2, "column": 9}}}, "severity": "WARNING", "source": {"name": "tqcheck", "url": "https://github.com/tqcheck/tqcheck"}, "code": {"value": "test.emoji"}}
{"message": "Stray \\"<b>\\" & entity: 100%, fix\\nit", "location": {"path": "docs/small.txt", "range": {"start": {"line": 2, "column": 10}, "end": {"line": 2, "column": 18}}}, "severity": "ERROR", "source": {"name": "tqcheck", "url": "https://github.com/tqcheck/tqcheck"}, "code": {"value": "test.markup"}, "suggestions": [{"range": {"start": {"line": 2, "column": 10}, "end": {"line": 2, "column": 18}}, "text": "&"}]}
"""  # noqa: E501

JUNIT = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="tqcheck" tests="1" failures="1" errors="0" skipped="0">
  <testsuite name="tqcheck" tests="1" failures="1" errors="0" skipped="0">
    <testcase classname="tqcheck" name="docs/small.txt">
      <failure type="tqcheck.gate" message="2 finding(s) of severity major or worse">docs/small.txt:1:13: minor test.space-before: Space before “?” [' ']
docs/small.txt:2:5: major test.emoji: Emoji in copy ['😀']
docs/small.txt:2:7: critical test.markup: Stray "&lt;b&gt;" &amp; entity: 100%, fix
it ['&lt;b&gt;&amp;amp;']</failure>
      <system-out>score 0.00 over 8 words; 3 finding(s)
docs/small.txt:1:13: minor test.space-before: Space before “?” [' ']
docs/small.txt:2:5: major test.emoji: Emoji in copy ['😀']
docs/small.txt:2:7: critical test.markup: Stray "&lt;b&gt;" &amp; entity: 100%, fix
it ['&lt;b&gt;&amp;amp;']</system-out>
    </testcase>
  </testsuite>
</testsuites>
"""  # noqa: E501

MARKDOWN = """\
## tqcheck report

**Gate:** ❌ failed

- docs/small.txt: 2 finding(s) of severity major or worse

| Document | Score | Words | Findings |
| --- | ---: | ---: | --- |
| docs/small.txt | 0.00 | 8 | 1 critical, 1 major, 1 minor |

### docs/small.txt

| Line:Col | Severity | Rule | Text | Message | Suggestion |
| --- | --- | --- | --- | --- | --- |
| 1:13 | 🟡 minor | `test.space-before` | Le café "ok"**␣**? | Space before “?” | delete |
| 2:5 | 🟠 major | `test.emoji` | See **😀** \\<b\\>\\&amp; 100%, done… | Emoji in copy | — |
| 2:7 | 🔴 critical | `test.markup` | See 😀 **\\<b\\>\\&amp;** 100%, done. | Stray "\\<b\\>" \\& entity: 100%, fix it | “\\&” |

<!-- tqcheck-report -->
"""  # noqa: E501


def _fix(start_col: int, end_col: int, line: int, text: str) -> dict:
    return {
        "artifactLocation": {"uri": "docs/small.txt"},
        "replacements": [{"deletedRegion": {"startLine": line, "startColumn": start_col, "endLine": line,
                                            "endColumn": end_col},
                          "insertedContent": {"text": text}}],
    }


def _rule(rule_id: str, category: str, severity: str, level: str) -> dict:
    line = f"{category} finding from the rules signal"
    return {"id": rule_id, "shortDescription": {"text": line}, "fullDescription": {"text": line},
            "help": {"text": line, "markdown": line}, "defaultConfiguration": {"level": level},
            "properties": {"tags": [category, "test"], "category": category, "severity": severity}}


def _location(line: int, start: int, end: int, snippet: str) -> list:
    return [{"physicalLocation": {"artifactLocation": {"uri": "docs/small.txt"},
                                  "region": {"startLine": line, "startColumn": start, "endLine": line,
                                             "endColumn": end, "snippet": {"text": snippet}}}}]


SARIF = {
    "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
    "version": "2.1.0",
    "runs": [{
        "tool": {"driver": {
            "name": "tqcheck", "version": __version__, "semanticVersion": __version__,
            "informationUri": "https://github.com/tqcheck/tqcheck",
            "rules": [_rule("test.emoji", "style", "major", "warning"),
                      _rule("test.markup", "accuracy", "critical", "error"),
                      _rule("test.space-before", "locale-convention", "minor", "note")],
        }},
        "invocations": [{"executionSuccessful": True}],
        "columnKind": "utf16CodeUnits",
        "results": [
            {"ruleId": "test.space-before", "ruleIndex": 2, "level": "note",
             "message": {"text": "Space before “?”"}, "locations": _location(1, 13, 14, " "),
             "partialFingerprints": {"tqcheckFingerprint/v1": "c66427043e6e577da7472d2f969be68f:1"},
             "properties": {"category": "locale-convention", "severity": "minor", "confidence": 0.9,
                            "signal": "rules"},
             "fixes": [{"description": {"text": "Delete the flagged text"},
                        "artifactChanges": [_fix(13, 14, 1, "")]}]},
            {"ruleId": "test.emoji", "ruleIndex": 0, "level": "warning", "message": {"text": "Emoji in copy"},
             "locations": _location(2, 5, 7, "😀"),
             "partialFingerprints": {"tqcheckFingerprint/v1": "79053ffcdbe53471481745c3f6874498:1"},
             "properties": {"category": "style", "severity": "major", "confidence": 1.0, "signal": "rules",
                            "evidence": {"codepoint": "U+1F600"}}},
            {"ruleId": "test.markup", "ruleIndex": 1, "level": "error",
             "message": {"text": 'Stray "<b>" & entity: 100%, fix\nit'}, "locations": _location(2, 8, 16, "<b>&amp;"),
             "partialFingerprints": {"tqcheckFingerprint/v1": "6d02f1a907065e6e1c71f505d53cd684:1"},
             "properties": {"category": "accuracy", "severity": "critical", "confidence": 1.0, "signal": "rules",
                            "evidence": {"score": 0.25}},
             "fixes": [{"description": {"text": "Replace with “&”"}, "artifactChanges": [_fix(8, 16, 2, "&")]}]},
        ],
        "properties": {
            "gate": {"passed": False, "reasons": ["docs/small.txt: 2 finding(s) of severity major or worse"]},
            "signature": {"tool": "tqcheck", "version": "test"},
            "scores": {"docs/small.txt": 0.0},
        },
    }],
}


def test_every_issue_format_is_registered():
    for fmt in ("html", "sarif", "junit", "github", "rdjsonl", "markdown"):
        assert fmt in RENDERERS


def test_github_golden():
    assert render(small_report(), "github") == GITHUB


def test_rdjsonl_golden_and_utf8_columns():
    out = render(small_report(), "rdjsonl")
    assert out == RDJSONL
    first = json.loads(out.splitlines()[2])
    line = "See 😀 <b>&amp; 100%, done.".encode()
    # Columns are 1-based UTF-8 byte offsets: the span starts after "See 😀 " (4 + 4 + 1 bytes).
    start, end = first["location"]["range"]["start"]["column"], first["location"]["range"]["end"]["column"]
    assert line[start - 1 : end - 1].decode() == "<b>&amp;"


def test_junit_golden_and_well_formed():
    out = render(small_report(), "junit")
    assert out == JUNIT
    root = ET.fromstring(out.encode())
    case = root.find("testsuite/testcase")
    assert case is not None and case.find("failure") is not None
    assert 'Stray "<b>" & entity' in case.find("failure").text


def test_markdown_golden():
    assert render(small_report(), "markdown") == MARKDOWN


def test_sarif_golden():
    assert json.loads(render(small_report(), "sarif")) == SARIF


def test_github_escaping_matches_the_actions_toolkit():
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert command("warning", "x", file="a,b:c.md", line=3) == "::warning file=a%2Cb%3Ac.md,line=3::x"
    assert command("error", "bare") == "::error::bare"


def test_formats_render_an_unreadable_document_and_a_clean_one(tmp_path):
    from typer.testing import CliRunner

    from tqcheck.cli import app
    from tqcheck.config import Config
    from tqcheck.document import Document
    from tqcheck.results import DocumentResult, Report
    from tqcheck.scoring import evaluate_gate

    clean = tmp_path / "clean.txt"
    clean.write_text("A clean sentence.\n", encoding="utf-8")
    runner = CliRunner()
    for fmt in ("sarif", "junit", "github", "rdjsonl", "markdown", "html"):
        res = runner.invoke(app, ["check", str(clean), "--format", fmt])
        assert res.exit_code == 0, (fmt, res.output)
    assert runner.invoke(app, ["check", str(clean), "-f", "github"]).stdout == ""
    assert runner.invoke(app, ["check", str(clean), "-f", "rdjsonl"]).stdout == ""

    # A batch run records an unreadable document as an error instead of stopping.
    broken = Report(documents=[DocumentResult(Document(text="", path="bad.txt"), error="binary file")])
    broken.gate = evaluate_gate(broken, Config())
    root = ET.fromstring(render(broken, "junit").encode())
    assert (root.get("tests"), root.get("errors"), root.get("failures")) == ("1", "1", "0")
    assert root.find("testsuite/testcase/error").get("message") == "binary file"
    sarif = json.loads(render(broken, "sarif"))
    note = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]
    assert note["level"] == "error" and "bad.txt" in note["message"]["text"]
    assert render(broken, "github") == "::error file=bad.txt,title=tqcheck gate::could not be checked (binary file)\n"
    assert "Not checked: binary file" in render(broken, "markdown")
    assert "Not checked: binary file" in render(broken, "html")


def test_one_run_writes_several_reports(tmp_path, capsys):
    from typer.testing import CliRunner

    from tqcheck.cli import app, main

    doc = tmp_path / "doc.txt"
    doc.write_text("Is it true ?\n", encoding="utf-8")
    sarif, md = tmp_path / "out.sarif", tmp_path / "summary.md"
    res = CliRunner().invoke(app, ["check", str(doc), "-f", "github", "--report", f"sarif={sarif}",
                                   "--report", f"markdown={md}", "--fail-on", "minor"])
    assert res.exit_code == 1 and res.stdout.startswith("::notice file=")
    assert json.loads(sarif.read_text("utf-8"))["runs"][0]["results"][0]["ruleId"].startswith("typography.")
    assert md.read_text("utf-8").startswith("## tqcheck report")
    for bad, message in (("pdf=x.pdf", "--report: unknown format 'pdf'"), ("sarif", "--report expects FORMAT=FILE")):
        with pytest.raises(SystemExit) as exc:
            main(["check", str(doc), "--report", bad])
        assert exc.value.code == 2 and message in capsys.readouterr().err
