"""Sentence alignment of a plain target with its source (``tqcheck check --source FILE``).

Gale & Church (1993): the length (in characters) of a translation is roughly proportional to
the length of its source; a dynamic programme picks the sequence of "beads" (1-1, 1-0, 0-1,
2-1, 1-2, 2-2 sentences) with the lowest cost, where a bead costs
``-log P(length difference) - log P(bead kind)`` (a 1-0 or 0-1 bead, a sentence left out or
added, costs only its prior: the length model describes translations) and the difference is
``z = (l_t - c * l_s) / sqrt(s2 * (l_s + l_t / c) / 2)`` with ``c`` the expected target/source
length ratio of the language pair and ``s2`` the variance per character.

Lengths alone go wrong when a sentence is dropped next to a long one, so each bead that pairs
sentences also earns a reward ``w * affinity``: by default the Dice overlap of "cognates"
(numbers, names and words sharing their first four letters, after Simard, Foster & Isabelle
1992), or, when a multilingual sentence-embedding model is configured (``--embed-model``),
the embedding similarity minus a baseline. A reward (not a penalty) keeps beads without any
overlap, as between unrelated scripts, exactly where length-based alignment puts them.

The result: the target's segments are regrouped so each holds exactly the target sentences of
one bead, with ``Segment.source`` set to the bead's source sentences; 1-0 beads (a source
sentence with no translation) and 0-1 beads (a target sentence with no source) are recorded in
``doc.meta["alignment_gaps"]`` for the source signal to report as omissions and additions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from tqcheck.document import Document, Segment

if TYPE_CHECKING:
    from tqcheck.config import Config
    from tqcheck.models.hub import ModelHub

#: (source sentences, target sentences) a bead may take.
BEADS = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2))


def _norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def bead_cost(ls: int, lt: int, ratio: float, variance: float) -> float:
    """-log P(length difference) for ``ls`` source and ``lt`` target characters."""
    if ls == 0 and lt == 0:
        return 0.0
    mean = (ls + lt / ratio) / 2.0
    z = (lt - ratio * ls) / math.sqrt(variance * max(mean, 1.0))
    p = 2.0 * (1.0 - _norm_cdf(abs(z)))
    return -math.log(max(p, 1e-12))


def align(src_lens: list[int], tgt_lens: list[int], ratio: float = 1.0, *,
          similarity: Callable[[list[int], list[int]], float] | None = None,
          params: dict[str, float] | None = None) -> list[tuple[list[int], list[int]]]:
    """Beads ``([source indices], [target indices])`` covering both sides in order."""
    p = params or _params()
    priors = {(1, 1): p["prior_1_1"], (1, 0): p["prior_1_0"], (0, 1): p["prior_1_0"],
              (2, 1): p["prior_2_1"], (1, 2): p["prior_2_1"], (2, 2): p["prior_2_2"]}
    weight = p["similarity_weight"]
    n, m = len(src_lens), len(tgt_lens)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    # A band around the diagonal keeps long documents linear-ish.
    band = max(20, abs(n - m) + 20)
    for i in range(n + 1):
        centre = i * m / n if n else 0
        lo, hi = max(0, int(centre) - band), min(m, int(centre) + band)
        for j in range(lo, hi + 1):
            if i == 0 and j == 0:
                continue
            best, arg = inf, None
            for di, dj in BEADS:
                if i < di or j < dj or cost[i - di][j - dj] == inf:
                    continue
                ls = sum(src_lens[i - di:i])
                lt = sum(tgt_lens[j - dj:j])
                # The length model describes translations, not deletions: a 1-0/0-1 bead costs its prior.
                length = bead_cost(ls, lt, ratio, p["variance"]) if di and dj else 0.0
                c = cost[i - di][j - dj] + length - math.log(priors[(di, dj)])
                if similarity is not None and di and dj:
                    c -= weight * similarity(list(range(i - di, i)), list(range(j - dj, j)))
                if c < best:
                    best, arg = c, (di, dj)
            cost[i][j], back[i][j] = best, arg
    beads: list[tuple[list[int], list[int]]] = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        if step is None:  # outside the band: fall back to pairing the rest one by one
            step = (1 if i else 0, 1 if j else 0)
        di, dj = step
        beads.append((list(range(i - di, i)), list(range(j - dj, j))))
        i, j = i - di, j - dj
    beads.reverse()
    return beads


def _params() -> dict[str, float]:
    from tqcheck.signals.source_checks import data

    return dict(data()["align"])


def _cognates(text: str) -> set[str]:
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return {w[:4] for w in re.findall(r"[a-z]{4,}|\d+", plain)}


def cognate_affinity(src: list[str], tgt: list[str]) -> Callable[[list[int], list[int]], float]:
    """Dice overlap of the cognates of a bead's source and target sentences."""
    s_sets = [_cognates(t) for t in src]
    t_sets = [_cognates(t) for t in tgt]

    def affinity(si: list[int], ti: list[int]) -> float:
        a = set().union(*(s_sets[k] for k in si))
        b = set().union(*(t_sets[k] for k in ti))
        return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0

    return affinity


