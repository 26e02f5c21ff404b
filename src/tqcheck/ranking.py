"""Rank suggested fixes: gather candidates per finding, keep the few that read better and mean the same.

Runs once per check, after every signal and fuser, over all documents at once (it is listed in
``tqcheck.signals.FINISHERS``, a post-processing stage that, unlike a fuser, gets the shared model hub
and sees every document so model calls are batched).

Candidates for a finding:

- the suggestions it already carries: exact rule replacements (typography; safe), lexicon alternatives
  for false friends and calques (unsafe), round-trip wordings from the round-trip signal;
- for a finding with no safe fix and some words in its span, round-trip rewrites of its sentence: those
  the round-trip signal stored in ``segment.signals["roundtrip"]`` (1-best or n-best, every pivot), plus,
  when a translation model for a pivot is at hand, an n-best round trip of that sentence alone
  (``forward_n_best`` x ``back_n_best`` per pivot; pivots = the source language and ``pivots``). Each
  rewrite is cut down to the minimal changed region covering the span (:mod:`tqcheck.candidates`).

Measures, for the sentence with the candidate against the sentence without it:

- fluency gain = fluency(rewritten) - fluency(original), where fluency is the LM's per-token SLOR
  (log-probability normalised for length and word frequency), or the mean token log-probability when
  the scorer gives no SLOR. Every candidate gets it (the LM is the one the fluency signal uses);
- similarity = cosine similarity of the two sentences' embeddings (the meaning check; the embedding
  model for the document's language, as the similarity signal picks it), for the
  candidates the ``rank_embedder`` setting sends to the embedding model:

  - ``auto`` (default): unsafe candidates *made by a model* (round-trip rewrites, any source not in
    ``curated_sources`` of ranking.toml). Rule replacements, lexicon alternatives (false friends,
    calques) and source-comparison fixes are deliberate edits that a person wrote down as giving the
    meaning the translator intended, which is not the meaning of the words on the page: "the chef of
    the company" -> "the head of the company" *should* move the sentence away from cooks, and the
    embedder, comparing with the literal sentence, scores it 0.69 and drops it as "changes the
    meaning". On the lexicons' own examples the check dropped 84 of 734 such alternatives, nearly
    all of them the intended fix ("scrutiny" -> "ballot" 0.58, "hexagon" -> "France" 0.72), and
    reordered 18% of the findings with two or more (``benchmarks/bench_fix.py``, RESULTS.md). They
    are ranked by fluency gain alone, and the embedding model (torch: 5-10 s to load on a small
    machine) loads only when a model rewrite is to be ranked;
  - ``always``: every unsafe candidate (the behaviour before ``rank_embedder`` existed);
  - ``never``: none (fluency gain alone; the embedding model is never loaded).

  Safe suggestions never need it (they cannot change the meaning).

A candidate that is not safe is dropped when its similarity is below ``min_similarity`` (it changes the
meaning) or its gain is below ``min_gain`` (it reads worse). Score = gain + similarity_weight *
(similarity - 1); the similarity term is left out for a candidate that was not embedded (not sent to
the embedder, or no embedder could load), so a curated alternative counts as keeping the meaning and a
model rewrite pays for whatever meaning it loses. Safe suggestions are scored but never dropped. A
finding keeps its safe suggestions and its best ``keep`` others, best first, each with ``score``,
``sentence`` (the rewritten sentence) and ``evidence``: gain, similarity, pivot, and ``ranked_by``,
the measures that entered its score (``["fluency", "similarity"]``, ``["fluency"]``, or ``[]`` when
nothing could be measured).

:func:`rank_candidates` (the building block, for tests and the Python API) checks the meaning of every
unsafe candidate with the embedder it is given; pass ``embedder=None`` to rank by fluency alone.

A kept candidate may cover more than the finding's span (the changed words reach past it); the finding
is then widened to the union of its kept candidates' regions, every kept replacement is padded with the
original text to cover exactly that span, and ``evidence["span_widened_from"]`` keeps the old span.

A finding that could take a rewrite but ends with no suggestion says why in
``evidence["no_suggestion"]`` (e.g. "round trip skipped (no en-fr model)").
"""

