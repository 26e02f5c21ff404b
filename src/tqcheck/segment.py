"""Paragraph and sentence segmentation that keeps exact offsets.

Paragraphs are runs of non-blank lines; sentences come from pysbd (rule-based, handles
"U.S.", "Mr.", "4.5" and quotes). Segments are ordered, never overlap, and everything
between them is whitespace or masked text: ``doc.check_text[s.start:s.end] == s.text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from tqcheck.document import Document, Segment

#: pysbd is regex-heavy; beyond this a paragraph is split with a cheap rule first.
PYSBD_MAX_CHARS = 20_000
#: No segment is longer than this: models and the LM have bounded input.
MAX_SEGMENT_CHARS = 2_000

_PYSBD_LANGS = {
    "en", "hi", "mr", "zh", "es", "am", "ar", "hy", "bg", "ur", "ru", "pl", "fa", "nl", "da",
    "fr", "my", "el", "it", "ja", "de", "kk", "sk",
}
_BLANK_LINE = re.compile(r"\n[ \t\f\v\r]*\n|\r[ \t\f\v]*\r(?!\n)")
_MAYBE_BOUNDARY = re.compile(r"[.!?…。！？]\W*\s+\S|\n")
_CHEAP_SENTENCE = re.compile(r"(?<=[.!?…])[\"'”»)\]]*\s+")


@lru_cache(maxsize=8)
def _segmenter(language: str):  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language=language if language in _PYSBD_LANGS else "en", clean=False)


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each paragraph, trimmed of surrounding whitespace."""
    pos = 0
    for m in _BLANK_LINE.finditer(text):
        yield from _trimmed(text, pos, m.start())
        pos = m.end()
    yield from _trimmed(text, pos, len(text))


def _blankish(c: str) -> bool:
    # U+FFFC marks masked inline markup (code, tags, comments): never the edge of a segment.
    return c.isspace() or c == "\ufffc"


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and _blankish(text[start]):
        start += 1
    while end > start and _blankish(text[end - 1]):
        end -= 1
    if end > start:
        yield start, end


def _sentence_spans(text: str, start: int, end: int, language: str) -> Iterator[tuple[int, int]]:
    chunk = text[start:end]
    if len(chunk) > PYSBD_MAX_CHARS:
        pieces = _cheap_split(chunk)
    elif not _MAYBE_BOUNDARY.search(chunk):
        pieces = [(0, len(chunk))]  # no sentence mark inside: pysbd would not split (and is slow)
    else:
        pieces = _pysbd_split(chunk, language)
    for a, b in pieces:
        for c, d in _trimmed(text, start + a, start + b):
            yield from _cap_length(text, c, d)


def _pysbd_split(chunk: str, language: str) -> list[tuple[int, int]]:
    """Map pysbd's sentences back onto ``chunk`` by searching forward (robust to its quirks)."""
    try:
        sentences = _segmenter(language).segment(chunk)
    except Exception:  # pysbd raises on some pathological inputs; fall back, never fail
        return _cheap_split(chunk)
    spans, cursor = [], 0
    for sent in sentences:
        s = sent.strip()
        if not s:
            continue
        at = chunk.find(s, cursor)
        if at < 0:
            return _cheap_split(chunk)
        if spans and at > spans[-1][1] and not chunk[spans[-1][1]:at].isspace():
            spans[-1] = (spans[-1][0], at)  # glue skipped non-space characters to the previous one
        spans.append((at, at + len(s)))
        cursor = at + len(s)
    if spans and spans[-1][1] < len(chunk) and chunk[spans[-1][1]:].strip():
        spans[-1] = (spans[-1][0], len(chunk))
    if spans and spans[0][0] > 0 and chunk[: spans[0][0]].strip():
        spans[0] = (0, spans[0][1])
    return spans or [(0, len(chunk))]


def _cheap_split(chunk: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _CHEAP_SENTENCE.finditer(chunk):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(chunk)))
    return [(a, b) for a, b in spans if b > a]


def _cap_length(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut over-long sentences at whitespace (or hard, for a single giant word)."""
    while end - start > MAX_SEGMENT_CHARS:
        cut = text.rfind(" ", start + MAX_SEGMENT_CHARS // 2, start + MAX_SEGMENT_CHARS)
        cut = cut if cut > start else start + MAX_SEGMENT_CHARS
        yield from _trimmed(text, start, cut)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


def segment(doc: Document) -> Document:
    """Fill ``doc.segments`` from ``doc.check_text``; returns the same document."""
    text = doc.check_text
    segments: list[Segment] = []
    for p, (pstart, pend) in enumerate(paragraphs(text)):
        # Lines inside a paragraph that look like separate items (no sentence punctuation
        # at their end and a short length) are kept whole by the sentence splitter anyway.
        for start, end in _sentence_spans(text, pstart, pend, doc.language):
            segments.append(Segment(index=len(segments), start=start, end=end, text=text[start:end], paragraph=p))
    doc.segments = segments
    return doc


# Numbers with separators ("4,000", "3.5") count as one word, as do hyphenated words.
_WORD = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:[-'’]\w+)*")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
