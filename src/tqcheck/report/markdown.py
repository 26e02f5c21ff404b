"""Markdown suited to a pull-request comment: the verdict, a summary table, then findings per document.

- Ends with a hidden ``<!-- tqcheck-report -->`` marker so a bot can find and update its comment.
- Input text is escaped so it cannot become Markdown, HTML, a mention (``@user``) or an issue link.
- The flagged span is shown in its context, in bold, with invisible characters made visible.
- With a baseline, only new findings are listed in the table; known ones are counted and folded away.
- At most :data:`MAX_ROWS` findings are listed (GitHub comments stop at 65,536 characters).
"""

from __future__ import annotations

from tqcheck.findings import Finding
from tqcheck.report import RenderOptions
from tqcheck.report.text import describe_suggestion
from tqcheck.results import DocumentResult, Report
from tqcheck.scoring import severity_counts

MARKER = "<!-- tqcheck-report -->"
#: Findings listed in one comment, all documents together.
MAX_ROWS = 200
#: Characters of context on each side of a flagged span.
CONTEXT_CHARS = 20
SEVERITY_ICON = {"critical": "🔴", "major": "🟠", "minor": "🟡"}
_ZWJ = "\u2060"  # word joiner: breaks @mentions and #refs without showing


def md_escape(text: str) -> str:
    """Escape what would break a table cell or be read as Markdown, HTML, a mention or a reference."""
    out = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    for ch in "`*_[]<>&~!":
        out = out.replace(ch, "\\" + ch)
    return out.replace("@", "@" + _ZWJ).replace("#", "#" + _ZWJ)


def _visible(span: str) -> str:
    return span.replace(" ", "␣").replace("\u00a0", "⍽").replace("\t", "→").replace("\n", "↵") or "‸"


def _context(text: str, f: Finding) -> str:
    """The span in bold inside its line, cut to :data:`CONTEXT_CHARS` each side (``…`` marks a cut)."""
    lo, hi = max(0, f.start - CONTEXT_CHARS), min(len(text), f.end + CONTEXT_CHARS)
    before, after = text[lo : f.start], text[f.end : hi]
    cut_before = lo > 0 and text[lo - 1] not in "\r\n"
    cut_after = hi < len(text) and text[hi] not in "\r\n"
    for nl in "\r\n":
        if nl in before:
            before, cut_before = before.rsplit(nl, 1)[1], False
        if nl in after:
            after, cut_after = after.split(nl, 1)[0], False
    span = md_escape(_visible(text[f.start : f.end]))
    lead, tail = "…" if cut_before else "", "…" if cut_after else ""
    return f"{lead}{md_escape(before)}**{span}**{md_escape(after)}{tail}"


def _finding_row(result: DocumentResult, f: Finding) -> str:
    pos = result.document.offsets.position(f.start)
    sugg = ", ".join(describe_suggestion(s) for s in f.suggestions[:3]) or "—"
    sev = f"{SEVERITY_ICON[f.severity.value]} {f.severity.value}"
    return (f"| {pos.line}:{pos.column} | {sev} | `{f.rule}` | {_context(result.document.text, f)} | "
            f"{md_escape(f.message)} | {md_escape(sugg)} |")


def _counts(result: DocumentResult) -> str:
    counts = severity_counts(result.findings)
    shown = ", ".join(f"{counts[s]} {s}" for s in ("critical", "major", "minor") if counts[s])
    return shown or "0"


def render(report: Report, options: RenderOptions) -> str:
    with_baseline = "baseline" in report.signature
    verdict = "✅ passed" if report.gate.passed else "❌ failed"
    lines = ["## tqcheck report", "", f"**Gate:** {verdict}", ""]
    for reason in report.gate.reasons:
        lines.append(f"- {md_escape(reason)}")
    if report.gate.reasons:
        lines.append("")
    header = "| Document | Score | Words | Findings |"
    rule = "| --- | ---: | ---: | --- |"
    if with_baseline:
        header, rule = header + " New |", rule + " ---: |"
    lines += [header, rule]
    for d in report.documents:
        score = "not checked" if d.error else f"{d.score:.2f}"
        row = f"| {md_escape(d.path)} | {score} | {d.words} | {_counts(d)} |"
        if with_baseline:
            row += f" {len(d.findings) - len(d.baseline_known)} |"
        lines.append(row)
    lines.append("")
    budget = MAX_ROWS
    left_out = 0
    for d in report.documents:
        if d.error:
            lines += [f"### {md_escape(d.path)}", "", f"Not checked: {md_escape(d.error)}", ""]
            continue
        new = [f for i, f in enumerate(d.findings) if i not in d.baseline_known]
        if not new and not d.baseline_known:
            continue
        lines += [f"### {md_escape(d.path)}", ""]
        if new:
            shown = new[:budget]
            left_out += len(new) - len(shown)
            budget -= len(shown)
            if shown:
                lines += ["| Line:Col | Severity | Rule | Text | Message | Suggestion |",
                          "| --- | --- | --- | --- | --- | --- |"]
                lines += [_finding_row(d, f) for f in shown]
                lines.append("")
        if d.baseline_known:
            lines += [f"<details><summary>{len(d.baseline_known)} known finding(s) from the baseline "
                      "(not gated)</summary>", ""]
            known = [f for i, f in enumerate(d.findings) if i in d.baseline_known]
            for f in known[:budget]:
                pos = d.document.offsets.position(f.start)
                lines.append(f"- {pos.line}:{pos.column} `{f.rule}` {md_escape(f.message)}")
            left_out += max(0, len(known) - budget)
            budget = max(0, budget - len(known))
            lines += ["", "</details>", ""]
    if left_out:
        lines += [f"_{left_out} more finding(s) not listed; see the full report (e.g. `--format html`)._", ""]
    if report.skipped:
        lines += ["<details><summary>Skipped signals</summary>", ""]
        for s in report.skipped:
            lines.append(f"- **{md_escape(s.signal)}**: {md_escape(s.reason)} Fix: {md_escape(s.fix)}")
        lines += ["", "</details>", ""]
    lines += [MARKER, ""]
    return "\n".join(lines)
