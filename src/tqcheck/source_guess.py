"""Guess the language a text was translated from, and say why.

Evidence, strongest first:

1. the source text itself, when the document carries one (bilingual formats): lingua reads it;
2. interference cues in the translation (``data/source_cues.toml``): French spacing before
   ``? ! : ;`` and « guillemets », German „quotes“ and 1.234,56, Spanish ¿ ¡ ...;
3. false friends and calques: how many entries of each ``SRC-TGT`` lexicon fire;
4. words and sentences left in another language (wordfreq; lingua per sentence);
5. optionally, when translation models are local: which pivot language round-trips best.

Each piece adds points to candidate languages; the best wins when it has enough points and
clearly beats the runner-up, else the source stays unknown. Every cue is kept with its count
and an example, so the report can say *why* (``SourceGuess.as_dict``).
"""

from __future__ import annotations

import contextlib
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from tqcheck.document import Document
from tqcheck.language import NAMES, name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Languages a source guess may name (those with lexicons, models or cues).
CANDIDATES = ("en", "fr", "de", "es", "it", "pt", "nl")
#: A guess needs at least this many points ...
MIN_POINTS = 2.0
#: ... and this many times the runner-up's points.
MIN_MARGIN = 1.5
#: Points per false-friend/calque hit (times the entry's confidence), at most LEXICON_CAP hits.
LEXICON_WEIGHT = 1.0
LEXICON_CAP = 8
#: Points per word left untranslated (common in the candidate, absent from the target).
WORD_WEIGHT = 0.4
WORD_CAP = 8
#: Points per sentence lingua is sure is in the candidate language.
SENTENCE_WEIGHT = 1.5
SENTENCE_CAP = 4
#: Points for the source text itself being in a language (decisive).
SOURCE_TEXT_WEIGHT = 20.0
#: Points for the pivot that round-trips best, scaled by its lead in chrF (full at 5 points).
ROUNDTRIP_WEIGHT = 2.0
ROUNDTRIP_FULL_LEAD = 5.0
ROUNDTRIP_SEGMENTS = 12


@dataclass(frozen=True)
class CueDef:
    id: str
    sources: tuple[str, ...]
    not_targets: tuple[str, ...]
    weight: float
    cap: int
    regex: re.Pattern[str]
    what: str


@dataclass
class Cue:
    """One kind of evidence found in the document."""

    id: str
    sources: tuple[str, ...]
    count: int
    points: float
    what: str
    example: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "sources": list(self.sources), "count": self.count,
                "points": round(self.points, 2), "what": self.what, "example": self.example}


@dataclass
class SourceGuess:
    language: str | None
    confidence: float
    points: dict[str, float] = field(default_factory=dict)
    cues: list[Cue] = field(default_factory=list)
    roundtrip: dict[str, float] = field(default_factory=dict)
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "confidence": round(self.confidence, 3),
            "points": {k: round(v, 2) for k, v in sorted(self.points.items(), key=lambda kv: -kv[1]) if v},
            "cues": [c.as_dict() for c in self.cues],
            "roundtrip_chrf": {k: round(v, 2) for k, v in self.roundtrip.items()},
            "reason": self.reason,
        }


@lru_cache(maxsize=1)
def load_cues() -> tuple[CueDef, ...]:
    text = (resources.files("tqcheck") / "data" / "source_cues.toml").read_text("utf-8")
    out = []
    for rec in tomllib.loads(text).get("cue", []):
        out.append(CueDef(rec["id"], tuple(rec["sources"]), tuple(rec.get("not_targets", [])),
                          float(rec["weight"]), int(rec.get("cap", 5)), re.compile(rec["pattern"]), rec["what"]))
    return tuple(out)


def _snippet(text: str, start: int, end: int, width: int = 30) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    return ("…" if a else "") + " ".join(text[a:b].split()) + ("…" if b < len(text) else "")


def _content(doc: Document) -> str:
    if not doc.segments:
        return doc.check_text
    return "\n".join(s.text for s in doc.segments if not s.non_content)


def typography_cues(text: str, target: str) -> list[Cue]:
    cues = []
    for cue in load_cues():
        if target in cue.not_targets:
            continue
        matches = list(cue.regex.finditer(text))
        if not matches:
            continue
        points = cue.weight * min(len(matches), cue.cap)
        m = matches[0]
        cues.append(Cue(cue.id, cue.sources, len(matches), points, cue.what, _snippet(text, m.start(), m.end())))
    return cues


