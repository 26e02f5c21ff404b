"""The terminal report: the text with flagged spans highlighted, a findings table, the scores."""

from __future__ import annotations

from io import StringIO

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.report import RenderOptions
from tqcheck.results import DocumentResult, Report

SEVERITY_STYLE = {
    Severity.MINOR: "yellow",
    Severity.MAJOR: "bold dark_orange",
    Severity.CRITICAL: "bold red",
}
HIGHLIGHT_STYLE = {
    Severity.MINOR: "underline yellow",
    Severity.MAJOR: "bold underline dark_orange",
    Severity.CRITICAL: "bold reverse red",
}
#: Documents longer than this show only the flagged sentences, not the whole text.
FULL_TEXT_LIMIT = 20_000


def describe_suggestion(s: Suggestion) -> str:
    text = s.replacement if len(s.replacement) <= 60 else s.replacement[:59] + "…"
    shown = f"“{text}”" if s.replacement.strip() else ("delete" if not s.replacement else "“ ”")
    tags = [] if s.source == "rule" else [s.source]
    if s.score is not None:
        tags.append(f"score {s.score:+.2f}")
    if "similarity" in s.evidence:
        tags.append(f"similarity {s.evidence['similarity']:.2f}")
    return shown + (f" ({', '.join(tags)})" if tags else "")


def _highlighted(result: DocumentResult) -> Text:
    doc = result.document
    text = Text(doc.text if len(doc.text) <= FULL_TEXT_LIMIT else "")
    if len(doc.text) > FULL_TEXT_LIMIT:
        return text
    for seg in doc.segments:
        if seg.non_content:
            text.stylize("dim strike", seg.start, seg.end)
    for f in result.findings:
        if f.category is Category.NON_CONTENT:
            continue
        # An empty span (an insertion point) still needs one visible cell.
        end = f.end if f.end > f.start else min(f.start + 1, len(doc.text))
        text.stylize(HIGHLIGHT_STYLE[f.severity], f.start, end)
    return text


def _in_context(text: str, f: Finding, width: int = 12) -> Text:
    """The flagged span in reverse video with a little context; whitespace made visible."""
    span = text[f.start : f.end]
    if len(span) > 40:
        span = span[:37] + "…"
    before = text[max(0, f.start - width) : f.start].split("\n")[-1]
    after = text[f.end : f.end + width].split("\n")[0]
    shown = span.replace(" ", "·").replace("\u00a0", "⍽").replace("\t", "→") or "‸"
    return Text.assemble(before.lstrip(), (shown, "reverse"), after.rstrip())


def _findings_list(result: DocumentResult) -> Text:
    """One block per finding: position, severity, rule; the span in context; why; the fixes."""
    doc = result.document
    out = Text()
    for i, f in enumerate(result.findings):
        pos = doc.offsets.position(f.start)
        out.append(f"{pos.line}:{pos.column}".rjust(8), style="bold")
        out.append("  ")
        out.append(f.severity.value.ljust(8), style=SEVERITY_STYLE[f.severity])
        out.append(f.rule, style="cyan")
        if f.confidence < 1:
            out.append(f"  (confidence {f.confidence:.2f})", style="dim")
        if i in result.baseline_known:
            out.append("  (known: in the baseline)", style="dim")
        out.append("\n          ")
        out.append_text(_in_context(doc.text, f))
        out.append("\n          ")
        out.append(f.message)
        if f.suggestions:
            out.append("\n          fix: ", style="green")
            out.append(", ".join(describe_suggestion(s) for s in f.suggestions[:3]), style="green")
        elif "no_suggestion" in f.evidence:
            out.append(f"\n          no fix: {f.evidence['no_suggestion']}", style="dim")
        out.append("\n")
    return out


def _corrections(result: DocumentResult) -> Table | None:
    """Each sentence that has suggestions beside the same sentence with the best one of each applied."""
    from tqcheck.fixes import Edit, apply_edits, resolve

    doc = result.document
    by_segment: dict[int, list[Edit]] = {}
    for f in result.findings:
        seg = doc.segment_at(f.start)
        if not f.suggestions or seg is None or seg.non_content or f.category is Category.NON_CONTENT:
            continue
        s = f.suggestions[0]
        by_segment.setdefault(seg.index, []).append(
            Edit(f.start, f.end, s.replacement, f.rule, f.severity, s.source, s.safe, s.score))
    rows = []
    for index, edits in sorted(by_segment.items()):
        seg = doc.segments[index]
        start, end = seg.start, max([seg.end, *(e.end for e in edits)])
        chosen, _ = resolve(edits)
        local = [Edit(e.start - start, e.end - start, e.replacement, e.rule, e.severity, e.source, e.safe)
                 for e in chosen]
        original = doc.text[start:end]
        fixed = apply_edits(original, local)
        if fixed != original:
            rows.append((original, fixed, "" if all(e.safe for e in chosen) else " *"))
    if not rows:
        return None
    table = Table(title="Suggested rewrites (best fix of each finding; * includes unsafe fixes)",
                  expand=True, header_style="bold", show_lines=True)
    table.add_column("Original", ratio=1)
    table.add_column("Suggested", ratio=1, style="green")
    for original, rewritten, mark in rows:
        table.add_row(original, rewritten + mark)
    return table


def _scores(result: DocumentResult) -> Text:
    counts = {s: 0 for s in Severity}
    for f in result.findings:
        counts[f.severity] += 1
    style = "green" if result.score >= 90 else "yellow" if result.score >= 70 else "red"
    line = Text.assemble(
        ("Score ", "bold"), (f"{result.score:.2f}", f"bold {style}"), "/100 over ",
        f"{result.words} words; ",
        ", ".join(f"{counts[s]} {s.value}" for s in Severity),
    )
    cats = ", ".join(f"{k} {v:.1f}" for k, v in result.category_scores.items() if v < 100)
    if cats:
        line.append(f"  (by category: {cats})")
    return line


def render(report: Report, options: RenderOptions) -> str:
    out = StringIO()
    console = Console(file=out, width=options.width, force_terminal=options.color,
                      color_system="standard" if options.color else None, highlight=False, soft_wrap=False)
    for result in report.documents:
        title = f"{result.path}  [{result.document.language}"
        title += f" from {result.document.source_language}]" if result.document.source_language else "]"
        if result.error:
            console.print(Text.assemble((result.path, "bold"), ": ", (f"not checked: {result.error}", "red")))
            continue
        parts: list[object] = []
        if options.show_text:
            parts.append(_highlighted(result))
        # Text(): the title's "[en from fr]" is not rich markup.
        console.print(Panel(Group(*parts) if parts else Text(""), title=Text(title), title_align="left"))
        if result.findings:
            console.print(_findings_list(result))
        corrections = _corrections(result)
        if corrections is not None:
            console.print(corrections)
        console.print(_scores(result))
        lang = result.signals.get("language")
        if isinstance(lang, dict) and (lang.get("target_set_by") != "configuration" or "source_guess" in lang
                                       or lang.get("warning")):
            from tqcheck.source_guess import summary

            console.print(Text(summary(lang), style="dim"))
        console.print()
    for s in report.skipped:
        console.print(Text.assemble(("skipped ", "bold yellow"), (s.signal, "bold"), f": {s.reason}"))
        console.print(Text.assemble("  fix: ", (s.fix, "cyan")))
    verdict = ("PASSED", "bold green") if report.gate.passed else ("FAILED", "bold red")
    console.print(Text.assemble(("Gate: ", "bold"), verdict))
    for reason in report.gate.reasons:
        console.print(f"  - {reason}")
    return out.getvalue()
