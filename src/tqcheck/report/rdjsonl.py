"""reviewdog Diagnostic JSON lines (``reviewdog -f=rdjsonl``): one diagnostic per new finding.

Positions are 1-based lines and 1-based columns in UTF-8 bytes, as reviewdog's
``Position.column`` is defined; ``end`` is exclusive. Suggestions replace exactly the flagged
range. Severities: critical -> ERROR, major -> WARNING, minor and page furniture -> INFO.
Findings a baseline already knows are left out.
"""

from __future__ import annotations

import json
from typing import Any

from tqcheck.document import Position
from tqcheck.report import RenderOptions
from tqcheck.report.common import display_path, level_of, span_of
from tqcheck.report.sarif import INFORMATION_URI
from tqcheck.results import Report

_SEVERITY = {"error": "ERROR", "warning": "WARNING", "notice": "INFO"}


def _pos(p: Position) -> dict[str, int]:
    return {"line": p.line, "column": p.column_utf8}


def render(report: Report, options: RenderOptions) -> str:
    out = []
    for result in report.documents:
        doc = result.document
        for i, f in enumerate(result.findings):
            if i in result.baseline_known:
                continue
            span = span_of(doc, f)
            rng = {"start": _pos(span.start), "end": _pos(span.end)}
            diag: dict[str, Any] = {
                "message": f.message,
                "location": {"path": display_path(doc.path), "range": rng},
                "severity": _SEVERITY[level_of(f)],
                "source": {"name": "tqcheck", "url": INFORMATION_URI},
                "code": {"value": f.rule},
            }
            if f.suggestions:
                diag["suggestions"] = [{"range": rng, "text": s.replacement} for s in f.suggestions]
            out.append(json.dumps(diag, ensure_ascii=False))
    return "".join(line + "\n" for line in out)