def _similarity_fn(config: Config, hub: ModelHub, src: list[str], tgt: list[str], lang: str | None = None
                   ) -> Callable[[list[int], list[int]], float] | None:
    """Embedding similarity of the sentences in a bead (best pair) minus the baseline."""
    if not config.embed_model:
        return None
    try:
        from tqcheck.signals.base import SignalUnavailable
        from tqcheck.signals.source_model import _pairwise, embedder_for

        embedder = embedder_for(config, hub, lang)
    except (ImportError, Exception):
        return None
    n, m = len(src), len(tgt)
    band = max(6, abs(n - m) + 6)
    keys = [(i, j) for i in range(n) for j in range(m) if abs(i * m / max(n, 1) - j) <= band]
    try:
        sims = _pairwise(embedder, [src[i] for i, _ in keys], [tgt[j] for _, j in keys])
    except SignalUnavailable:
        return None
    table = dict(zip(keys, sims, strict=False))

    baseline = float(_params()["similarity_baseline"])

    def sim(si: list[int], ti: list[int]) -> float:
        vals = [table.get((a, b), 0.0) for a in si for b in ti]
        return (max(vals) if vals else 0.0) - baseline

    return sim


def align_document(doc: Document, config: Config, hub: ModelHub) -> Document:
    """Regroup ``doc.segments`` by bead and give each its source; record gaps in ``doc.meta``."""
    from tqcheck.formats import detect_format, document_from_text
    from tqcheck.segment import segment
    from tqcheck.signals.source_checks import data, expected_ratio

    assert doc.source_text is not None
    src_name = str(doc.meta.get("source_path", "<source>"))
    src_fmt = detect_format(src_name, doc.source_text)
    # A Markdown source is masked like a Markdown target; anything else is read as text.
    src_doc = document_from_text(doc.source_text, src_name, src_fmt if src_fmt == "markdown" else "text")
    if doc.source_language is None:
        from tqcheck.language import detect_language

        doc.source_language = detect_language(doc.source_text)
    src_doc.language = doc.source_language or "en"
    segment(src_doc)
    src_sents = [s.text for s in src_doc.segments]
    tgt_segs = doc.segments
    tgt_sents = [s.text for s in tgt_segs]
    ratio = expected_ratio(doc.source_language, doc.language)
    sim = _similarity_fn(config, hub, src_sents, tgt_sents, doc.language)
    method = "length+similarity" if sim is not None else "length+cognates"
    beads = align([len(s) for s in src_sents], [len(t) for t in tgt_sents], ratio,
                  similarity=sim or cognate_affinity(src_sents, tgt_sents))
    min_chars = data()["align"]["min_report_chars"]
    confidence = 0.6 if sim is not None else 0.5
    segments: list[Segment] = []
    gaps: list[dict[str, object]] = []
    for si, ti in beads:
        source = " ".join(src_sents[k] for k in si) if si else None
        if ti:
            first, last = tgt_segs[ti[0]], tgt_segs[ti[-1]]
            seg = Segment(index=len(segments), start=first.start, end=last.end,
                          text=doc.check_text[first.start:last.end], paragraph=first.paragraph, source=source,
                          non_content=all(tgt_segs[k].non_content for k in ti))
            segments.append(seg)
            if not si and len(seg.text.strip()) >= min_chars:
                gaps.append({"kind": "addition", "start": seg.start, "end": seg.end, "text": seg.text,
                             "confidence": confidence})
        elif source and len(source.strip()) >= min_chars:
            at = segments[-1].end if segments else (tgt_segs[0].start if tgt_segs else 0)
            gaps.append({"kind": "omission", "start": at, "end": at, "text": source, "source_index": si[0],
                         "confidence": confidence})
    doc.segments = segments
    doc.meta["alignment"] = {"method": method,
                             "ratio": round(ratio, 3), "source_sentences": len(src_sents),
                             "target_sentences": len(tgt_sents),
                             "beads": [[si, ti] for si, ti in beads]}
    doc.meta["alignment_gaps"] = gaps
    return doc
