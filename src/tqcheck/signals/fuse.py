"""Fusion: one garbled-passage finding where several signals point at the same words.

Runs after every signal (it is in ``FUSERS``). A ``fluency.garbled-passage`` finding that overlaps
round-trip divergence findings (rule ids ``roundtrip.*``), linguistic rule findings, or sits in a
sentence whose round trip drifted in meaning (low ``similarity`` cosine) becomes one finding:

- span: the union of the overlapping fluency spans and of the round-trip spans it absorbs (local
  round-trip findings without suggestions are absorbed; those with suggestions, and sentence-level
  ones, stay and count as agreement);
- severity: one level up per agreeing signal beyond the first (capped in ``fluency.toml``);
- confidence: ``1 - prod(1 - c_i)`` over the agreeing signals (independent evidence adds up);
- evidence: every signal's numbers (dotted keys: ``fluency.*``, ``roundtrip.*``, ``similarity.*``),
  the rule ids that agreed, the models that scored it, and ``signals``: which signals agreed.

Rule findings are never removed (their fixes are exact); when a corroborating rule finding carries
a fix, the fluency finding is folded into it instead (its ``fluency.*`` numbers join the rule's
evidence, its confidence rises), so the same words are not charged twice. Typography rules do not
count as agreement, since spacing says nothing about whether words make sense.
"""

from __future__ import annotations

import math
from typing import Any

from tqcheck.config import Config
from tqcheck.document import Document
from tqcheck.findings import Category, Finding, Severity
from tqcheck.signals.fluency import RULE_ID, params

_ORDER = [Severity.MINOR, Severity.MAJOR, Severity.CRITICAL]
#: Rule families that judge form, not sense: they do not corroborate a garbled passage.
NON_CORROBORATING = ("typography.",)
#: Confidence a low round-trip similarity adds (it locates nothing, so it counts moderately).
SIMILARITY_CONFIDENCE = 0.5
#: A round-trip finding covering at least this share of its sentence is about the whole sentence.
SENTENCE_LEVEL = 0.8


def _overlaps(a: Finding, start: int, end: int) -> bool:
    return a.start < end and start < a.end


def _numbers(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in values.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, str)) or k == "text" or k.endswith("_text"):
            continue
        out[k if k.startswith(prefix + ".") else f"{prefix}.{k}"] = v
    return out


def _sentence_level(doc: Document, f: Finding) -> bool:
    seg = doc.segment_at(f.start)
    return seg is not None and (f.end - f.start) >= SENTENCE_LEVEL * max(1, seg.end - seg.start)


def fuse_garbled_passages(doc: Document, findings: list[Finding], config: Config) -> list[Finding]:
    fluency = sorted((f for f in findings if f.rule == RULE_ID), key=Finding.sort_key)
    if not fluency:
        return findings
    p = params()
    roundtrip = [f for f in findings if f.rule.startswith("roundtrip.")]
    rules = [f for f in findings if f.signal == "rules" and f.category is not Category.NON_CONTENT
             and not f.rule.startswith(NON_CORROBORATING)]
    # 1. Overlapping fluency spans become one group.
    groups: list[list[Finding]] = []
    for f in fluency:
        if groups and f.start < max(g.end for g in groups[-1]):
            groups[-1].append(f)
        else:
            groups.append([f])
    consumed: set[int] = set()
    fused: list[Finding] = []
    for group in groups:
        start, end = min(f.start for f in group), max(f.end for f in group)
        rts = [f for f in roundtrip if _overlaps(f, start, end)]
        ks = [f for f in rules if _overlaps(f, start, end)]
        seg = doc.segment_at(start)
        sim = (seg.signals.get("similarity") or {}) if seg is not None else {}
        cosine = sim.get("cosine")
        low_sim = isinstance(cosine, (int, float)) and cosine < p["similarity_agree_below"]
        if len(group) == 1 and not rts and not ks and not low_sim:
            continue
        for f in group:
            consumed.add(id(f))
        fixes = [k for k in ks if k.suggestions]
        if fixes:
            # A rule already names this problem and has an exact fix ("in in" -> "in"): one finding,
            # the rule's, corroborated by the LM; a second finding would charge the same words twice.
            best = max(group, key=lambda f: f.confidence)
            for k in fixes:
                k.evidence.update({key: v for key, v in best.evidence.items() if key.startswith("fluency.")})
                k.evidence["signals"] = [k.signal, "fluency"]
                k.confidence = round(min(0.99, 1 - (1 - k.confidence) * (1 - best.confidence)), 2)
            continue
        best = max(group, key=lambda f: (f.severity.rank, f.confidence))
        evidence: dict[str, Any] = dict(best.evidence)
        signals = ["fluency"]
        confidences = [max(f.confidence for f in group)]
        severity = max((f.severity for f in group), key=lambda s: s.rank)
        notes = []
        if rts:
            signals.append("roundtrip")
            confidences.append(max(f.confidence for f in rts))
            evidence["roundtrip.rules"] = sorted({f.rule for f in rts})
            for f in rts:
                evidence.update(_numbers("roundtrip", f.evidence))
            if seg is not None:
                evidence.update(_numbers("roundtrip", seg.signals.get("roundtrip") or {}))
            for f in rts:
                # A local divergence without a fix is the same problem seen twice: absorbed. One
                # that spans (nearly) the whole sentence is a sentence-level verdict: it agrees, and
                # stays.
                if not f.suggestions and not _sentence_level(doc, f):
                    consumed.add(id(f))
                    start, end = min(start, f.start), max(end, f.end)
                    severity = max(severity, f.severity, key=lambda s: s.rank)
            notes.append("the round trip diverges here")
        if ks:
            signals.append("rules")
            confidences.append(max(f.confidence for f in ks))
            evidence["rules"] = sorted({f.rule for f in ks})
            notes.append("rule " + ", ".join(sorted({f.rule for f in ks})))
        if low_sim:
            signals.append("similarity")
            confidences.append(SIMILARITY_CONFIDENCE)
            evidence.update(_numbers("similarity", sim))
            notes.append(f"round-trip meaning similarity {cosine:.2f}")
        cap = _ORDER.index(Severity(p["max_fused_severity"]))
        level = _ORDER.index(severity)
        severity = _ORDER[max(level, min(cap, level + len(signals) - 1))]
        evidence["signals"] = signals
        if len(group) > 1:
            evidence["fluency.spans"] = [[f.start, f.end] for f in group]
        message = best.message
        if notes:
            message += "; agreed by " + "; ".join(notes)
        fused.append(Finding(
            rule=RULE_ID, category=Category.FLUENCY, severity=severity, start=start, end=end,
            message=message, suggestions=[], evidence=evidence, signal="fluency",
            confidence=round(min(0.99, 1 - math.prod(1 - c for c in confidences)), 2),
        ))
    if not fused and not consumed:
        return findings
    return [f for f in findings if id(f) not in consumed] + fused


__all__ = ["fuse_garbled_passages"]
