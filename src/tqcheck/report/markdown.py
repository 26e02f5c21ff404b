"""Markdown suited to a pull-request comment: a summary table, then findings per document."""

from __future__ import annotations

from tqcheck.findings import Finding
from tqcheck.report import RenderOptions
from tqcheck.report.text import describe_suggestion
from tqcheck.results import DocumentResult, Report


def md_escape(text: str) -> str:
    """Escape what would break a table cell or be read as Markdown/HTML."""
    out = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    for ch in "`*_[]<>#":
        out = out.replace(ch, "\\" + ch)
    return out


def _finding_row(result: DocumentResult, f: Finding) -> str:
    pos = result.document.offsets.position(f.start)
    text = result.document.text[f.start : f.end]
    sugg = ", ".join(describe_suggestion(s) for s in f.suggestions[:3]) or "—"
    return (f"| {pos.line}:{pos.column} | {f.severity.value} | `{f.rule}` | {md_escape(text) or '∅'} | "
            f"{md_escape(f.message)} | {md_escape(sugg)} |")


def render(report: Report, options: RenderOptions) -> str:
    lines = ["## tqcheck report", ""]
    verdict = "✅ passed" if report.gate.passed else "❌ failed"
    lines += [f"**Gate:** {verdict}", ""]
    for reason in report.gate.reasons:
        lines.append(f"- {md_escape(reason)}")
    if report.gate.reasons:
        lines.append("")
    lines += ["| Document | Score | Words | Findings |", "| --- | ---: | ---: | ---: |"]
    for d in report.documents:
        score = "error" if d.error else f"{d.score:.2f}"
        lines.append(f"| {md_escape(d.path)} | {score} | {d.words} | {len(d.findings)} |")
    lines.append("")
    for d in report.documents:
        if d.error:
            lines += [f"### {md_escape(d.path)}", "", f"Not checked: {md_escape(d.error)}", ""]
            continue
        if not d.findings:
            continue
        lines += [f"### {md_escape(d.path)}", "",
                  "| Line:Col | Severity | Rule | Text | Message | Suggestion |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [_finding_row(d, f) for f in d.findings]
        lines.append("")
    if report.skipped:
        lines += ["<details><summary>Skipped signals</summary>", ""]
        for s in report.skipped:
            lines.append(f"- **{md_escape(s.signal)}**: {md_escape(s.reason)} Fix: {md_escape(s.fix)}")
        lines += ["", "</details>", ""]
    return "\n".join(lines)
