"""Localise where a round trip diverges from the original sentence.

Both sentences are cut into word and punctuation tokens with exact offsets; a case-insensitive
token alignment (difflib's longest-matching-block algorithm, no junk heuristics) finds the
regions that changed. Nearby regions merge into one span; a pure insertion or deletion is
attached to its neighbouring token so every span covers real text. Each span carries the round-trip
wording that replaces exactly that span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return any(c.isalnum() for c in self.text)


@dataclass(frozen=True)
class Divergence:
    """A changed region: original characters ``[start, end)`` and the round-trip wording for them."""

    start: int
    end: int
    #: Original token range ``[i1, i2)`` and round-trip token range ``[j1, j2)``.
    i1: int
    i2: int
    j1: int
    j2: int
    replacement: str
    #: Word tokens of the original that changed (insertions count the round trip's words).
    changed_words: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _norm(tok: Token) -> str:
    # Curly and straight apostrophes/quotes are the same word; case differences are not changes.
    return tok.text.casefold().replace("’", "'")


def changed_regions(orig: list[Token], back: list[Token]) -> list[tuple[int, int, int, int]]:
    """Non-equal opcodes as ``(i1, i2, j1, j2)`` token ranges."""
    sm = SequenceMatcher(None, [_norm(t) for t in orig], [_norm(t) for t in back], autojunk=False)
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]


def merge_regions(regions: list[tuple[int, int, int, int]], gap: int) -> list[tuple[int, int, int, int]]:
    merged: list[list[int]] = []
    for i1, i2, j1, j2 in regions:
        if merged and i1 - merged[-1][1] <= gap and j1 - merged[-1][3] <= gap:
            merged[-1][1], merged[-1][3] = i2, j2
        else:
            merged.append([i1, i2, j1, j2])
    return [(a, b, c, d) for a, b, c, d in merged]


def _span_text(text: str, toks: list[Token], i: int, j: int) -> str:
    return text[toks[i].start : toks[j - 1].end] if j > i else ""


def divergences(original: str, roundtrip: str, *, merge_gap: int = 1,
                min_changed_words: int = 1) -> list[Divergence]:
    """The changed regions of ``original`` relative to ``roundtrip`` (offsets into ``original``)."""
    orig, back = tokenize(original), tokenize(roundtrip)
    if not orig:
        return []
    out: list[Divergence] = []
    for i1, i2, j1, j2 in merge_regions(changed_regions(orig, back), merge_gap):
        changed = sum(t.is_word for t in orig[i1:i2]) or sum(t.is_word for t in back[j1:j2])
        if changed < min_changed_words:
            continue
        if i1 == i2 or j1 == j2:
            # A pure insertion or deletion is attached to the previous token (else the next one),
            # so the span covers real text and the replacement reads cleanly when applied.
            if i1 > 0 and j1 > 0:
                i1, j1 = i1 - 1, j1 - 1
            elif i2 < len(orig) and j2 < len(back):
                i2, j2 = i2 + 1, j2 + 1
            if i1 == i2:
                continue
        out.append(Divergence(
            start=orig[i1].start, end=orig[i2 - 1].end, i1=i1, i2=i2, j1=j1, j2=j2,
            replacement=_span_text(roundtrip, back, j1, j2), changed_words=changed,
        ))
    return out


def changed_word_share(original: str, spans: list[Divergence]) -> float:
    """Share of the original's word tokens inside changed spans (0..1)."""
    words = [t for t in tokenize(original) if t.is_word]
    if not words:
        return 0.0
    inside = sum(1 for t in words if any(d.start <= t.start and t.end <= d.end for d in spans))
    return inside / len(words)