def lexicon_cues(doc: Document, target: str) -> list[Cue]:
    """False friends and calques per source lexicon, each lexicon run as if it were the source."""
    from tqcheck.rules.engine import load_rules

    try:
        from tqcheck.rules.engine import Context
    except ImportError:  # an older engine without per-call context
        return []
    by_source: dict[str, list[tuple[float, str, str]]] = {}
    rules = [r for r in load_rules() if r.kind == "lexicon" and target in r.languages
             and "*" not in r.sources]
    segs = [s for s in doc.segments if not s.non_content]
    for rule in rules:
        src = rule.sources[0]
        ctx = Context(target, src)
        for seg in segs:
            for m in rule.find(seg.text, ctx):
                conf = m.confidence if getattr(m, "confidence", None) is not None else rule.confidence
                by_source.setdefault(src, []).append((conf, rule.id, _snippet(seg.text, m.start, m.end)))
    cues = []
    for src, hits in by_source.items():
        hits.sort(key=lambda h: -h[0])
        points = LEXICON_WEIGHT * sum(c for c, _, _ in hits[:LEXICON_CAP])
        ids = sorted({rid.rsplit(".", 1)[-1] for _, rid, _ in hits})
        what = f"{name(src)}-{name(target)} false friends/calques ({', '.join(ids[:5])}{'…' if len(ids) > 5 else ''})"
        cues.append(Cue(f"lexicon.{src}-{target}", (src,), len(hits), points, what, hits[0][2]))
    return cues


@lru_cache(maxsize=16)
def _frequencies(lang: str, wordlist: str = "small") -> dict[str, float]:
    """wordfreq's table: ``small`` (~30k words) says what is common in a candidate, ``best`` (the
    large list) what exists at all in the target."""
    try:
        from wordfreq import get_frequency_dict

        # Positional: the cache entry wordfreq's own look-ups share (see rules.kinds._frequencies).
        return get_frequency_dict(lang, wordlist)
    except (LookupError, ValueError, OSError):
        return {}


#: Zipf 3.5 = 3.16 per million words: a word every speaker knows.
_COMMON = 10 ** (3.5 - 9)
#: Zipf 1.5 in the target's large list: practically unknown there (the large lists hold web noise,
#: so "unknown" cannot mean "absent").
_RARE = 10 ** (1.5 - 9)


def untranslated_word_cues(text: str, target: str, candidates: Sequence[str]) -> list[Cue]:
    """Lower-case words of 5+ letters that are common in a candidate language (Zipf >= 3.5) and
    practically unknown in the target (Zipf < 1.5); names are capitalised and skipped."""
    target_freq = _frequencies(target, "best")
    if not target_freq:
        return []
    words = list(dict.fromkeys(re.findall(r"(?<![\w'’-])[a-zà-ÿœß]{5,}(?![\w'’-])", text)))[:5000]
    found: dict[str, list[str]] = {}
    for w in words:
        if target_freq.get(w, 0.0) >= _RARE:
            continue
        langs = [c for c in candidates if _frequencies(c).get(w, 0.0) >= _COMMON]
        for c in langs:
            found.setdefault(c, []).append(w)
    cues = []
    for c, ws in found.items():
        points = WORD_WEIGHT * min(len(ws), WORD_CAP)
        cues.append(Cue(f"untranslated-words.{c}", (c,), len(ws), points,
                        f"{name(c)} words left in the text", ", ".join(ws[:6])))
    return cues


def untranslated_sentence_cues(doc: Document, target: str, candidates: Sequence[str]) -> list[Cue]:
    from tqcheck.language import segment_language

    found: dict[str, list[str]] = {}
    for seg in doc.segments:
        if seg.non_content or len(seg.text) > 2000:
            continue
        lang = segment_language(seg.text)
        if lang and lang != target and lang in candidates and _mostly_foreign(seg.text, target, lang):
            found.setdefault(lang, []).append(seg.text.strip())
    return [Cue(f"untranslated-sentences.{c}", (c,), len(ss), SENTENCE_WEIGHT * min(len(ss), SENTENCE_CAP),
                f"sentences in {name(c)}", _snippet(ss[0], 0, 0, 60)) for c, ss in found.items()]


