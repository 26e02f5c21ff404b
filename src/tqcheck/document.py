"""Documents and segments with exact character offsets, and offset <-> line/column conversion.

Offsets are Python string indices (Unicode code points) into the untouched original text.
``Document.check_text`` has the same length as ``text`` but blanks out regions that must not
be checked (Markdown code, front matter, link targets, comments), so signals that read it can
never fire inside them while every offset still points into the original.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Segment:
    """A sentence (or a line of page furniture) of a document."""

    index: int
    start: int
    end: int
    #: The text to check: ``check_text[start:end]`` (masked regions blanked).
    text: str
    paragraph: int = 0
    #: Marked by the boilerplate rule: excluded from the score and the word count.
    non_content: bool = False
    #: Per-signal numbers (round-trip text and chrF, fluency, similarity, ...).
    signals: dict[str, Any] = field(default_factory=dict)
    #: For bilingual documents: the aligned source text, if known.
    source: str | None = None


@dataclass
class Document:
    text: str
    path: str = "<text>"
    #: Target language of the text (ISO 639-1), e.g. "en".
    language: str = "en"
    #: Language the text was (probably) translated from, if known.
    source_language: str | None = None
    #: Same length as ``text``; masked regions replaced by spaces (newlines kept).
    check_text: str = ""
    segments: list[Segment] = field(default_factory=list)
    #: Format the reader recognised ("text", "markdown", ...).
    format: str = "text"
    #: The whole source document when the user gave one.
    source_text: str | None = None
    #: Reader-specific metadata (encoding, BOM, line endings...).
    meta: dict[str, Any] = field(default_factory=dict)
    _offsets: OffsetMap | None = field(default=None, repr=False, compare=False)
    # Cache for segment_at: the list it was built from, and its starts.
    _starts: list[int] = field(default_factory=list, repr=False, compare=False)
    _starts_for: list[Segment] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.check_text:
            self.check_text = self.text
        if len(self.check_text) != len(self.text):
            raise ValueError("check_text must have the same length as text")

    @property
    def offsets(self) -> OffsetMap:
        if self._offsets is None:
            self._offsets = OffsetMap(self.text)
        return self._offsets

    def segment_at(self, offset: int) -> Segment | None:
        """The segment containing ``offset`` (binary search over ordered segments)."""
        if self._starts_for is not self.segments or len(self._starts) != len(self.segments):
            self._starts = [s.start for s in self.segments]
            self._starts_for = self.segments
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.segments[i].start <= offset < max(self.segments[i].end, offset + 1):
            return self.segments[i]
        return None


@dataclass(frozen=True)
class Position:
    """A 1-based line and 1-based columns in three units, as renderers need them."""

    line: int
    column: int  # characters (code points)
    column_utf8: int  # UTF-8 bytes
    column_utf16: int  # UTF-16 code units


class OffsetMap:
    """Converts code-point offsets to line/column and to UTF-8 / UTF-16 offsets.

    Lines end at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac files), so CR-only files get
    correct line numbers too.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c == "\r":
                if i + 1 < n and text[i + 1] == "\n":
                    i += 1
                starts.append(i + 1)
            elif c == "\n":
                starts.append(i + 1)
            i += 1
        self.line_starts = starts
        # Fast path: pure-ASCII text needs no unit conversion.
        self._ascii = text.isascii()

    def position(self, offset: int) -> Position:
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} outside text of length {len(self.text)}")
        line = bisect.bisect_right(self.line_starts, offset) - 1
        line_start = self.line_starts[line]
        prefix = self.text[line_start:offset]
        if self._ascii:
            col8 = col16 = len(prefix)
        else:
            col8 = len(prefix.encode("utf-8", "surrogatepass"))
            col16 = utf16_len(prefix)
        return Position(line + 1, len(prefix) + 1, col8 + 1, col16 + 1)

    def utf8_offset(self, offset: int) -> int:
        if self._ascii:
            return offset
        return len(self.text[:offset].encode("utf-8", "surrogatepass"))

    def utf16_offset(self, offset: int) -> int:
        if self._ascii:
            return offset
        return utf16_len(self.text[:offset])


def utf16_len(s: str) -> int:
    """Length of ``s`` in UTF-16 code units (characters outside the BMP count twice)."""
    # The codec runs in C: ~100x faster than counting astral characters in Python on long lines.
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def utf16_to_offset(text: str, units: int) -> int:
    """Inverse of :func:`utf16_len` on a prefix: the code-point offset of a UTF-16 offset."""
    count = 0
    for i, c in enumerate(text):
        if count >= units:
            return i
        count += 2 if ord(c) > 0xFFFF else 1
    return len(text)
