"""Candidate replacements for a finding's span, cut out of whole-sentence rewrites.

A round trip rewrites a whole sentence; an editor wants the few words that change. Given the original
sentence, a rewrite and the finding's span (offsets into the sentence), :func:`minimal_rewrite` diffs
the two token sequences (words and punctuation marks; whitespace is kept from whichever side it comes
from) and keeps only the changed stretches that touch the span:

- a changed stretch *touches* the span when its original tokens overlap the span's tokens or border
  them with no unchanged token between (so a phrase the rewrite moved is taken whole), or when it is
  an insertion at a point inside the span or on its edge;
- the region is the span's tokens extended to cover every touching stretch. When a stretch reaches
  outside the finding's span the region is larger than the span, and the caller widens the finding to
  the region (the replacement is always for exactly the finding's span, see :mod:`tqcheck.ranking`);
- when no change touches the span, the rewrite offers nothing for this finding (it kept those words).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

#: Words (with inner apostrophes, hyphens and digit groups) and single punctuation marks.
_TOKEN = re.compile(r"\w+(?:[’'\-.,]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Region:
    """Replace ``sentence[start:end]`` by ``replacement``; ``rewritten`` is the whole new sentence."""

    start: int
    end: int
    replacement: str
    rewritten: str


def tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def _norm(tok: str) -> str:
    # Curly and straight quotes are the same word for the diff.
    return tok.replace("’", "'")


def minimal_rewrite(sentence: str, rewrite: str, span_start: int, span_end: int) -> Region | None:
    """The smallest change to ``sentence`` that covers ``[span_start, span_end)`` and takes the
    rewrite's wording there, or None when the rewrite does not change the span."""
    a, b = tokens(sentence), tokens(rewrite)
    span_idx = [i for i, (s, e, _) in enumerate(a) if s < span_end and e > span_start]
    if not span_idx or not b:
        return None
    sa, sb = span_idx[0], span_idx[-1] + 1
    matcher = difflib.SequenceMatcher(None, [_norm(t) for *_, t in a], [_norm(t) for *_, t in b],
                                      autojunk=False)
    touching = [
        op for op in matcher.get_opcodes()
        if op[0] != "equal" and op[1] <= sb and op[2] >= sa
    ]
    if not touching:
        return None
    first, last = touching[0], touching[-1]
    ia, ib = min(sa, first[1]), max(sb, last[2])
    # Tokens between the region's edges and the touching stretches are equal on both sides.
    ja, jb = first[3] - (first[1] - ia), last[4] + (ib - last[2])
    start, end = a[ia][0], a[ib - 1][1]
    new = rewrite[b[ja][0] : b[jb - 1][1]] if jb > ja else ""
    start, end = min(start, span_start), max(end, span_end)
    if not new:
        # Deleting words: take one neighbouring space with them so no double space is left.
        if end < len(sentence) and sentence[end] == " ":
            end += 1
        elif start > 0 and sentence[start - 1] == " ":
            start -= 1
    head = sentence[start : a[ia][0]] if a[ia][0] > start else ""
    tail = sentence[a[ib - 1][1] : end] if end > a[ib - 1][1] and new else ""
    replacement = head + new + tail if new else ""
    if replacement == sentence[start:end]:
        return None
    return Region(start, end, replacement, sentence[:start] + replacement + sentence[end:])