from __future__ import annotations

import bisect
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol

from tqcheck.document import Document, Segment
from tqcheck.findings import Category, Finding, Suggestion
from tqcheck.signals.base import SignalUnavailable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    from tqcheck.config import Config
    from tqcheck.models.hub import ModelHub

NAME = "ranking"
_WORD = re.compile(r"\w")
#: Which unsafe candidates get the meaning check (sentence embeddings); see the module docstring.
EMBEDDER_MODES = ("auto", "always", "never")


class LMScorerLike(Protocol):
    def score(self, texts: Sequence[str]) -> list[Any]: ...


class EmbedderLike(Protocol):
    def similarity(self, a: Sequence[str], b: Sequence[str]) -> list[float]: ...


class TranslatorLike(Protocol):
    def translate(self, texts: Sequence[str], n_best: int = 1) -> list[list[str]]: ...


@dataclass(frozen=True)
class Thresholds:
    keep: int = 3
    min_similarity: float = 0.75
    min_gain: float = 0.0
    similarity_weight: float = 2.0
    forward_n_best: int = 2
    back_n_best: int = 4
    min_word_zipf: float = 1.0
    max_findings_per_document: int = 200

    @classmethod
    def load(cls, config: Config | None = None) -> Thresholds:
        values = dict(_data())
        overrides = getattr(config, "fix_thresholds", None) or {}
        for key, value in overrides.items():
            if key not in cls.__dataclass_fields__:
                from tqcheck.errors import ConfigError

                known = ", ".join(cls.__dataclass_fields__)
                raise ConfigError(f"fix_thresholds: unknown key '{key}'; known: {known}")
            values[key] = value
        out = {k: values[k] for k in cls.__dataclass_fields__ if k in values}
        for key in ("keep", "forward_n_best", "back_n_best", "max_findings_per_document"):
            if key in out:
                out[key] = max(1, int(out[key]))
        return cls(**out)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = resources.files("tqcheck").joinpath("data/ranking.toml").read_text("utf-8")
    return tomllib.loads(text)


def curated_sources() -> frozenset[str]:
    """Suggestion sources whose unsafe candidates ``rank_embedder = "auto"`` ranks by fluency alone."""
    return frozenset(_data().get("curated_sources", ()))


def needs_meaning_check(suggestion: Suggestion, mode: str = "auto") -> bool:
    """Whether ranking should embed this candidate's sentence to check that it keeps the meaning."""
    if suggestion.safe or mode == "never":
        return False
    return mode == "always" or suggestion.source not in curated_sources()


@dataclass(frozen=True)
class Measure:
    """How a rewritten sentence compares with the original one."""

    gain: float | None
    similarity: float | None
    before: float | None = None
    after: float | None = None


def fluency(scores: Any) -> float:
    """Per-token fluency of one scored sentence: SLOR when the scorer gives it, else mean log-prob."""
    slor = getattr(scores, "slor", None)
    if slor is not None:
        return float(slor)
    n = len(getattr(scores, "tokens", None) or ()) or 1
    return float(scores.logprob) / n


def measure(pairs: Sequence[tuple[str, str]], lm: LMScorerLike | None, embedder: EmbedderLike | None,
            need_similarity: Sequence[bool] | None = None) -> list[Measure]:
    """Fluency gain and similarity for each (original, rewritten) pair; every distinct sentence is
    scored and embedded once, in one batch. ``need_similarity`` limits the embedding work to the
    pairs whose meaning must be checked (safe fixes cannot change it)."""
    fl: dict[str, float] = {}
    if lm is not None and pairs:
        unique = list(dict.fromkeys(s for pair in pairs for s in pair))
        fl = {s: fluency(ts) for s, ts in zip(unique, lm.score(unique), strict=True)}
    sims: list[float | None] = [None] * len(pairs)
    wanted = [p for i, p in enumerate(pairs) if need_similarity is None or need_similarity[i]]
    if embedder is not None and wanted:
        by_pair = _similarities(list(dict.fromkeys(wanted)), embedder)
        sims = [by_pair.get(p) for p in pairs]
    out = []
    for (orig, new), sim in zip(pairs, sims, strict=True):
        before, after = fl.get(orig), fl.get(new)
        gain = after - before if before is not None and after is not None else None
        out.append(Measure(gain, sim, before, after))
    return out


