"""The versioned JSON report (schema: ``docs/report.schema.json``)."""

from __future__ import annotations

import json
import math
from typing import Any

from tqcheck import __version__
from tqcheck.findings import Finding
from tqcheck.report import RenderOptions
from tqcheck.results import DocumentResult, Report
from tqcheck.scoring import severity_counts


def _clean(value: Any) -> Any:
    """JSON-safe numbers (no NaN/inf) and plain containers."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def finding_dict(result: DocumentResult, f: Finding, index: int) -> dict[str, Any]:
    doc = result.document
    start, end = doc.offsets.position(f.start), doc.offsets.position(f.end)
    seg = doc.segment_at(f.start)
    return {
        "rule": f.rule,
        "category": f.category.value,
        "severity": f.severity.value,
        "start": f.start,
        "end": f.end,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "text": doc.text[f.start : f.end],
        "message": f.message,
        "suggestions": [
            {
                "replacement": s.replacement,
                "safe": s.safe,
                "source": s.source,
                "score": s.score,
                "sentence": s.sentence,
                "evidence": s.evidence,
            }
            for s in f.suggestions
        ],
        "confidence": f.confidence,
        "evidence": f.evidence,
        "signal": f.signal,
        "segment": seg.index if seg else None,
        "baseline": index in result.baseline_known,
    }


def document_dict(result: DocumentResult) -> dict[str, Any]:
    doc = result.document
    return {
        "path": doc.path,
        "language": doc.language,
        "source_language": doc.source_language,
        "format": doc.format,
        "score": result.score,
        "words": result.words,
        "category_scores": result.category_scores,
        "counts": severity_counts(result.findings),
        "error": result.error,
        "signals": result.signals,
        "segments": [
            {
                "index": s.index,
                "start": s.start,
                "end": s.end,
                "text": doc.text[s.start : s.end],
                "score": result.segment_scores.get(s.index, 100.0),
                "non_content": s.non_content,
                "signals": s.signals,
            }
            for s in doc.segments
        ],
        "findings": [finding_dict(result, f, i) for i, f in enumerate(result.findings)],
    }


def report_dict(report: Report) -> dict[str, Any]:
    docs = [d for d in report.documents if d.error is None]
    return _clean(
        {
            "version": report.version,
            "tool": {"name": "tqcheck", "version": __version__},
            "signature": report.signature,
            "summary": {
                "documents": len(report.documents),
                "failed_documents": len(report.documents) - len(docs),
                "findings": len(report.findings),
                "by_severity": severity_counts(report.findings),
                "mean_score": round(sum(d.score for d in docs) / len(docs), 2) if docs else None,
                "min_score": min((d.score for d in docs), default=None),
            },
            "gate": {"passed": report.gate.passed, "reasons": report.gate.reasons},
            "skipped": [{"signal": s.signal, "reason": s.reason, "fix": s.fix} for s in report.skipped],
            "documents": [document_dict(d) for d in report.documents],
        }
    )


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"
