"""What every bilingual reader (XLIFF, PO, TMX, TSV/CSV) shares: units, the masked document,
and write-back that splices corrected targets into the original text.

For a bilingual file ``Document.text`` is the whole original file, so offsets, lines and
columns point into the real file. ``Document.check_text`` blanks everything except the
target texts: markup, sources, notes and headers become spaces; inline tags inside a target
become U+FFFC (neither space nor word, so no rule fires on them and no word is glued to
another); an escape or entity reference (``&amp;``, ``\\n``) shows its decoded character
followed by U+FFFC padding so lengths still match. Each unit with a target gets one segment
whose ``source`` is the unit's source text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from tqcheck.document import Document, Segment

MASK = "\ufffc"


@dataclass
class Piece:
    """A run of a source or target text in the file."""

    start: int
    end: int
    #: "text" (copied as is), "ref" (an escape or entity: ``value`` is what it stands for),
    #: "tag" (an inline tag: ``value`` is its signature, e.g. ``g:1``), "join" (syntax between
    #: parts of one text, e.g. PO's ``"\n"`` between string lines, CDATA brackets).
    kind: str
    value: str = ""
    #: Inside a CDATA section (write-back must not escape there).
    cdata: bool = False


@dataclass
class Side:
    """The source or target of a unit: where it is and what it says."""

    pieces: list[Piece] = field(default_factory=list)
    #: Offsets of the content in the file (equal when empty).
    start: int = 0
    end: int = 0
    present: bool = False
    #: False when the text cannot be written in place (e.g. ``<target/>``).
    editable: bool = True
    #: Written inside quotes (a quoted CSV cell): write-back escapes accordingly.
    quoted: bool = False

    @property
    def plain(self) -> str:
        """The decoded text with one U+FFFC per inline tag."""
        return "".join(p.value if p.kind in ("text", "ref") else (MASK if p.kind == "tag" else "")
                       for p in self.pieces)

    @property
    def clean(self) -> str:
        """The decoded text without tags, for models and display."""
        return "".join(p.value for p in self.pieces if p.kind in ("text", "ref"))

    @property
    def tags(self) -> list[str]:
        return [p.value for p in self.pieces if p.kind == "tag"]

    def mapping(self) -> list[tuple[int, int]]:
        """For each character of :attr:`plain`, the file span it comes from."""
        out: list[tuple[int, int]] = []
        for p in self.pieces:
            if p.kind == "text":
                out.extend((p.start + i, p.start + i + 1) for i in range(len(p.value)))
            elif p.kind == "ref":
                out.extend((p.start, p.end) for _ in p.value)
            elif p.kind == "tag":
                out.append((p.start, p.end))
        return out


@dataclass
class Unit:
    """One translation unit (a PO entry's msgstr, an XLIFF segment, a TMX tu, a TSV row)."""

    id: str
    source: Side
    target: Side
    #: msgctxt, resname: what disambiguates identical sources.
    context: str = ""
    note: str = ""
    #: "fuzzy", "state:needs-translation", "locked", ...
    flags: set[str] = field(default_factory=set)
    #: Set by the document builder: the segment index of the target, if any.
    segment: int | None = None

    @property
    def translated(self) -> bool:
        return self.target.present and bool(self.target.clean.strip())


def text_pieces(raw: str, start: int, decode: Callable[[str], Iterable[tuple[int, int, str, str]]]) -> list[Piece]:
    """Pieces of one escaped string: ``decode`` yields (rel_start, rel_end, kind, value)."""
    return [Piece(start + a, start + b, kind, value) for a, b, kind, value in decode(raw)]


def base_language(code: str | None) -> str | None:
    """"fr-FR" -> "fr"; None and "*all*" -> None."""
    if not code or code.startswith("*"):
        return None
    return re.split(r"[-_@.]", code.strip())[0].lower() or None


def build_document(text: str, name: str, fmt: str, units: Sequence[Unit], *, language: str | None,
                   source_language: str | None, meta: dict[str, object]) -> Document:
    """The masked document with one segment per translated unit."""
    chars = [c if c in "\r\n" else " " for c in text]
    segments: list[Segment] = []
    for u in units:
        for p in u.target.pieces:
            if p.kind == "text":
                chars[p.start:p.end] = text[p.start:p.end]
            elif p.kind == "ref":
                value = (p.value + MASK * (p.end - p.start))[: p.end - p.start]
                chars[p.start:p.end] = value
            else:
                chars[p.start:p.end] = MASK * (p.end - p.start)
    check_text = "".join(chars)
    for number, u in enumerate(units):
        if not u.translated:
            continue
        start, end = _trimmed_span(u.target.pieces)
        if end <= start:
            continue
        u.segment = len(segments)
        segments.append(Segment(index=len(segments), start=start, end=end, text=check_text[start:end],
                                paragraph=number, source=u.source.clean if u.source.present else None))
    if language is None:
        language = _detect(u.target.clean for u in units)
        meta = {**meta, "language_detected": language is not None}
    if source_language is None:
        source_language = _detect(u.source.clean for u in units)
    info = {**meta, "bilingual": True, "units": list(units), "declared_language": language,
            "declared_source_language": source_language}
    doc = Document(text=text, path=name, check_text=check_text, segments=segments, format=fmt, meta=info)
    if language:
        doc.language = language
    doc.source_language = source_language
    return doc


def _trimmed_span(pieces: Sequence[Piece]) -> tuple[int, int]:
    """The span of a text without leading/trailing whitespace, tags and syntax; never cuts an
    escape or entity in half."""
    start = end = -1
    for p in pieces:
        if p.kind == "ref" and p.value.strip():
            start = p.start
        elif p.kind == "text" and p.value.strip():
            start = p.start + len(p.value) - len(p.value.lstrip())
        if start >= 0:
            break
    for p in reversed(pieces):
        if p.kind == "ref" and p.value.strip():
            end = p.end
        elif p.kind == "text" and p.value.strip():
            end = p.start + len(p.value.rstrip())
        if end >= 0:
            break
    return start, end


def _detect(texts: Iterable[str]) -> str | None:
    """The language of a side the file does not declare (PO without a Language header, TSV/CSV
    without language columns), from its texts; None when there is too little text to tell."""
    sample = " ".join(t for t in texts if t.strip())[:5000]
    if len(sample) < 20:
        return None
    from tqcheck.language import detect_language

    return detect_language(sample)


# ---------------------------------------------------------------------------------------------
# Write-back


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str


@dataclass
class Rejected:
    edit: Edit
    reason: str


#: escape(replacement, side, inside_cdata) -> text to splice, or None when it cannot be written.
Escaper = Callable[[str, Side, bool], "str | None"]


def _as_edit(e: object) -> Edit:
    if isinstance(e, Edit):
        return e
    if isinstance(e, tuple) and len(e) == 3:
        return Edit(int(e[0]), int(e[1]), str(e[2]))
    start, end = getattr(e, "start"), getattr(e, "end")  # noqa: B009 - duck-typed finding-like objects
    return Edit(int(start), int(end), str(getattr(e, "replacement")))  # noqa: B009


def plan_edits(doc: Document, edits: Iterable[object], escape: Escaper) -> tuple[list[Edit], list[Rejected]]:
    """Split edits into those that can be written (already escaped) and those that cannot.

    An edit is writable when it lies inside one unit's target, does not touch an inline tag,
    does not cut an escape or entity reference in half, and its text can be escaped for the
    format. Overlapping edits: the first (by position) wins.
    """
    units: list[Unit] = doc.meta.get("units", [])  # type: ignore[assignment]
    # Targets in file order, for a binary search per edit.
    targets = sorted((u for u in units if u.target.present), key=lambda u: u.target.start)
    starts = [u.target.start for u in targets]
    accepted: list[Edit] = []
    rejected: list[Rejected] = []
    last_end = -1
    for edit in sorted((_as_edit(e) for e in edits), key=lambda e: (e.start, e.end)):
        k = bisect.bisect_right(starts, edit.start)
        nearby = targets[max(0, k - 2):k + 1]
        reason, escaped = _check_edit(edit, nearby, escape)
        if reason is None and edit.start < last_end:
            reason = "overlaps another edit"
        if reason is not None or escaped is None:
            rejected.append(Rejected(edit, reason or "cannot be written in this format"))
            continue
        accepted.append(Edit(edit.start, edit.end, escaped))
        last_end = max(last_end, edit.end)
    return accepted, rejected


def _check_edit(edit: Edit, units: Sequence[Unit], escape: Escaper) -> tuple[str | None, str | None]:
    for u in units:
        t = u.target
        if not (t.present and t.start <= edit.start <= edit.end <= t.end):
            continue
        if not t.editable:
            return "the target cannot be edited in place", None
        cdata = False
        for p in t.pieces:
            overlaps = p.start < edit.end and edit.start < p.end
            if p.kind == "tag" and (overlaps or (edit.start == edit.end and p.start < edit.start < p.end)):
                return "touches an inline tag", None
            if p.kind in ("ref", "join") and overlaps and not (edit.start <= p.start and p.end <= edit.end):
                return "cuts an escape or reference in half", None
            if p.kind == "text" and p.cdata and overlaps:
                cdata = True
        return None, escape(edit.replacement, t, cdata)
    return "outside every target text", None


def splice(text: str, edits: Sequence[Edit]) -> str:
    out, pos = [], 0
    for e in edits:
        out.append(text[pos:e.start])
        out.append(e.replacement)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def encode_like(doc: Document, text: str) -> bytes:
    """Encode as the input was encoded (same encoding, BOM kept)."""
    import codecs

    encoding = str(doc.meta.get("encoding") or "utf-8")
    data = text.encode(encoding)
    if doc.meta.get("bom"):
        boms = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
                "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}
        data = boms.get(encoding, b"") + data
    return data


def text_with(doc: Document, edits: Iterable[object], escape: Escaper,
              rejected: list[Rejected] | None = None) -> str:
    """The file's text with the writable edits applied (escaped for the format)."""
    accepted, refused = plan_edits(doc, edits, escape)
    if rejected is not None:
        rejected.extend(refused)
    return splice(doc.text, accepted)


def write_back_with(doc: Document, edits: Iterable[object], escape: Escaper,
                    rejected: list[Rejected] | None = None) -> bytes:
    return encode_like(doc, text_with(doc, edits, escape, rejected))