def _similarities(pairs: list[tuple[str, str]], embedder: EmbedderLike) -> dict[tuple[str, str], float]:
    encode = getattr(embedder, "encode", None)
    if not callable(encode):
        values = embedder.similarity([a for a, _ in pairs], [b for _, b in pairs])
        return {p: float(v) for p, v in zip(pairs, values, strict=True)}
    import numpy as np

    # Many candidates share one original sentence: embed each distinct sentence once.
    unique = list(dict.fromkeys(s for pair in pairs for s in pair))
    vecs = np.asarray(encode(unique), dtype=np.float64)
    vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    row = {s: i for i, s in enumerate(unique)}
    return {(a, b): float(np.clip(vecs[row[a]] @ vecs[row[b]], -1.0, 1.0)) for a, b in pairs}


_LOWER_WORD = re.compile(r"\b[^\W\d_A-Z]*[a-z][^\W\d_]*\b")


def unknown_words(original: str, rewritten: str, lang: str, min_zipf: float) -> list[str]:
    """Lower-case words the rewrite brings in that are rarer than ``min_zipf`` (non-words)."""
    have = {w.lower() for w in re.findall(r"\w+", original)}
    fresh = [w for w in _LOWER_WORD.findall(rewritten) if w == w.lower() and w not in have]
    if not fresh:
        return []
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - a core dependency
        return []
    return [w for w in dict.fromkeys(fresh) if zipf_frequency(w, lang) < min_zipf]


def decide(suggestion: Suggestion, m: Measure, th: Thresholds) -> tuple[float | None, str | None]:
    """The candidate's score, and why it is dropped (None: kept)."""
    score: float | None = None
    if m.gain is not None:
        score = m.gain + (th.similarity_weight * (m.similarity - 1.0) if m.similarity is not None else 0.0)
    elif m.similarity is not None:
        score = th.similarity_weight * (m.similarity - 1.0)
    if suggestion.safe:
        return score, None
    if m.similarity is not None and m.similarity < th.min_similarity:
        return score, f"changes the meaning (similarity {m.similarity:.2f} < {th.min_similarity:g})"
    if m.gain is not None and m.gain < th.min_gain:
        return score, f"less fluent (gain {m.gain:+.2f})"
    return score, None


@dataclass
class Candidate:
    """A suggestion for ``text[start:end]`` of a document, and the sentence it makes."""

    suggestion: Suggestion
    start: int
    end: int
    original: str
    rewritten: str
    measure: Measure | None = None
    dropped: str | None = None
    #: Language of the sentence, for the unknown-word check (None: no check).
    lang: str | None = None


@dataclass
class _Work:
    """One finding being ranked."""

    doc: Document
    finding: Finding
    ctx_start: int
    ctx_end: int
    segments: list[Segment]
    wants_rewrite: bool
    candidates: list[Candidate] = field(default_factory=list)
    #: Why no round-trip rewrite could be had, if none could.
    rewrite_note: str | None = None
    rewrite_fix: str | None = None


