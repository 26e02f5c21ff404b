"""Fusion of fluency, round-trip, rule and similarity evidence into garbled-passage findings."""

from __future__ import annotations

import pytest

from tqcheck.config import Config
from tqcheck.document import Document, Segment
from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.signals import FUSERS
from tqcheck.signals.fluency import RULE_ID
from tqcheck.signals.fuse import fuse_garbled_passages

TEXT = "But the raids have taken on little truck bombs of the IS. The coalition meets in Paris."


def _doc(similarity: float | None = None) -> Document:
    doc = Document(TEXT)
    first = TEXT.index(" The") + 1
    doc.segments = [Segment(0, 0, first - 1, TEXT[: first - 1]), Segment(1, first, len(TEXT), TEXT[first:])]
    doc.segments[0].signals["roundtrip"] = {"text": "But the raids had little effect on the truck bombs.",
                                            "chrf": 41.5, "pivot": "fr"}
    if similarity is not None:
        doc.segments[0].signals["similarity"] = {"cosine": similarity, "model": "mini"}
    return doc


def _span(phrase: str) -> tuple[int, int]:
    at = TEXT.index(phrase)
    return at, at + len(phrase)


def _fluency(phrase: str, confidence: float = 0.6, severity: Severity = Severity.MINOR) -> Finding:
    start, end = _span(phrase)
    return Finding(RULE_ID, Category.FLUENCY, severity, start, end, f"improbable wording “{phrase}”",
                   confidence=confidence, evidence={"fluency.model": "ngram-x", "fluency.score": 5.5},
                   signal="fluency")


def _roundtrip(phrase: str, suggestions: list[Suggestion] | None = None) -> Finding:
    start, end = _span(phrase)
    return Finding("roundtrip.divergence", Category.ACCURACY, Severity.MINOR, start, end,
                   "round trip differs", suggestions=suggestions or [], confidence=0.5,
                   evidence={"chrf": 41.5, "model": "opus"}, signal="roundtrip")


def test_fuser_is_registered() -> None:
    assert any(getattr(f, "__name__", "") == "_fuse_garbled" for f in FUSERS)


def test_lone_fluency_finding_is_left_alone() -> None:
    findings = [_fluency("taken on little")]
    assert fuse_garbled_passages(_doc(), findings, Config()) == findings


def test_roundtrip_agreement_raises_severity_and_confidence() -> None:
    out = fuse_garbled_passages(_doc(), [_fluency("taken on little"), _roundtrip("little truck bombs")],
                                Config())
    assert len(out) == 1
    f = out[0]
    assert f.rule == RULE_ID
    assert (f.start, f.end) == (_span("taken on little")[0], _span("little truck bombs")[1])
    assert f.severity is Severity.MAJOR
    assert f.confidence == pytest.approx(1 - 0.4 * 0.5)
    assert f.evidence["signals"] == ["fluency", "roundtrip"]
    assert f.evidence["fluency.model"] == "ngram-x"
    assert f.evidence["roundtrip.chrf"] == 41.5 and f.evidence["roundtrip.model"] == "opus"
    assert f.evidence["roundtrip.pivot"] == "fr" and "roundtrip.text" not in f.evidence
    assert f.evidence["roundtrip.rules"] == ["roundtrip.divergence"]
    assert "round trip" in f.message


def test_roundtrip_finding_with_a_fix_is_kept() -> None:
    rt = _roundtrip("little truck bombs", [Suggestion("small truck bombs", source="roundtrip")])
    out = fuse_garbled_passages(_doc(), [_fluency("taken on little"), rt], Config())
    assert rt in out
    fused = [f for f in out if f.rule == RULE_ID]
    assert len(fused) == 1 and fused[0].evidence["signals"] == ["fluency", "roundtrip"]
    assert (fused[0].start, fused[0].end) == _span("taken on little")


def test_rules_agree_but_typography_does_not() -> None:
    typo = Finding("typography.space-before-punctuation", Category.LOCALE_CONVENTION, Severity.MINOR,
                   *_span("little"), "space", signal="rules")
    calque = Finding("calque.take-on", Category.FLUENCY, Severity.MINOR, *_span("taken on"), "calque",
                     confidence=0.7, signal="rules")
    assert fuse_garbled_passages(_doc(), [_fluency("taken on little"), typo], Config())[0].rule == RULE_ID
    out = fuse_garbled_passages(_doc(), [_fluency("taken on little"), typo, calque], Config())
    assert typo in out and calque in out  # rule findings are never removed
    fused = next(f for f in out if f.rule == RULE_ID)
    assert fused.evidence["rules"] == ["calque.take-on"]
    assert fused.evidence["signals"] == ["fluency", "rules"]


def test_three_signals_and_low_similarity_reach_critical() -> None:
    calque = Finding("calque.take-on", Category.FLUENCY, Severity.MINOR, *_span("taken on"), "calque",
                     signal="rules")
    out = fuse_garbled_passages(_doc(similarity=0.41),
                                [_fluency("taken on little"), _roundtrip("little truck"), calque], Config())
    fused = next(f for f in out if f.rule == RULE_ID)
    assert fused.evidence["signals"] == ["fluency", "roundtrip", "rules", "similarity"]
    assert fused.evidence["similarity.cosine"] == 0.41
    assert fused.severity is Severity.CRITICAL
    assert "similarity 0.41" in fused.message


def test_high_similarity_is_not_agreement() -> None:
    findings = [_fluency("taken on little")]
    assert fuse_garbled_passages(_doc(similarity=0.93), findings, Config()) == findings


def test_overlapping_fluency_spans_merge() -> None:
    pair = [_fluency("taken on little", 0.5), _fluency("little truck bombs", 0.7)]
    out = fuse_garbled_passages(_doc(), pair, Config())
    assert len(out) == 1
    assert (out[0].start, out[0].end) == (_span("taken on")[0], _span("truck bombs")[1])
    assert out[0].evidence["fluency.spans"] == [list(_span("taken on little")),
                                                list(_span("little truck bombs"))]
    assert out[0].severity is Severity.MINOR


def test_findings_elsewhere_are_untouched() -> None:
    other = _roundtrip("coalition meets")
    findings = [_fluency("taken on little"), other]
    assert fuse_garbled_passages(_doc(), findings, Config()) == findings


def test_rule_with_a_fix_absorbs_the_fluency_finding() -> None:
    fix = Finding("grammar.repeated-word", Category.FLUENCY, Severity.MINOR, *_span(" little"), "repeated",
                  suggestions=[Suggestion("")], confidence=0.6, signal="rules")
    out = fuse_garbled_passages(_doc(), [_fluency("taken on little", 0.5), fix], Config())
    assert out == [fix]
    assert fix.evidence["signals"] == ["rules", "fluency"]
    assert fix.evidence["fluency.model"] == "ngram-x" and fix.evidence["fluency.score"] == 5.5
    assert fix.confidence == pytest.approx(1 - 0.4 * 0.5)


def test_sentence_level_roundtrip_finding_agrees_but_stays() -> None:
    seg0 = _doc().segments[0]
    whole = Finding("roundtrip.low-similarity", Category.ACCURACY, Severity.MAJOR, seg0.start, seg0.end,
                    "meaning drifted", confidence=0.6, evidence={"chrf": 20.0}, signal="roundtrip")
    out = fuse_garbled_passages(_doc(), [_fluency("taken on little"), whole], Config())
    assert whole in out
    fused = next(f for f in out if f.rule == RULE_ID)
    assert (fused.start, fused.end) == _span("taken on little")
    assert fused.evidence["signals"] == ["fluency", "roundtrip"]
    assert fused.severity is Severity.MAJOR
