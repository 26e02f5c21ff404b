"""The round trip: translate every sentence into the (suspected) source language and back.

A sentence that changes a lot on the way, or whose round trip differs in one place, is where the
translation probably went wrong; the round trip's wording is also a candidate fix. Per segment
the signal stores the round-trip text, sacrebleu sentence chrF, BLEU and TER against the
original (plus every pivot's and every n-best hypothesis's numbers); per document the corpus
scores and sacrebleu signatures. Divergent regions become ``roundtrip.divergence`` findings
(fluency, span by span) or one ``roundtrip.low-similarity`` finding (accuracy, whole sentence).

All segments of all documents are pooled, deduplicated and translated in length-sorted batches.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from tqcheck.document import Document, Segment
from tqcheck.errors import ConfigError, DeviceError
from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.signals.base import Signal, SignalOutput, SignalUnavailable
from tqcheck.signals.divergence import Divergence, changed_word_share, divergences

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@lru_cache(maxsize=1)
def thresholds() -> dict[str, dict[str, float]]:
    text = resources.files("tqcheck.signals").joinpath("data/roundtrip.toml").read_text("utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def _metrics() -> tuple[Any, Any, Any]:
    from sacrebleu.metrics import BLEU, CHRF, TER

    # effective_order: sentence BLEU without zero n-gram counts collapsing the score.
    metrics = CHRF(), BLEU(effective_order=True), TER()
    for m in metrics:  # a signature knows the reference count only after one evaluation
        m.sentence_score("a", ["a"])
    return metrics


def metric_signatures() -> dict[str, str]:
    chrf, bleu, ter = _metrics()
    return {"chrf": str(chrf.get_signature()), "bleu": str(bleu.get_signature()),
            "ter": str(ter.get_signature())}


def sentence_scores(original: str, roundtrip: str) -> dict[str, float]:
    """chrF, BLEU and TER of the round trip against the original (sacrebleu sentence API)."""
    chrf, bleu, ter = _metrics()
    return {
        "chrf": round(chrf.sentence_score(roundtrip, [original]).score, 2),
        "bleu": round(bleu.sentence_score(roundtrip, [original]).score, 2),
        "ter": round(ter.sentence_score(roundtrip, [original]).score, 2),
    }


def corpus_scores(originals: list[str], roundtrips: list[str]) -> dict[str, float]:
    chrf, bleu, ter = _metrics()
    return {
        "chrf": round(chrf.corpus_score(roundtrips, [originals]).score, 2),
        "bleu": round(bleu.corpus_score(roundtrips, [originals]).score, 2),
        "ter": round(ter.corpus_score(roundtrips, [originals]).score, 2),
    }


def clean(text: str) -> str:
    """What is sent to the model: masked regions and line breaks collapse to single spaces."""
    return " ".join(text.split())


@dataclass
class _Job:
    doc: int
    seg: Segment
    text: str
    #: pivot -> {"pivot_text", "hyps": [round trips], "scores": [per hyp]}
    results: dict[str, dict[str, Any]] = field(default_factory=dict)


class RoundTripSignal(Signal):
    name = "roundtrip"
    description = "Round trip through open translation models: chrF/BLEU/TER and divergent spans."

    def prepare(self) -> None:
        self.limits = thresholds()
        self.translators: dict[tuple[str, str], Any] = {}
        self.unavailable: dict[tuple[str, str], SignalUnavailable] = {}
        # When the languages are known up front, decide availability now (fast, offline),
        # so a missing model lands in `skipped` before any document is read.
        if self.config.lang != "auto":
            # "auto": the source is guessed per document (source_guess.py), so no pivot yet.
            source = None if self.config.source_lang == "auto" else self.config.source_lang
            pivots = self._pivots(self.config.lang, source)
            if pivots:
                errors = []
                for pivot in pivots:
                    try:
                        self._pair(self.config.lang, pivot)
                    except SignalUnavailable as exc:
                        errors.append(exc)
                if len(errors) == len(pivots):
                    raise _combine(errors)

    def _pivots(self, lang: str, source: str | None) -> list[str]:
        found = [p for p in [source, *self.config.pivots] if p and p != lang]
        return list(dict.fromkeys(found))

    def _pair(self, lang: str, pivot: str) -> tuple[Any, Any]:
        """Forward and backward translators for ``lang <-> pivot`` (cached; errors remembered)."""
        from tqcheck.models.translate import get_translator

        key = (lang, pivot)
        if key in self.unavailable:
            raise self.unavailable[key]
        if key not in self.translators:
            errors = []
            pair = []
            for src, tgt in ((lang, pivot), (pivot, lang)):
                try:
                    pair.append(get_translator(self.config, self.hub, src, tgt))
                except SignalUnavailable as exc:
                    errors.append(exc)
                except DeviceError:
                    raise
                except ConfigError as exc:
                    errors.append(SignalUnavailable(str(exc), "pass --mt-model SRC-TGT=ID_OR_PATH "
                                                    "with a model that covers the pair"))
            if errors:
                self.unavailable[key] = _combine(errors)
                raise self.unavailable[key]
            self.translators[key] = (pair[0], pair[1])
        return self.translators[key]

    # -- running ------------------------------------------------------------------------------

    def run(self, docs: Sequence[Document]) -> list[SignalOutput]:
        outputs = [SignalOutput() for _ in docs]
        groups: dict[tuple[str, str], list[_Job]] = {}
        pivots_of: dict[int, list[str]] = {}
        no_pivot = 0
        same_language = 0
        for d, doc in enumerate(docs):
            pivots = self._pivots(doc.language, doc.source_language)
            if not pivots:
                no_pivot += 1
                same_language += doc.source_language == doc.language
                continue
            usable = []
            for pivot in pivots:
                try:
                    self._pair(doc.language, pivot)
                    usable.append(pivot)
                except SignalUnavailable as exc:
                    outputs[d].skipped.append((exc.reason, exc.fix))
            pivots_of[d] = usable
            jobs = [_Job(d, seg, clean(seg.text)) for seg in doc.segments
                    if not seg.non_content and any(c.isalpha() for c in seg.text)]
            for pivot in usable:
                groups.setdefault((doc.language, pivot), []).extend(jobs)
        if no_pivot == len(docs) and docs and same_language == len(docs):
            raise SignalUnavailable(
                reason=f"the text is already in its source language ({docs[0].language}); "
                "there is no other language to translate into and back",
                fix="pass the language it was translated from with --source-lang, or add pivots "
                "(e.g. pivots = [\"de\"]) in tqcheck.toml",
            )
        if no_pivot == len(docs) and docs:
            raise SignalUnavailable(
                reason="the source language is unknown, so there is no language to translate into and back",
                fix="pass --source-lang (e.g. --source-lang fr) or set source_lang or pivots in tqcheck.toml",
            )
        for (lang, pivot), jobs in groups.items():
            self._translate(lang, pivot, jobs)
        for d, doc in enumerate(docs):
            if pivots_of.get(d):
                doc_jobs = {id(j): j for js in groups.values() for j in js if j.doc == d}
                self._score_document(doc, sorted(doc_jobs.values(), key=lambda j: j.seg.index),
                                     pivots_of[d], outputs[d])
        return outputs

    def _translate(self, lang: str, pivot: str, jobs: list[_Job]) -> None:
        """Pooled over every document: unique texts, forward 1-best, back n-best."""
        fwd, bwd = self._pair(lang, pivot)
        texts = list(dict.fromkeys(j.text for j in jobs))
        there = dict(zip(texts, (h[0] for h in fwd.translate(texts, 1)), strict=False))
        pivot_texts = list(dict.fromkeys(there.values()))
        n_best = max(self.config.n_best, 1)
        back = dict(zip(pivot_texts, bwd.translate(pivot_texts, n_best), strict=False))
        for j in jobs:
            p = there[j.text]
            hyps = back[p]
            j.results[pivot] = {"pivot_text": p, "hyps": hyps,
                                "scores": [sentence_scores(j.text, h) for h in hyps]}

    def _score_document(self, doc: Document, jobs: list[_Job], pivots: list[str], out: SignalOutput) -> None:
        primary = pivots[0]
        per_pivot: dict[str, tuple[list[str], list[str]]] = {p: ([], []) for p in pivots}
        for job in jobs:
            numbers: dict[str, Any] = {}
            best_by_pivot: dict[str, int] = {}
            for pivot in pivots:
                res = job.results[pivot]
                # With n-best, the closest hypothesis is the one to compare against: the model
                # could say it the original way, so differences elsewhere are not noise.
                best = max(range(len(res["hyps"])), key=lambda k: res["scores"][k]["chrf"])
                best_by_pivot[pivot] = best
                entry = {"text": res["hyps"][best], "pivot_text": res["pivot_text"], **res["scores"][best]}
                if len(res["hyps"]) > 1:
                    entry["alternatives"] = [{"text": h, **s}
                                             for h, s in zip(res["hyps"], res["scores"], strict=True)]
                if pivot == primary:
                    numbers.update({"pivot": pivot, **entry})
                if len(pivots) > 1:
                    numbers.setdefault("pivots", {})[pivot] = entry
                per_pivot[pivot][0].append(job.text)
                per_pivot[pivot][1].append(res["hyps"][best])
            out.segments[job.seg.index] = numbers
            out.findings.extend(self._findings(doc, job, pivots, best_by_pivot))
        divergent = sum(1 for f in out.findings if f.rule.startswith("roundtrip."))
        document: dict[str, Any] = {"pivot": primary, "segments": len(jobs), "findings": divergent,
                                    "signatures": metric_signatures(), "models": {}}
        for pivot, (originals, backs) in per_pivot.items():
            fwd, bwd = self._pair(doc.language, pivot)
            document["models"][pivot] = [fwd.signature(), bwd.signature()]
            if originals:
                agg = corpus_scores(originals, backs)
                chrfs = [sentence_scores(o, b)["chrf"] for o, b in zip(originals, backs, strict=True)]
                agg["mean_sentence_chrf"] = round(sum(chrfs) / len(chrfs), 2)
                if pivot == primary:
                    document.update(agg)
                if len(pivots) > 1:
                    document.setdefault("pivots", {})[pivot] = agg
        out.document = document

    def _findings(self, doc: Document, job: _Job, pivots: list[str], best: dict[str, int]) -> list[Finding]:
        lim_d, lim_s = self.limits["divergence"], self.limits["low_similarity"]
        primary = pivots[0]
        res = job.results[primary]
        back, scores = res["hyps"][best[primary]], res["scores"][best[primary]]
        if scores["chrf"] >= lim_d["stable_chrf"]:
            return []
        # The text the offsets refer to: the segment as it stands in the document.
        original = job.seg.text
        spans = divergences(original, back, merge_gap=int(lim_d["merge_gap"]),
                            min_changed_words=int(lim_d["min_changed_words"]))
        # With several pivots, keep only regions every round trip changed (less paraphrase noise).
        for pivot in pivots[1:]:
            other = job.results[pivot]["hyps"][best[pivot]]
            other_spans = divergences(original, other, merge_gap=int(lim_d["merge_gap"]))
            spans = [s for s in spans if any(o.start < s.end and s.start < o.end for o in other_spans)]
        if not spans:
            return []
        evidence = {"pivot": primary, "chrf": scores["chrf"], "bleu": scores["bleu"], "ter": scores["ter"],
                    "roundtrip": back, "pivot_text": res["pivot_text"], "pivots": pivots}
        share = changed_word_share(original, spans)
        seg = job.seg
        if scores["chrf"] < lim_s["max_chrf"] or share >= lim_s["changed_share"]:
            lead = len(original) - len(original.lstrip())
            tail = len(original.rstrip())
            severity = Severity.MAJOR if scores["chrf"] < lim_s["major_chrf"] else Severity.MINOR
            return [Finding(
                rule="roundtrip.low-similarity", category=Category.ACCURACY, severity=severity,
                start=seg.start + lead, end=seg.start + tail,
                message=(f"The sentence changes a lot in a round trip through {_lang(primary)} "
                         f"(chrF {scores['chrf']:.1f}, {share:.0%} of its words changed); "
                         "its meaning may not have survived translation"),
                suggestions=[Suggestion(replacement=back, safe=False, source="roundtrip", sentence=back,
                                        evidence={"chrf": scores["chrf"]})],
                confidence=_confidence(scores["chrf"], lim_d),
                evidence={**evidence, "changed_share": round(share, 3)},
                signal=self.name,
            )]
        findings = []
        for span in spans:
            findings.append(self._span_finding(seg, original, back, span, evidence, scores["chrf"], lim_d))
        return findings

    def _span_finding(self, seg: Segment, original: str, back: str, span: Divergence,
                      evidence: dict[str, Any], chrf: float, lim: dict[str, float]) -> Finding:
        was = original[span.start : span.end]
        sentence = clean(original[: span.start] + span.replacement + original[span.end :])
        pivot = evidence["pivot"]
        message = (f"“{was}” comes back as “{span.replacement}” from a round trip through {_lang(pivot)}"
                   if span.replacement else f"“{was}” is lost in a round trip through {_lang(pivot)}")
        return Finding(
            rule="roundtrip.divergence", category=Category.FLUENCY, severity=Severity.MINOR,
            start=seg.start + span.start, end=seg.start + span.end,
            message=message,
            suggestions=[Suggestion(replacement=span.replacement, safe=False, source="roundtrip",
                                    sentence=sentence, evidence={"chrf": chrf})],
            confidence=_confidence(chrf, lim),
            evidence={**evidence, "original_span": was, "roundtrip_span": span.replacement,
                      "changed_words": span.changed_words},
            signal=self.name,
        )

    def signature(self) -> dict[str, Any]:
        models = {f"{a}-{b}": [t.signature() for t in pair] for (a, b), pair in self.translators.items()}
        return {"models": models, "n_best": self.config.n_best, "metrics": metric_signatures()}


def _confidence(chrf: float, lim: dict[str, float]) -> float:
    return round(min(max(1 - chrf / 100, lim["min_confidence"]), lim["max_confidence"]), 2)


_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
          "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "pl": "Polish"}


def _lang(code: str) -> str:
    return _NAMES.get(code, code)


def _combine(errors: list[SignalUnavailable]) -> SignalUnavailable:
    """One skipped entry naming every missing model and every command that fixes it."""
    from tqcheck.models.translate import ModelUnavailable

    if len(errors) == 1:
        return errors[0]
    missing = [e for e in errors if isinstance(e, ModelUnavailable)]
    if len(missing) == len(errors):
        models = " ".join(dict.fromkeys(e.model for e in missing))
        pairs = ", ".join(f"{e.model} ({e.pair})" for e in missing)
        flags = " ".join(f"--mt-model {e.pair}=DIR" for e in missing)
        return SignalUnavailable(
            reason=f"translation models not available locally: {pairs} "
            "(tqcheck never downloads during a check)",
            fix=f"run 'tqcheck models pull {models}' on a connected machine, or pass {flags}",
        )
    reasons = "; ".join(dict.fromkeys(e.reason for e in errors))
    fixes = "; ".join(dict.fromkeys(e.fix for e in errors))
    return SignalUnavailable(reason=reasons, fix=fixes)