def rank_candidates(original: str, candidates: Sequence[tuple[Suggestion, str]], lm: LMScorerLike | None,
                    embedder: EmbedderLike | None, th: Thresholds | None = None, lang: str | None = None
                    ) -> tuple[list[Suggestion], list[tuple[Suggestion, str]]]:
    """Rank suggestions for one sentence: (kept best first, dropped with the reason).

    ``candidates`` pairs each suggestion with the sentence it makes; ``lang`` turns on the
    unknown-word check. Used by the pipeline through
    :func:`rank_findings`; exposed for tests and the Python API.
    """
    th = th or Thresholds.load()
    measures = measure([(original, new) for _, new in candidates], lm, embedder,
                       [not s.safe for s, _ in candidates])
    cands = [Candidate(s, 0, 0, original, new, m, lang=lang)
             for (s, new), m in zip(candidates, measures, strict=True)]
    kept = _keep(cands, th)
    return [c.suggestion for c in kept], [(c.suggestion, c.dropped or "") for c in cands if c.dropped]


def _keep(cands: list[Candidate], th: Thresholds) -> list[Candidate]:
    for c in cands:
        m = c.measure or Measure(None, None)
        score, c.dropped = decide(c.suggestion, m, th)
        if c.dropped is None and not c.suggestion.safe and c.lang:
            odd = unknown_words(c.original, c.rewritten, c.lang, th.min_word_zipf)
            if odd:
                c.dropped = f"brings in an unknown word ({', '.join(odd[:3])})"
        s = c.suggestion
        s.score = None if score is None else round(score, 4)
        s.sentence = c.rewritten
        if m.gain is not None:
            s.evidence["fluency_gain"] = round(m.gain, 4)
            s.evidence["fluency_before"] = round(m.before or 0.0, 4)
            s.evidence["fluency_after"] = round(m.after or 0.0, 4)
        if m.similarity is not None:
            s.evidence["similarity"] = round(m.similarity, 4)
        s.evidence["ranked_by"] = [name for name, v in (("fluency", m.gain), ("similarity", m.similarity))
                                   if v is not None]
    alive = [c for c in cands if not c.dropped]

    def order(c: Candidate) -> tuple[int, float]:
        return (0 if c.suggestion.safe else 1, -(c.suggestion.score if c.suggestion.score is not None
                                                 else float("-inf")))

    alive.sort(key=order)  # stable: unscored candidates keep the order their source gave
    safe = [c for c in alive if c.suggestion.safe]
    return safe + [c for c in alive if not c.suggestion.safe][: th.keep]


# --------------------------------------------------------------------------------------------------
# The pipeline stage


LMFactory = Callable[[str], LMScorerLike]
EmbedFactory = Callable[[], EmbedderLike]
TranslatorFactory = Callable[[str, str], TranslatorLike]


def rank_findings(docs: Sequence[Document], findings: Sequence[list[Finding]], config: Config,
                  hub: ModelHub, *, lm_factory: LMFactory | None = None,
                  embed_factory: EmbedFactory | None = None,
                  translator_factory: TranslatorFactory | None = None) -> list[tuple[str, str]]:
    """Rank every finding's suggestions in place; returns (reason, fix) notes for the skipped list.

    The factories default to the project's model loaders (``get_lm_scorer``, ``get_embedder``,
    ``get_translator``); tests pass their own.
    """
    if not getattr(config, "rank_fixes", True):
        return []
    th = Thresholds.load(config)
    notes: list[tuple[str, str]] = []
    work = [w for doc, found in zip(docs, findings, strict=True)
            for w in _most_important(_collect(doc, found), th.max_findings_per_document)]
    if not work:
        return notes
    _round_trip_candidates(work, config, hub, th, translator_factory)
    if not any(w.candidates for w in work):
        _explain_missing(work)
        return notes
    # Models load only when something needs ranking. The meaning is checked only for the unsafe
    # candidates rank_embedder sends to the embedder (by default those a model made: a safe typography
    # fix cannot change the meaning and a lexicon alternative was written down as keeping it), so the
    # embedding model, the one slow load of a rules + n-gram check, loads only when one is there.
    mode = getattr(config, "rank_embedder", "auto")
    by_lang: dict[str, list[_Work]] = defaultdict(list)
    for w in work:
        by_lang[w.doc.language].append(w)
    for lang, items in by_lang.items():
        # The embedding model is the one for the text's language (English MiniLM says little about
        # French sentences); given a factory, the caller chose one model for every language.
        embedder, why = None, None
        if any(needs_meaning_check(c.suggestion, mode) for w in items for c in w.candidates):
            embedder, why = _load(embed_factory or _default_embedder(config, hub, lang))
            if why:
                notes.append((f"meaning of suggested fixes not checked ({why[0]})", why[1]))
        lm, why = _load(lambda lang=lang: (lm_factory or _default_lm(config, hub))(lang))
        narrow = getattr(lm, "for_sources", None)  # the n-gram's untranslated-word test, as in fluency
        if narrow is not None:
            lm = narrow(w.doc.source_language for w in items)
        if why and any(not c.suggestion.safe for w in items for c in w.candidates):
            notes.append((f"fluency of suggested fixes not measured for '{lang}' ({why[0]})", why[1]))
        cands = [c for w in items for c in w.candidates]
        with hub.use_lock:
            measures = measure([(c.original, c.rewritten) for c in cands], lm, embedder,
                               [needs_meaning_check(c.suggestion, mode) for c in cands])
        for c, m in zip(cands, measures, strict=True):
            c.measure = m
    for w in work:
        _finish(w, th)
    return notes


