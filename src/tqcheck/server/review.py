"""What the review page needs for one checked document.

The document is drawn by the HTML report's renderer (:func:`tqcheck.report.html.render_document_html`:
score line, per-segment score strip, the text with ``<mark class="hl" data-f="i j">`` over each
finding's span, and the findings list whose items have ids ``rv-f{i}``); the page's script adds the
accept / reject controls to that list. The findings also come as data with UTF-16 offsets, because
JavaScript strings count UTF-16 units while tqcheck counts code points.
"""

from __future__ import annotations

from typing import Any

from tqcheck.results import DocumentResult
from tqcheck.server.languagetool import Utf16Offsets

#: Prefix of every element id in the rendered document (the page shows one document at a time).
DOC_ID = "rv"


def review_payload(result: DocumentResult) -> dict[str, Any]:
    from tqcheck.report.html import render_document_html

    doc = result.document
    u16 = Utf16Offsets(doc.text)
    findings = [
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
        for i, f in enumerate(result.findings)
    ]
    return {
        "text": doc.text,
        "name": doc.path,
        "language": doc.language,
        "score": round(result.score, 2),
        "doc_id": DOC_ID,
        "html": render_document_html(result, DOC_ID),
        "findings": findings,
    }
