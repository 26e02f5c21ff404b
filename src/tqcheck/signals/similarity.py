"""Semantic similarity between each sentence and its round trip (sentence-transformers cosine).

A translation whose back-translation means something else has probably lost or garbled meaning;
the cosine of the two sentence embeddings says how far they drifted, independently of wording
(chrF, computed by the round-trip signal, says how far the *words* drifted). Numbers go to each
segment under ``signals["similarity"]``; the fusion step uses a low cosine as agreeing evidence.
Needs the round trip: without its text the signal reports itself skipped with the reason.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from tqcheck.document import Document
from tqcheck.signals.base import Signal, SignalOutput, SignalUnavailable

NEEDS_ROUNDTRIP_FIX = ("enable the round trip (--signals ...,roundtrip,similarity) with a translation model "
                       "for the language pair (--mt-model SRC-TGT=ID_OR_PATH)")


def roundtrip_text(numbers: dict[str, Any] | None) -> str | None:
    """The back-translated text the round-trip signal stored for a segment, if any."""
    if not numbers:
        return None
    text = numbers.get("text")
    return text if isinstance(text, str) and text.strip() else None


class SimilaritySignal(Signal):
    name = "similarity"
    description = "Semantic similarity (sentence-embedding cosine) between each sentence and its round trip."

    def prepare(self) -> None:
        if "roundtrip" not in self.config.signals:
            raise SignalUnavailable("semantic similarity compares each sentence with its round trip, "
                                    "and the round-trip signal is not enabled", NEEDS_ROUNDTRIP_FIX)
        self.model_id: str | None = None

    def run(self, docs: Sequence[Document]) -> list[SignalOutput]:
        outs = [SignalOutput() for _ in docs]
        pairs = [(i, seg, rt) for i, doc in enumerate(docs) for seg in doc.segments
                 if not seg.non_content and (rt := roundtrip_text(seg.signals.get("roundtrip")))]
        if not pairs:
            for out in outs:
                out.skipped.append(("the round trip did not run, so there is no back-translation to compare "
                                    "with (see the round-trip entry)", NEEDS_ROUNDTRIP_FIX))
            return outs
        from tqcheck.models.embed import get_embedder

        by_lang: dict[str, list[tuple[int, Any, str]]] = {}
        for item in pairs:
            by_lang.setdefault((docs[item[0]].language or "en").split("-")[0].lower(), []).append(item)
        per_doc: dict[int, list[float]] = {}
        models: dict[int, str] = {}
        for lang, items in by_lang.items():
            try:
                embedder = get_embedder(self.config, self.hub, lang)
            except SignalUnavailable as exc:
                for i in sorted({i for i, _, _ in items}):
                    outs[i].skipped.append((exc.reason, exc.fix))
                continue
            self.model_id = embedder.model_id
            with self.hub.use_lock:
                sims = embedder.similarity([seg.text for _, seg, _ in items], [rt for _, _, rt in items])
            for (i, seg, _), cos in zip(items, sims, strict=True):
                outs[i].segments[seg.index] = {"cosine": round(cos, 4), "model": embedder.model_id}
                per_doc.setdefault(i, []).append(cos)
                models[i] = embedder.model_id
        for i, values in per_doc.items():
            outs[i].document = {"model": models[i], "segments": len(values),
                                "mean_cosine": round(statistics.fmean(values), 4),
                                "min_cosine": round(min(values), 4)}
        return outs

    def signature(self) -> dict[str, Any]:
        return {"model": self.model_id} if self.model_id else {}


__all__ = ["SimilaritySignal", "roundtrip_text"]
