"""GitHub Actions workflow commands: one annotation per new finding, one error per gate reason.

``::LEVEL file=PATH,line=L,endLine=L2,col=C,endColumn=C2,title=TITLE::MESSAGE``. Levels: critical ->
error, major -> warning, minor and page furniture -> notice. Findings a baseline already knows are
left out (they are known debt, not news). Columns are 1-based UTF-16 code units, as JavaScript and
the GitHub web UI count them. Escaping follows the Actions runner: in the message ``%``, ``\\r`` and
``\\n`` are percent-encoded; in property values ``:`` and ``,`` are too.
"""

from __future__ import annotations

from tqcheck.report import RenderOptions
from tqcheck.report.common import display_path, level_of, span_of
from tqcheck.report.text import describe_suggestion
from tqcheck.results import Report


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **props: object) -> str:
    shown = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{level} {shown}::{escape_data(message)}" if shown else f"::{level}::{escape_data(message)}"


def render(report: Report, options: RenderOptions) -> str:
    lines = []
    for result in report.documents:
        doc = result.document
        path = display_path(doc.path)
        for i, f in enumerate(result.findings):
            if i in result.baseline_known:
                continue
            span = span_of(doc, f)
            message = f.message
            if f.suggestions:
                message += "\nSuggestion: " + ", ".join(describe_suggestion(s) for s in f.suggestions[:3])
            lines.append(command(
                level_of(f), message, file=path, line=span.start.line, endLine=span.end.line,
                col=span.start.column_utf16, endColumn=span.end.column_utf16,
                title=f"tqcheck {f.rule} ({f.severity.value})",
            ))
    for result in report.documents:
        for reason in report.gate.by_document.get(result.path, []):
            lines.append(command("error", reason, file=display_path(result.path), title="tqcheck gate"))
    return "".join(line + "\n" for line in lines)