def _mostly_foreign(text: str, target: str, lang: str) -> bool:
    """At least half the words are more common in ``lang`` than in the target (lingua alone
    misreads short sentences full of names, e.g. an English sentence about Greenland as Dutch)."""
    home, there = _frequencies(target, "best"), _frequencies(lang, "best")
    words = [w.lower() for w in re.findall(r"[^\W\d_]{2,}", text)]
    if not home or not there or not words:
        return True
    return sum(there.get(w, 0.0) > home.get(w, 0.0) for w in words) >= len(words) / 2


def source_text_cue(doc: Document) -> list[Cue]:
    """A bilingual document carries its source: its language settles the question."""
    from tqcheck.language import detect

    sources = [s.source for s in doc.segments if s.source]
    text = "\n".join(sources) if sources else (doc.source_text or "")
    if not text.strip():
        return []
    det = detect(text)
    if det.language is None:
        return []
    return [Cue("source-text", (det.language,), 1, SOURCE_TEXT_WEIGHT * det.confidence,
                f"the document's source text is {name(det.language)} ({det.reason})")]


Translate = Callable[[str, str, list[str]], list[str]]


def roundtrip_cue(doc: Document, target: str, candidates: Sequence[str], translate: Translate,
                  scores: dict[str, float]) -> list[Cue]:
    """Round-trip a sample of sentences through each candidate pivot (``translate(src, tgt,
    texts)``; it raises for a pair without a local model) and reward the best-scoring pivot."""
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    sample = [s.text.strip() for s in doc.segments if not s.non_content and len(s.text.split()) >= 4]
    sample = sample[:ROUNDTRIP_SEGMENTS]
    if not sample:
        return []
    for pivot in candidates:
        if pivot == target:
            continue
        try:
            there = translate(target, pivot, sample)
            back = translate(pivot, target, there)
        except Exception:
            continue
        scores[pivot] = sum(chrf.sentence_score(b, [a]).score for a, b in zip(sample, back, strict=False)) / len(sample)
    if len(scores) < 2:
        return []
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    lead = top - second
    if lead <= 0:
        return []
    points = ROUNDTRIP_WEIGHT * min(1.0, lead / ROUNDTRIP_FULL_LEAD)
    return [Cue("roundtrip", (best,), len(sample), points,
                f"round trip through {name(best)} scores best (chrF {top:.1f} vs {second:.1f})")]


def guess_source(doc: Document, target: str, *, candidates: Sequence[str] = CANDIDATES,
                 translate: Translate | None = None) -> SourceGuess:
    """Guess the source language of ``doc`` (a segmented document in ``target``)."""
    candidates = [c for c in candidates if c != target]
    text = _content(doc)
    cues: list[Cue] = []
    cues += source_text_cue(doc)
    cues += typography_cues(text, target)
    cues += lexicon_cues(doc, target)
    cues += untranslated_word_cues(text, target, candidates)
    cues += untranslated_sentence_cues(doc, target, candidates)
    points = _tally(cues, candidates)
    roundtrip: dict[str, float] = {}
    if translate is not None and not _decisive(points):
        # Models only when the cheap evidence does not settle it: the leaders, or every candidate.
        leaders = [c for c, p in sorted(points.items(), key=lambda kv: -kv[1]) if p > 0][:3] or candidates
        cues += roundtrip_cue(doc, target, leaders, translate, roundtrip)
        points = _tally(cues, candidates)
    cues = [c for c in cues if any(s in candidates for s in c.sources)]
    cues.sort(key=lambda c: -c.points)
    return _decide(points, cues, roundtrip)


def _tally(cues: list[Cue], candidates: Sequence[str]) -> dict[str, float]:
    points = dict.fromkeys(candidates, 0.0)
    for cue in cues:
        srcs = [s for s in cue.sources if s in points]
        for s in srcs:
            points[s] += cue.points / len(srcs)
    return points


