"""Fluency: where a language model finds the text improbable.

Every content segment is scored by a language model (a local neural LM when configured or cached,
else the embedded English n-gram model; see :mod:`tqcheck.models.lm`). Per segment the signal
reports log-probability, perplexity, SLOR (to compare different sentences) and SLOR's total before
the per-token division (``slor_total``, to compare versions of one sentence). Per token it takes the
*excess surprisal* (how much more surprising the token is in context than its own word frequency
explains, so rare names are not blamed), turns it into robust z-scores against the document (median
and MAD; short documents lean on priors measured on fluent English), finds runs of abnormally
surprising tokens, widens them to the words that form the model's context and to word boundaries,
and reports each run that is strong enough as a ``fluency.garbled-passage`` finding. A run in a
sentence whose overall SLOR is low for the document counts more. Thresholds live in
``signals/data/fluency.toml``.
"""

from __future__ import annotations

import itertools
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tqcheck.document import Document, Segment
from tqcheck.findings import Category, Finding, Severity
from tqcheck.signals.base import Signal, SignalOutput, SignalUnavailable

if TYPE_CHECKING:
    from tqcheck.models.lm import LMScorer, TokenScores

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

RULE_ID = "fluency.garbled-passage"
#: MAD -> sigma for a normal distribution.
MAD_SCALE = 1.4826


@lru_cache(maxsize=1)
def params() -> dict[str, Any]:
    from importlib.resources import files

    return tomllib.loads(files("tqcheck.signals").joinpath("data/fluency.toml").read_text("utf-8"))


def robust_stats(values: Sequence[float], prior_median: float, prior_sigma: float, min_n: int,
                 min_sigma: float) -> tuple[float, float]:
    """Median and robust sigma (1.4826 x MAD), blended with priors when there are few values."""
    if not values:
        return prior_median, max(prior_sigma, min_sigma)
    med = statistics.median(values)
    sigma = MAD_SCALE * statistics.median(abs(v - med) for v in values)
    w = min(1.0, len(values) / max(1, min_n))
    med = w * med + (1 - w) * prior_median
    sigma = w * sigma + (1 - w) * prior_sigma
    return med, max(sigma, min_sigma)


def find_runs(z: Sequence[float], floor: float) -> list[tuple[int, int, float]]:
    """Disjoint runs of tokens with high z-scores: ``(first, last, score)`` (inclusive indices).

    A running sum of ``z - floor`` grows while tokens are surprising and restarts when it would drop
    to zero or below (Kadane); each run is cut at the point where its sum peaked, so trailing
    ordinary tokens are not included. Runs are returned in text order.
    """
    runs: list[tuple[int, int, float]] = []
    cur, start, best, best_end = 0.0, 0, 0.0, -1
    for i, zi in enumerate(z):
        v = zi - floor
        if cur + v > 0:
            if cur == 0:
                start, best, best_end = i, 0.0, -1
            cur += v
            if cur > best:
                best, best_end = cur, i
        else:
            if best_end >= 0:
                runs.append((start, best_end, best))
            cur, best, best_end = 0.0, 0.0, -1
    if best_end >= 0:
        runs.append((start, best_end, best))
    return runs


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c in "'’-_"


