"""Model-based accuracy for the source signal (imported only when there are bilingual pairs).

Forward translation (source -> target) and back-translation (target -> source) with the
round-trip translation backends:

- ``accuracy`` = mean of chrF(back-translation, source) and chrF(forward translation, target);
  below ``[model] mistranslation_chrf`` a possible mistranslation is reported.
- omission: a run of source content words with no counterpart (same stem) in the
  back-translation nor in the target itself (names are copied);
- addition: a run of target content words with no counterpart in the forward translation nor
  in the source. Both point at the evidence: the missing source words, the added target span.

Cross-lingual similarity (``--embed-model`` naming a multilingual sentence-embedding model)
adds a low-similarity finding below ``[model] similarity``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tqcheck.signals import source_checks as sc
from tqcheck.signals.base import SignalOutput, SignalUnavailable

if TYPE_CHECKING:
    from tqcheck.signals.source import Pair, SourceSignal


def _translator(signal: SourceSignal, src: str, tgt: str):  # type: ignore[no-untyped-def]
    try:
        from tqcheck.models.translate import get_translator
    except ImportError:
        raise SignalUnavailable("no translation backend is installed in this build",
                                "install tqcheck with its translation models support") from None
    return get_translator(signal.config, signal.hub, src, tgt)


def _content_words(text: str, lang: str) -> list[tuple[int, int, str]]:
    from wordfreq import zipf_frequency

    from tqcheck.terminology import tokens

    limit = sc.data()["model"]["content_zipf"]
    return [(a, b, w) for a, b, w in tokens(text)
            if len(w) >= 3 and not w.isdigit() and zipf_frequency(w.lower(), lang) < limit]


def _runs(words: list[tuple[int, int, str]], present: set[str], lang: str) -> list[list[tuple[int, int, str]]]:
    """Maximal runs of consecutive content words whose stems are not in ``present``."""
    from tqcheck.terminology import stem

    runs: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    for w in words:
        if stem(w[2], lang) in present or w[2].lower() in present:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(w)
    if current:
        runs.append(current)
    return runs


def _widen(text: str, a: int, b: int, present: set[str]) -> tuple[int, int]:
    """Grow a span over neighbouring words that are not in the translation either ("selon des"
    before "sources proches"), up to punctuation, so the whole added phrase is marked."""
    from tqcheck.terminology import tokens

    words = tokens(text)
    before = [w for w in words if w[1] <= a]
    for s, e, w in reversed(before):
        if w.lower() in present or text[e:a].strip(" \u00a0'’-"):
            break
        a = s
    for s, e, w in (w for w in words if w[0] >= b):
        if w.lower() in present or text[b:s].strip(" \u00a0'’-"):
            break
        b = e
    return a, b


def _stems(text: str, lang: str) -> set[str]:
    from tqcheck.terminology import stem, tokens

    out = set()
    for _, _, w in tokens(text):
        out.add(stem(w, lang))
        out.add(w.lower())
    return out


def translation_checks(signal: SourceSignal, src: str, tgt: str, group: list[tuple[int, Pair]],
                       outputs: list[SignalOutput]) -> None:
    import sacrebleu

    forward = backward = None
    first_error: SignalUnavailable | None = None
    try:
        forward = _translator(signal, src, tgt)
    except SignalUnavailable as exc:
        first_error = exc
    try:
        backward = _translator(signal, tgt, src)
    except SignalUnavailable as exc:
        first_error = first_error or exc
    if forward is None and backward is None:
        assert first_error is not None
        raise first_error
    cfg = sc.data()["model"]
    sources = [sc.normalise(p.clean_source) for _, p in group]
    targets = [sc.normalise(p.clean_target) for _, p in group]
    mt = [h[0] if h else "" for h in forward.translate(sources, n_best=1)] if forward else [None] * len(group)
    bt = [h[0] if h else "" for h in backward.translate(targets, n_best=1)] if backward else [None] * len(group)
    for (i, pair), source, target, fwd, back in zip(group, sources, targets, mt, bt, strict=True):
        numbers: dict[str, Any] = {}
        scores = []
        if fwd is not None:
            numbers["forward"] = fwd
            numbers["chrf_forward"] = round(sacrebleu.sentence_chrf(fwd, [target]).score, 2)
            scores.append(numbers["chrf_forward"])
        if back is not None:
            numbers["back"] = back
            numbers["chrf_back"] = round(sacrebleu.sentence_chrf(back, [source]).score, 2)
            scores.append(numbers["chrf_back"])
        accuracy = sum(scores) / len(scores)
        numbers["accuracy"] = round(accuracy, 2)
        if pair.segment is not None:
            outputs[i].segments.setdefault(pair.segment, {}).update(numbers)
        out = outputs[i]
        whole = pair.file_span(0, len(pair.target.rstrip()))
        threshold = cfg["mistranslation_chrf"]
        if len(source.split()) >= 3 and accuracy < threshold:
            confidence = round(min(0.9, 0.4 + 0.5 * (threshold - accuracy) / threshold), 2)
            shown = back if back is not None else fwd
            signal._emit(out, "source.mistranslation", pair, whole,
                         f"the translation may not say what the source says (accuracy {accuracy:.0f}/100; "
                         f"{'back-translation' if back is not None else 'machine translation'}: “{shown}”)",
                         confidence=confidence, **numbers)
        if back is not None:
            present = _stems(back, src) | _stems(pair.clean_target, src)
            for run in _runs(_content_words(source, src), present, src):
                if len(run) >= cfg["min_run"]:
                    missing = source[run[0][0]:run[-1][1]]
                    signal._emit(out, "source.omission", pair, whole,
                                 f"“{missing}” of the source seems to be missing (back-translation: “{back}”)",
                                 missing=missing, back=back)
        if fwd is not None:
            present = _stems(fwd, tgt) | _stems(pair.clean_source, tgt)
            plain_words = _content_words(pair.target, tgt)
            for run in _runs(plain_words, present, tgt):
                if len(run) >= cfg["min_run"]:
                    a, b = _widen(pair.target, run[0][0], run[-1][1], present)
                    signal._emit(out, "source.addition", pair, pair.file_span(a, b),
                                 f"“{pair.target[a:b]}” has no counterpart in the source "
                                 f"(machine translation: “{fwd}”)", added=pair.target[a:b], forward=fwd)


def similarity_checks(signal: SourceSignal, group: list[tuple[int, Pair]], outputs: list[SignalOutput],
                      lang: str | None = None) -> None:
    """Cross-lingual similarity, only with an explicitly configured (multilingual) model."""
    if not signal.config.embed_model:
        return
    embedder = _embedder(signal, lang)
    sources = [sc.normalise(p.clean_source) for _, p in group]
    targets = [sc.normalise(p.clean_target) for _, p in group]
    sims = _pairwise(embedder, sources, targets)
    threshold = sc.data()["model"]["similarity"]
    for (i, pair), sim, source in zip(group, sims, sources, strict=False):
        if pair.segment is not None:
            outputs[i].segments.setdefault(pair.segment, {})["similarity"] = round(sim, 4)
        if len(source.split()) >= 3 and sim < threshold:
            signal._emit(outputs[i], "source.low-similarity", pair, pair.file_span(0, len(pair.target.rstrip())),
                         f"the translation and its source are far apart in meaning (similarity {sim:.2f})",
                         confidence=round(min(0.8, 0.4 + (threshold - sim)), 2), similarity=round(sim, 4))


def _embedder(signal: SourceSignal, lang: str | None = None):  # type: ignore[no-untyped-def]
    return embedder_for(signal.config, signal.hub, lang)


def embedder_for(config: Any, hub: Any, lang: str | None):  # type: ignore[no-untyped-def]
    """The configured sentence embedder; ``lang`` (a non-English side) asks for a multilingual one
    where the embedding module takes a language."""
    import inspect

    try:
        from tqcheck.models.embed import get_embedder
    except ImportError:
        raise SignalUnavailable("no sentence-embedding support in this build",
                                "install tqcheck[embed]") from None
    if len(inspect.signature(get_embedder).parameters) >= 3:
        return get_embedder(config, hub, lang)
    return get_embedder(config, hub)


def _pairwise(embedder: Any, a: list[str], b: list[str]) -> list[float]:
    """``similarity`` of each a[k] with b[k], whatever shape the embedder returns."""
    result = embedder.similarity(a, b)
    try:
        import numpy as np

        arr = np.asarray(result.detach().cpu() if hasattr(result, "detach") else result, dtype=float)
    except Exception:  # pragma: no cover - plain lists
        return [float(x) for x in result]
    if arr.ndim == 2:
        return [float(arr[k, k]) for k in range(len(a))]
    return [float(x) for x in arr.reshape(-1)[: len(a)]]
