"""The one report every renderer draws: plain data, no rendering and no new computation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tqcheck.document import Document
from tqcheck.findings import Finding, Skipped

REPORT_VERSION = "1.0"


@dataclass
class DocumentResult:
    document: Document
    findings: list[Finding] = field(default_factory=list)
    #: 0-100 quality score of the document (content words only).
    score: float = 100.0
    #: Content words (page furniture excluded).
    words: int = 0
    #: segment index -> 0-100 score.
    segment_scores: dict[int, float] = field(default_factory=dict)
    #: MQM category -> 0-100 score.
    category_scores: dict[str, float] = field(default_factory=dict)
    #: Document-level numbers from each signal (aggregates, signatures).
    signals: dict[str, Any] = field(default_factory=dict)
    #: Set when the document could not be read or checked (batch runs go on).
    error: str | None = None
    #: Findings a baseline already knows (reported, not gated), by index into ``findings``.
    baseline_known: set[int] = field(default_factory=set)

    @property
    def path(self) -> str:
        return self.document.path


@dataclass
class GateResult:
    passed: bool = True
    reasons: list[str] = field(default_factory=list)
    #: The same reasons by document path (without the path prefix), for per-document renderers.
    by_document: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, path: str, reason: str) -> None:
        self.reasons.append(f"{path}: {reason}")
        self.by_document.setdefault(path, []).append(reason)


@dataclass
class Report:
    documents: list[DocumentResult] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: What makes the numbers reproducible: tool and rule-pack versions, model ids, options.
    signature: dict[str, Any] = field(default_factory=dict)
    gate: GateResult = field(default_factory=GateResult)
    version: str = REPORT_VERSION

    @property
    def findings(self) -> list[Finding]:
        return [f for d in self.documents for f in d.findings]
