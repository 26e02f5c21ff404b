"""What the review page needs for one checked document: the highlighted text and the findings
with UTF-16 offsets (JavaScript strings count UTF-16 units, tqcheck counts code points).

``highlight_html`` is the one place that draws the document; it is kept separate so it can be
swapped for the HTML report's renderer without touching the page's script, which relies only on
``<mark class="tq-f" data-ids="i j">`` elements wrapping the text of findings i and j.
"""

from __future__ import annotations

import html
from typing import Any

from tqcheck.results import DocumentResult
from tqcheck.server.languagetool import Utf16Offsets


def highlight_html(result: DocumentResult) -> str:
    """The document's text, escaped, with every finding's span wrapped in ``<mark>``.

    Overlapping findings are drawn by cutting the text at every start and end: each piece lists
    all findings covering it. A finding with an empty span (an insertion) gets an empty mark.
    """
    text = result.document.text
    findings = result.findings
    cuts = sorted({0, len(text), *(f.start for f in findings), *(f.end for f in findings)})
    inserts: dict[int, list[int]] = {}
    for i, f in enumerate(findings):
        if f.start == f.end:
            inserts.setdefault(f.start, []).append(i)
    out: list[str] = []
    for a, b in zip(cuts, [*cuts[1:], None], strict=False):
        if a in inserts:
            ids = inserts[a]
            out.append(
                f'<mark class="tq-f tq-insert {_severity_class(result, ids)}" data-ids="{_ids(ids)}"></mark>'
            )
        if b is None:
            break
        piece = html.escape(text[a:b], quote=True)
        covering = [i for i, f in enumerate(findings) if f.start <= a and b <= f.end and f.start < f.end]
        if covering:
            out.append(
                f'<mark class="tq-f {_severity_class(result, covering)}" data-ids="{_ids(covering)}">'
                f"{piece}</mark>"
            )
        else:
            out.append(piece)
    return "".join(out)


def _ids(ids: list[int]) -> str:
    return " ".join(str(i) for i in ids)


def _severity_class(result: DocumentResult, ids: list[int]) -> str:
    worst = max((result.findings[i].severity for i in ids), key=lambda s: s.rank)
    return f"tq-{worst.value}"


def review_payload(result: DocumentResult) -> dict[str, Any]:
    doc = result.document
    u16 = Utf16Offsets(doc.text)
    findings = []
    for i, f in enumerate(result.findings):
        findings.append(
            {
                "index": i,
                "rule": f.rule,
                "category": f.category.value,
                "severity": f.severity.value,
                "message": f.message,
                "start16": u16(f.start),
                "end16": u16(f.end),
                "text": doc.text[f.start : f.end],
                "suggestions": [
                    {"replacement": s.replacement, "safe": s.safe, "source": s.source} for s in f.suggestions
                ],
                "confidence": f.confidence,
            }
        )
    return {
        "text": doc.text,
        "name": doc.path,
        "language": doc.language,
        "score": round(result.score, 2),
        "html": highlight_html(result),
        "findings": findings,
    }
