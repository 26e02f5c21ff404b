"""JUnit XML for CI test tabs (GitLab, Jenkins, Azure DevOps, CircleCI).

One ``<testsuite>`` per run and one ``<testcase>`` per document (``classname="tqcheck"``, ``name`` the
path). A document whose gate failed is a ``<failure>``: its message is the gate's reasons, its text
lists the findings that count (new content findings, not the ones a baseline knows). A document that
could not be read is an ``<error>``. Every finding, counted or not, is listed in ``<system-out>``.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from tqcheck.findings import Finding
from tqcheck.report import RenderOptions
from tqcheck.report.common import display_path, span_of
from tqcheck.results import DocumentResult, Report
from tqcheck.scoring import gated_findings

_XML_INVALID = {c: None for c in range(0x20) if c not in (0x9, 0xA, 0xD)} | {0xFFFE: None, 0xFFFF: None}
_XML_INVALID.update({c: None for c in range(0xD800, 0xE000)})  # lone surrogates


def _text(value: str) -> str:
    """Escaped character data; characters XML 1.0 forbids are dropped (they cannot be escaped)."""
    return escape(value.translate(_XML_INVALID))


def _attr(value: object) -> str:
    return quoteattr(str(value).translate(_XML_INVALID))


def _line(result: DocumentResult, f: Finding, known: bool = False) -> str:
    pos = span_of(result.document, f).start
    text = result.document.text[f.start : f.end]
    tail = " (known: in baseline)" if known else ""
    return (f"{display_path(result.path)}:{pos.line}:{pos.column}: {f.severity.value} {f.rule}: "
            f"{f.message} [{text!r}]{tail}")


def _testcase(report: Report, result: DocumentResult) -> tuple[str, str]:
    """The testcase XML and its outcome: "passed", "failure" or "error"."""
    head = f'    <testcase classname="tqcheck" name={_attr(display_path(result.path))}'
    if result.error:
        return (f"{head}>\n      <error type=\"unreadable\" message={_attr(result.error)}/>\n"
                f"    </testcase>\n", "error")
    lines = [_line(result, f, i in result.baseline_known) for i, f in enumerate(result.findings)]
    out = f"{head}>\n"
    reasons = report.gate.by_document.get(result.path, [])
    outcome = "passed"
    if reasons:
        counted = "\n".join(_line(result, f) for f in gated_findings(result))
        out += (f"      <failure type=\"tqcheck.gate\" message={_attr('; '.join(reasons))}>"
                f"{_text(counted)}</failure>\n")
        outcome = "failure"
    summary = f"score {result.score:.2f} over {result.words} words; {len(result.findings)} finding(s)"
    body = "\n".join([summary, *lines])
    out += f"      <system-out>{_text(body)}</system-out>\n    </testcase>\n"
    return out, outcome


def render(report: Report, options: RenderOptions) -> str:
    cases = [_testcase(report, r) for r in report.documents]
    failures = sum(1 for _, o in cases if o == "failure")
    errors = sum(1 for _, o in cases if o == "error")
    counts = f'tests="{len(cases)}" failures="{failures}" errors="{errors}" skipped="0"'
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<testsuites name="tqcheck" {counts}>\n',
        f'  <testsuite name="tqcheck" {counts}>\n',
        *(xml for xml, _ in cases),
        "  </testsuite>\n",
        "</testsuites>\n",
    ]
    return "".join(parts)