def _ranked(points: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(points.items(), key=lambda kv: (-kv[1], kv[0]))


def _decisive(points: dict[str, float]) -> bool:
    ranked = _ranked(points)
    if not ranked:
        return False
    top = ranked[0][1]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return top >= MIN_POINTS and top >= MIN_MARGIN * second


def _decide(points: dict[str, float], cues: list[Cue], roundtrip: dict[str, float]) -> SourceGuess:
    ranked = _ranked(points)
    top_lang, top = ranked[0] if ranked else (None, 0.0)
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    # Confidence: the leader's share of the evidence, damped while there is little of it.
    confidence = (top / (top + second)) * (1 - math.exp(-top / MIN_POINTS)) if top else 0.0
    listed = "; ".join(f"{c.what} ×{c.count}" for c in cues[:4])
    if top == 0:
        return SourceGuess(None, 0.0, points, cues, roundtrip, "no interference cues found")
    if not _decisive(points):
        why = (f"too little evidence ({top:.1f} points, need {MIN_POINTS})" if top < MIN_POINTS else
               f"{name(top_lang)} ({top:.1f}) does not clearly beat {name(ranked[1][0])} ({second:.1f})")
        return SourceGuess(None, confidence, points, cues, roundtrip, f"undecided: {why}; cues: {listed}")
    return SourceGuess(top_lang, confidence, points, cues, roundtrip,
                       f"{name(top_lang)} ({top:.1f} points vs {second:.1f}): {listed}")


__all__ = ["CANDIDATES", "NAMES", "Cue", "SourceGuess", "guess_source", "load_cues"]


def choose_target(doc: Document, lang: str) -> dict[str, Any]:
    """Set ``doc.language`` from the configured ``lang`` (a code or ``auto``) and return what
    was decided and why, for the report. An explicit language is kept even when the text looks
    like another one; the mismatch is reported as a warning."""
    from tqcheck.language import detect, normalize_code

    with contextlib.suppress(ValueError):  # callers that bypass config validation may pass "en-GB"
        lang = normalize_code(lang)
    det = detect(doc.check_text)
    info: dict[str, Any] = {}
    if lang == "auto":
        doc.language = det.language or "en"
        info["target"] = doc.language
        info["target_set_by"] = "detected" if det.language else "default (detection unsure)"
        info["target_detection"] = det.as_dict()
    else:
        doc.language = lang
        info["target"] = lang
        info["target_set_by"] = "configuration"
        if det.language and det.language != lang and det.confidence >= 0.9:
            info["warning"] = (f"the text looks {name(det.language)} (confidence {det.confidence:.2f}) "
                               f"but is checked as {name(lang)}; pass --lang {det.language} or --lang auto")
            info["target_detection"] = det.as_dict()
    return info


def choose_source(doc: Document, source_lang: str | None, info: dict[str, Any],
                  translate: Translate | None = None) -> None:
    """Set ``doc.source_language`` from the configuration (a code, ``auto`` or None) unless the
    document already knows it (a bilingual reader), and record the decision in ``info``."""
    from tqcheck.language import normalize_code

    if source_lang not in (None, "auto"):
        with contextlib.suppress(ValueError):
            source_lang = normalize_code(source_lang)
    if doc.source_language is not None and doc.source_language != "auto":
        info["source"] = doc.source_language
        info["source_set_by"] = "document"
    elif source_lang == "auto":
        guess = guess_source(doc, doc.language, translate=translate)
        doc.source_language = guess.language
        info["source"] = guess.language
        info["source_set_by"] = "guessed" if guess.language else "guess undecided"
        info["source_guess"] = guess.as_dict()
    else:
        doc.source_language = source_lang
        info["source"] = source_lang
        info["source_set_by"] = "configuration" if source_lang else "not given (pass --source-lang, or auto to guess)"
    if doc.source_language == doc.language:
        # Kept (the round trip explains why it has no pivot), but flagged for the reader.
        info["warning"] = (f"the source language is the text's own language ({doc.source_language}); "
                           "pass the language it was translated from")


def summary(info: dict[str, Any]) -> str:
    """One line for the text report: ``language: en (detected 0.98); source: fr (guessed: ...)``."""
    target = info.get("target")
    line = f"language: {target} ({info.get('target_set_by', '')}"
    det = info.get("target_detection")
    if det and info.get("target_set_by") == "detected":
        line += f" {det['confidence']:.2f}"
    line += f"); source: {info.get('source') or 'unknown'} ({info.get('source_set_by', '')}"
    guess = info.get("source_guess")
    if guess:
        line += f": {guess['reason']}"
    line += ")"
    if info.get("warning"):
        line += f"; warning: {info['warning']}"
    return line