def word_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words, then trim punctuation and spaces at both ends."""
    while start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
        start -= 1
    while end < len(text) and end > 0 and _is_word_char(text[end]) and _is_word_char(text[end - 1]):
        end += 1
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


@dataclass
class Candidate:
    first: int
    last: int
    run: float
    score: float
    peak_z: float
    peak_excess: float


class FluencySignal(Signal):
    name = "fluency"
    description = ("Language-model fluency: perplexity and SLOR per segment; improbable runs of words "
                   "become garbled-passage findings (neural LM or the embedded English n-gram model).")

    def prepare(self) -> None:
        self.p = params()
        self._scorers: dict[str, LMScorer] = {}
        self._notes: dict[str, list[tuple[str, str]]] = {}
        if self.config.lang != "auto":
            self.scorer_for(self.config.lang)

    def scorer_for(self, lang: str) -> LMScorer:
        from tqcheck.models.lm import get_lm_scorer

        if lang not in self._scorers:
            notes: list[tuple[str, str]] = []
            self._scorers[lang] = get_lm_scorer(self.config, self.hub, lang, notes)
            self._notes[lang] = notes
        return self._scorers[lang]

    def run(self, docs: Sequence[Document]) -> list[SignalOutput]:
        outs = [SignalOutput() for _ in docs]
        by_lang: dict[str, list[int]] = {}
        for i, doc in enumerate(docs):
            by_lang.setdefault((doc.language or "en").split("-")[0].lower(), []).append(i)
        for lang, indices in by_lang.items():
            try:
                scorer = self.scorer_for(lang)
            except SignalUnavailable as exc:
                for i in indices:
                    outs[i].skipped.append((exc.reason, exc.fix))
                continue
            # One scoring call for all segments of all documents in this language (batching).
            items = [(i, seg) for i in indices for seg in docs[i].segments if _scorable(seg)]
            narrow = getattr(scorer, "for_sources", None)  # the n-gram's untranslated-word test
            if narrow is not None:
                scorer = narrow(docs[i].source_language for i in indices)
            with self.hub.use_lock:
                scores = scorer.score([seg.text for _, seg in items])
            per_doc: dict[int, list[tuple[Segment, TokenScores]]] = {i: [] for i in indices}
            for (i, seg), ts in zip(items, scores, strict=True):
                per_doc[i].append((seg, ts))
            for i in indices:
                outs[i].skipped.extend(self._notes.get(lang, []))
                self.analyse(docs[i], per_doc[i], scorer, outs[i])
        return outs

    def analyse(self, doc: Document, scored: list[tuple[Segment, TokenScores]], scorer: LMScorer,
                out: SignalOutput) -> None:
        p = self.p
        classes = p["ngram_classes"] if scorer.backend == "ngram" else {}
        fallback = (p["prior_token_median"], p["prior_token_sigma"])
        excess = {seg.index: ts.excess() for seg, ts in scored}
        # Standardise each token against fluent text of its word-frequency class, then against the
        # document (median shift and MAD scale of those standard scores), so "relative to the
        # document" still holds while frequent words, whose context effects vary less, are judged
        # on their own tighter scale.
        standard = {
            seg.index: [(x - classes.get(c, fallback)[0]) / classes.get(c, fallback)[1]
                        for x, c in zip(excess[seg.index], token_classes(ts), strict=True)]
            for seg, ts in scored
        }
        values = [v for seg, ts in scored
                  for v, n in zip(standard[seg.index], ts.neutral, strict=True) if not n]
        med, sigma = robust_stats(values, 0.0, p["prior_token_scale"], p["min_tokens_for_stats"],
                                  p["min_token_scale"])
        eligible = [ts.slor for _, ts in scored if _judged(ts) >= p["min_segment_tokens"]]
        smed, ssigma = robust_stats(eligible, p["prior_slor_median"], p["prior_slor_sigma"],
                                    p["min_tokens_for_stats"] // 10, p["min_slor_sigma"])
        context = p["context_words_ngram"] if scorer.backend == "ngram" else p["context_words_neural"]
        for seg, ts in scored:
            z = [0.0 if n else (v - med) / sigma
                 for v, n in zip(standard[seg.index], ts.neutral, strict=True)]
            slor_z = (ts.slor - smed) / ssigma if _judged(ts) >= p["min_segment_tokens"] else None
            numbers: dict[str, Any] = {
                "model": scorer.model_id,
                "backend": scorer.backend,
                "logprob": round(ts.logprob, 3),
                "perplexity": round(ts.perplexity, 2),
                "slor": round(ts.slor, 3),
                "slor_total": round(ts.slor_total, 3),
                "tokens": ts.n,
                "slor_z": None if slor_z is None else round(slor_z, 2),
                "max_z": round(max(z), 2) if z else 0.0,
            }
            # Capped: a sentence that is odd as a whole adds weight to its worst run, but cannot by
            # itself turn an ordinary word into a finding.
            deficit = min(p["segment_weight_cap"], max(0.0, -(slor_z or 0.0)) * p["segment_weight"])
            cands = []
            for first, last, run in _runs_within_clauses(z, ts.fresh, p["run_z_floor"]):
                # Detection sums the whole run; the reported span is its core, the densest stretch of
                # clearly surprising tokens (a tighter floor), so a long mildly odd run is not all blamed.
                core = find_runs(z[first:last + 1], p["core_z_floor"])
                if core:
                    a, b, _ = max(core, key=lambda r: r[2])
                    cf, cl = first + a, first + b
                else:
                    cf = cl = max(range(first, last + 1), key=lambda k: z[k])
                peak = max(range(cf, cl + 1), key=lambda k: z[k])
                cands.append(Candidate(cf, cl, run, run + deficit, z[peak], excess[seg.index][peak]))
            flagged = sorted((c for c in cands if c.score >= p["flag_score"]), key=lambda c: -c.score)
            flagged = flagged[: p["max_findings_per_segment"]]
            numbers["garbled_spans"] = len(flagged)
            out.segments[seg.index] = numbers
            for c in sorted(flagged, key=lambda c: c.first):
                out.findings.append(self._finding(seg, ts, c, context, numbers))
        out.document = {
            "model": scorer.model_id,
            "backend": scorer.backend,
            "segments_scored": len(scored),
            "token_shift": round(med, 3),
            "token_scale": round(sigma, 3),
            "slor_median": round(smed, 3),
            "slor_sigma": round(ssigma, 3),
            "mean_slor": round(statistics.fmean(ts.slor for _, ts in scored), 3) if scored else None,
        }

    def _finding(self, seg: Segment, ts: TokenScores, c: Candidate, context: int,
                 numbers: dict[str, Any]) -> Finding:
        first = c.first
        # The model judged the run's first token by the words before it: include them.
        k = first
        while k > 0 and first - k < context and not (ts.fresh and ts.fresh[k]):
            prev = k - 1
            if ts.neutral[prev] or ts.tokens[prev][0] >= ts.tokens[prev][1]:
                break
            k = prev
        start = ts.tokens[k][0]
        end = max(e for _, e, _ in ts.tokens[first: c.last + 1])
        if end <= start:  # a run of only the end-of-sentence event with no context
            start = max(0, end - 1)
        start, end = word_span(seg.text, start, end)
        if end <= start:
            start, end = word_span(seg.text, ts.tokens[c.first][0], max(ts.tokens[c.first][1],
                                                                          ts.tokens[c.first][0] + 1))
        phrase = seg.text[start:end]
        p = self.p
        severity = Severity.MAJOR if c.score >= p["major_score"] else Severity.MINOR
        confidence = round(min(0.9, 0.35 + 0.08 * c.score), 2)
        return Finding(
            rule=RULE_ID,
            category=Category.FLUENCY,
            severity=severity,
            start=seg.start + start,
            end=seg.start + end,
            message=(f"improbable wording “{phrase}”: a run of surprising words (fluency score "
                     f"{c.score:.1f}, flagged from {p['flag_score']:g}); its worst word is "
                     f"{c.peak_excess:.1f} nats more surprising than its frequency explains "
                     f"(z {c.peak_z:.1f}); scored by {numbers['model']}"),
            confidence=confidence,
            evidence={
                "fluency.model": numbers["model"],
                "fluency.backend": numbers["backend"],
                "fluency.score": round(c.score, 2),
                "fluency.run": round(c.run, 2),
                "fluency.peak_z": round(c.peak_z, 2),
                "fluency.peak_excess_nats": round(c.peak_excess, 2),
                "fluency.segment_slor": numbers["slor"],
                "fluency.segment_slor_z": numbers["slor_z"],
                "fluency.segment_slor_total": numbers["slor_total"],
                "fluency.segment_perplexity": numbers["perplexity"],
            },
            signal=self.name,
        )

    def signature(self) -> dict[str, Any]:
        return {lang: {"model": s.model_id, "backend": s.backend} for lang, s in self._scorers.items()}


def _runs_within_clauses(z: Sequence[float], fresh: Sequence[bool], floor: float
                         ) -> list[tuple[int, int, float]]:
    """:func:`find_runs` inside each stretch between clause marks (where the model's context restarted)."""
    cuts = [0] + [i for i in range(1, len(z)) if fresh and fresh[i]] + [len(z)]
    runs = []
    for a, b in itertools.pairwise(cuts):
        runs += [(a + first, a + last, s) for first, last, s in find_runs(z[a:b], floor)]
    return runs


LN10 = 2.302585092994046


def token_classes(ts: TokenScores) -> list[str]:
    """Word-frequency class of each token: the zipf value (log10 per billion words) of its context-free
    probability, clamped to 3..7, or "eos" for the end-of-sentence event."""
    base = ts.baseline or ts.unigram
    return ["eos" if s == e else str(min(7, max(3, int(b / LN10 + 9))))
            for (s, e, _), b in zip(ts.tokens, base, strict=True)]


def _scorable(seg: Segment) -> bool:
    return not seg.non_content and any(c.isalpha() for c in seg.text)


def _judged(ts: TokenScores) -> int:
    return sum(1 for n in ts.neutral if not n)


__all__ = ["RULE_ID", "FluencySignal", "find_runs", "params", "robust_stats", "word_span"]