def _load(factory: Callable[[], Any]) -> tuple[Any, tuple[str, str] | None]:
    try:
        return factory(), None
    except SignalUnavailable as exc:
        return None, (exc.reason, exc.fix)
    except ImportError as exc:
        return None, (f"model support not installed ({exc.name or exc})", "pip install 'tqcheck[embed]'")


def _default_lm(config: Config, hub: ModelHub) -> LMFactory:
    def factory(lang: str) -> LMScorerLike:
        from tqcheck.models.lm import get_lm_scorer

        return get_lm_scorer(config, hub, lang)

    return factory


def _default_embedder(config: Config, hub: ModelHub, lang: str = "en") -> EmbedFactory:
    def factory() -> EmbedderLike:
        from tqcheck.models.embed import get_embedder

        return get_embedder(config, hub, lang)

    return factory


def _default_translator(config: Config, hub: ModelHub) -> TranslatorFactory:
    def factory(src: str, tgt: str) -> TranslatorLike:
        from tqcheck.models.translate import get_translator

        return get_translator(config, hub, src, tgt)

    return factory


def _segments_of(doc: Document, starts: list[int], f: Finding) -> list[Segment]:
    """The segments a finding's span touches (segments are ordered and do not overlap)."""
    i = max(0, bisect.bisect_right(starts, f.start) - 1)
    out = []
    while i < len(doc.segments) and doc.segments[i].start < max(f.end, f.start + 1):
        if doc.segments[i].end > f.start:
            out.append(doc.segments[i])
        i += 1
    return out


def _most_important(work: list[_Work], limit: int) -> list[_Work]:
    """Bound the model work a pathological document can cause: rank the ``limit`` most severe
    findings (earliest first among equals); the others keep their suggestions unranked."""
    if len(work) <= limit:
        return work
    chosen = sorted(work, key=lambda w: (-w.finding.severity.rank, w.finding.start))[:limit]
    keep = {id(w) for w in chosen}
    for w in work:
        if id(w) not in keep:
            w.finding.evidence["not_ranked"] = f"more than {limit} findings in the document"
    return [w for w in work if id(w) in keep]


def _collect(doc: Document, found: list[Finding]) -> list[_Work]:
    out = []
    starts = [s.start for s in doc.segments]
    for f in found:
        if f.category is Category.NON_CONTENT:
            continue
        segs = _segments_of(doc, starts, f)
        if not segs or any(s.non_content for s in segs):
            continue
        start, end = min(s.start for s in segs), max(s.end for s in segs)
        wants = not any(s.safe for s in f.suggestions) and bool(_WORD.search(doc.text[f.start : f.end]))
        if not f.suggestions and not wants:
            continue
        w = _Work(doc, f, start, end, segs, wants)
        original = doc.text[start:end]
        for s in f.suggestions:
            rewritten = original[: f.start - start] + s.replacement + original[f.end - start :]
            w.candidates.append(Candidate(s, f.start, f.end, original, rewritten, lang=doc.language))
        out.append(w)
    return out


