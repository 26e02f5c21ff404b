"""MQM-style scoring and the CI gate.

Each finding costs penalty points by severity (minor 1, major 5, critical 25 by default).
A segment or document scores ``max(0, 100 * (1 - penalty / words))`` over its content words;
page furniture (``non-content``) costs nothing and its words do not count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from tqcheck.config import Config
from tqcheck.document import Document
from tqcheck.findings import Category, Finding, Severity
from tqcheck.results import DocumentResult, GateResult, Report
from tqcheck.segment import word_count


def quality(penalty: float, words: int) -> float:
    if words <= 0:
        return 100.0 if penalty == 0 else 0.0
    return round(max(0.0, 100.0 * (1.0 - penalty / words)), 2)


def penalty_of(findings: Iterable[Finding], penalties: dict[str, float]) -> float:
    return sum(penalties[f.severity.value] for f in findings if f.category is not Category.NON_CONTENT)


def score_document(doc: Document, findings: list[Finding], config: Config) -> DocumentResult:
    by_segment: dict[int, list[Finding]] = defaultdict(list)
    content: list[Finding] = []
    for f in findings:
        seg = doc.segment_at(f.start)
        if seg is not None:
            by_segment[seg.index].append(f)
        if f.category is not Category.NON_CONTENT and not (seg is not None and seg.non_content):
            content.append(f)
    seg_scores: dict[int, float] = {}
    words = 0
    for seg in doc.segments:
        if seg.non_content:  # page furniture: no words, no penalty
            seg_scores[seg.index] = 100.0
            continue
        n = word_count(seg.text)
        words += n
        seg_scores[seg.index] = quality(penalty_of(by_segment[seg.index], config.penalties), n)
    total = penalty_of(content, config.penalties)
    categories = {
        c.value: quality(penalty_of((f for f in content if f.category is c), config.penalties), words)
        for c in Category
        if c is not Category.NON_CONTENT
    }
    return DocumentResult(
        document=doc,
        findings=findings,
        score=quality(total, words),
        words=words,
        segment_scores=seg_scores,
        category_scores=categories,
    )


def _in_non_content(doc: Document, f: Finding) -> bool:
    if f.category is Category.NON_CONTENT:
        return True
    seg = doc.segment_at(f.start)
    return seg is not None and seg.non_content


def is_content_finding(doc: Document, f: Finding) -> bool:
    """False for page furniture (a non-content finding, or any finding inside a non-content segment)."""
    return not _in_non_content(doc, f)


def gated_findings(result: DocumentResult) -> list[Finding]:
    """Findings that count for the gate: content findings a baseline does not already know."""
    return [
        f
        for i, f in enumerate(result.findings)
        if i not in result.baseline_known and not _in_non_content(result.document, f)
    ]


def evaluate_gate(report: Report, config: Config) -> GateResult:
    gate = GateResult()
    threshold = config.fail_on_severity
    for result in report.documents:
        if result.error:
            gate.fail(result.path, f"could not be checked ({result.error})")
            continue
        counted = gated_findings(result)
        if config.fail_under is not None:
            # With a baseline, the score the gate sees ignores known findings.
            score = quality(penalty_of(counted, config.penalties), result.words)
            if score < config.fail_under:
                gate.fail(result.path, f"score {score:.2f} is below {config.fail_under:g}")
        for category, limit in config.category_fail_under.items():
            cat_score = quality(
                penalty_of((f for f in counted if f.category.value == category), config.penalties),
                result.words,
            )
            if cat_score < limit:
                gate.fail(result.path, f"{category} score {cat_score:.2f} is below {limit:g}")
        if threshold is not None:
            worst = [f for f in counted if f.severity >= threshold]
            if worst:
                gate.fail(result.path, f"{len(worst)} finding(s) of severity {threshold.value} or worse")
    gate.passed = not gate.reasons
    return gate


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        counts[f.severity.value] += 1
    return counts