def _stored_rewrites(w: _Work) -> list[tuple[str, str]]:
    """(pivot, rewritten sentence) from the round-trip signal's per-segment data and suggestions."""
    found: list[tuple[str, str]] = []
    if len(w.segments) == 1:
        found.extend(_walk_roundtrip(w.segments[0].signals.get("roundtrip"), None))
    for s in w.finding.suggestions:
        if s.source == "roundtrip" and s.sentence:
            found.append((str(s.evidence.get("pivot", "")), s.sentence))
    return found


_TEXT_KEYS = ("text", "alternatives", "nbest", "n_best", "texts", "candidates", "rewrites")


def _walk_roundtrip(data: Any, pivot: str | None) -> list[tuple[str, str]]:
    """Round-trip texts in whatever nesting the signal stored: a text, an n-best list, or a table
    per pivot language."""
    out: list[tuple[str, str]] = []
    if isinstance(data, str):
        out.append((pivot or "", data))
    elif isinstance(data, list):
        for item in data:
            out.extend(_walk_roundtrip(item, pivot))
    elif isinstance(data, dict):
        here = str(data.get("pivot") or pivot or "")
        for key in _TEXT_KEYS:
            if key in data:
                out.extend(_walk_roundtrip(data[key], here))
        for key in ("pivots", "by_pivot"):
            sub = data.get(key)
            if isinstance(sub, dict):
                for name, value in sub.items():
                    out.extend(_walk_roundtrip(value, str(name)))
    return out


def _pivots(doc: Document, config: Config) -> list[str]:
    pivots = [p for p in [doc.source_language, *config.pivots] if p and p != doc.language]
    return list(dict.fromkeys(pivots))


def _round_trip_candidates(work: list[_Work], config: Config, hub: ModelHub, th: Thresholds,
                           translator_factory: TranslatorFactory | None) -> None:
    from tqcheck.candidates import minimal_rewrite

    wanting = [w for w in work if w.wants_rewrite]
    if not wanting:
        return
    rewrites: dict[int, list[tuple[str, str]]] = {id(w): _stored_rewrites(w) for w in wanting}
    generate = translator_factory is not None or "roundtrip" in config.signals
    if not generate:
        for w in wanting:
            if not rewrites[id(w)]:
                w.rewrite_note = "round trip not run (it is not among the selected signals)"
                w.rewrite_fix = "add roundtrip to --signals"
    else:
        factory = translator_factory or _default_translator(config, hub)
        # Group the flagged sentences by (target language, pivot) so each model runs once.
        groups: dict[tuple[str, str], list[_Work]] = defaultdict(list)
        for w in wanting:
            pivots = _pivots(w.doc, config)
            if not pivots and not rewrites[id(w)]:
                w.rewrite_note = "round trip skipped (source language unknown)"
                w.rewrite_fix = "pass --source-lang (or set pivots in tqcheck.toml)"
            for p in pivots:
                groups[(w.doc.language, p)].append(w)
        for (lang, pivot), items in groups.items():
            forward, why = _load(lambda lang=lang, pivot=pivot: factory(lang, pivot))
            back, why_back = (None, None) if forward is None else _load(
                lambda lang=lang, pivot=pivot: factory(pivot, lang))
            missing = (f"{lang}-{pivot}", why) if forward is None else (f"{pivot}-{lang}", why_back)
            if forward is None or back is None:
                for w in items:
                    if not rewrites[id(w)]:
                        w.rewrite_note = f"round trip skipped (no {missing[0]} model)"
                        w.rewrite_fix = missing[1][1] if missing[1] else None
                continue
            texts = list(dict.fromkeys(w.doc.text[w.ctx_start : w.ctx_end] for w in items))
            with hub.use_lock:
                there = forward.translate(texts, n_best=th.forward_n_best)
                flat = [t for alts in there for t in dict.fromkeys(alts) if t.strip()]
                back_alts = back.translate(flat, n_best=th.back_n_best) if flat else []
            by_text: dict[str, list[str]] = {}
            it = iter(back_alts)
            for text, alts in zip(texts, there, strict=True):
                out: list[str] = []
                for t in dict.fromkeys(alts):
                    if t.strip():
                        out.extend(next(it))
                by_text[text] = out
            for w in items:
                rewrites[id(w)].extend((pivot, r) for r in by_text[w.doc.text[w.ctx_start : w.ctx_end]])
    for w in wanting:
        original = w.doc.text[w.ctx_start : w.ctx_end]
        seen = {(c.start, c.end, c.suggestion.replacement) for c in w.candidates}
        tried = 0
        for pivot, rewrite in rewrites[id(w)]:
            rewrite = rewrite.strip()
            if not rewrite or rewrite == original.strip():
                continue
            tried += 1
            region = minimal_rewrite(original, rewrite, w.finding.start - w.ctx_start,
                                     w.finding.end - w.ctx_start)
            if region is None:
                continue
            key = (w.ctx_start + region.start, w.ctx_start + region.end, region.replacement)
            if key in seen:
                continue
            seen.add(key)
            evidence: dict[str, Any] = {"pivot": pivot} if pivot else {}
            w.candidates.append(Candidate(
                Suggestion(region.replacement, safe=False, source="roundtrip", evidence=evidence),
                key[0], key[1], original, region.rewritten, lang=w.doc.language))
        if tried and not w.rewrite_note and not any(c.suggestion.source == "roundtrip" for c in w.candidates):
            w.rewrite_note = "the round-trip rewrites leave this span unchanged"


def _explain_missing(work: list[_Work]) -> None:
    for w in work:
        if w.wants_rewrite and not w.finding.suggestions:
            _say_none(w, [])


def _say_none(w: _Work, dropped: list[Candidate]) -> None:
    f = w.finding
    if dropped:
        reasons: dict[str, int] = defaultdict(int)
        for c in dropped:
            reasons[(c.dropped or "").split(" (")[0]] += 1
        parts = ", ".join(f"{n} {why}" for why, n in reasons.items())
        note = f"every candidate was dropped ({parts})"
    else:
        note = w.rewrite_note or "no candidate replacement (no rule, lexicon entry or round trip offers one)"
    f.evidence["no_suggestion"] = note
    if w.rewrite_fix and not dropped:
        f.evidence["no_suggestion_fix"] = w.rewrite_fix


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _finish(w: _Work, th: Thresholds) -> None:
    f = w.finding
    kept = _keep(w.candidates, th)
    dropped = [c for c in w.candidates if c.dropped]
    if dropped:
        f.evidence["dropped_suggestions"] = [
            {"replacement": _short(c.suggestion.replacement), "source": c.suggestion.source, "why": c.dropped}
            for c in sorted(dropped, key=lambda c: -(c.suggestion.score or float("-inf")))[:3]
        ]
    if not kept:
        f.suggestions = []
        if w.wants_rewrite:
            _say_none(w, dropped)
        return
    start, end = min([f.start, *(c.start for c in kept)]), max([f.end, *(c.end for c in kept)])
    if (start, end) != (f.start, f.end):
        f.evidence["span_widened_from"] = [f.start, f.end]
        f.start, f.end = start, end
    text = w.doc.text
    for c in kept:
        s = c.suggestion
        s.replacement = text[start : c.start] + s.replacement + text[c.end : end]
    f.suggestions = [c.suggestion for c in kept]
    if w.wants_rewrite and w.rewrite_note and not any(c.suggestion.source == "roundtrip" for c in kept):
        f.evidence["no_roundtrip_suggestion"] = w.rewrite_note


__all__ = ["EMBEDDER_MODES", "Measure", "Thresholds", "curated_sources", "decide", "fluency", "measure",
           "needs_meaning_check", "rank_candidates", "rank_findings"]
