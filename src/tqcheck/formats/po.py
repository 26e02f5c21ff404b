"""Gettext PO: one unit per ``msgstr`` (``msgstr[n]`` for plurals), with offsets into the file.

A PO string is split over quoted lines (``msgstr ""`` then ``"first part "`` ``"second"``);
the quotes and line breaks between parts are "join" pieces (masked, decode to nothing), C
escapes (``\\n``, ``\\"``) are "ref" pieces. The header entry (``msgid ""``) gives the
language; obsolete entries (``#~``) are skipped; ``#, fuzzy`` becomes a flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from tqcheck.document import Document
from tqcheck.errors import InputError
from tqcheck.formats.bilingual import (
    Escaper,
    Piece,
    Rejected,
    Side,
    Unit,
    base_language,
    build_document,
    write_back_with,
)

_KEYWORD = re.compile(r'^[ \t]*(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)[ \t]+(?=")')
_STRING = re.compile(r'"((?:[^"\\\r\n]|\\.)*)"[ \t]*$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f",
            "v": "\v", "?": "?", "'": "'"}
_ESCAPE = re.compile(r'\\(x[0-9A-Fa-f]+|[0-7]{1,3}|.)')


def decode_c_string(raw: str) -> Iterator[tuple[int, int, str, str]]:
    pos = 0
    for m in _ESCAPE.finditer(raw):
        if m.start() > pos:
            yield pos, m.start(), "text", raw[pos:m.start()]
        code = m.group(1)
        if code[0] == "x" and len(code) > 1:
            value = chr(int(code[1:], 16))
        elif code[0] in "01234567":
            value = chr(int(code, 8))
        else:
            value = _ESCAPES.get(code, code)
        yield m.start(), m.end(), "ref", value
        pos = m.end()
    if pos < len(raw):
        yield pos, len(raw), "text", raw[pos:]


def escape_c(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
            .replace("\r", "\\r"))


@dataclass
class _Field:
    sides: list[Side] = field(default_factory=list)

    def add(self, start: int, raw: str) -> None:
        if not self.sides:
            self.sides.append(Side(start=start, end=start + len(raw), present=True))
        else:
            side = self.sides[-1]
            side.pieces.append(Piece(side.end, start, "join"))
            side.end = start + len(raw)
        for a, b, kind, value in decode_c_string(raw):
            self.sides[-1].pieces.append(Piece(start + a, start + b, kind, value))

    @property
    def side(self) -> Side:
        return self.sides[0] if self.sides else Side()


@dataclass
class _Entry:
    line: int
    fields: dict[str, _Field] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    comments: list[str] = field(default_factory=list)
    obsolete: bool = False


def _entries(text: str, name: str) -> list[_Entry]:
    entries: list[_Entry] = []
    entry: _Entry | None = None
    current: _Field | None = None
    pos = 0
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        start, body = pos, line.rstrip("\r\n")
        pos += len(line)
        stripped = body.strip()
        if not stripped:
            entry, current = None, None
            continue
        if stripped.startswith("#"):
            if entry is None or entry.fields:
                entry = _Entry(number)
                entries.append(entry)
                current = None
            if stripped.startswith("#~"):
                entry.obsolete = True
            elif stripped.startswith("#,"):
                entry.flags.update(f.strip() for f in stripped[2:].split(",") if f.strip())
            elif stripped.startswith(("#.", "# ")) or stripped == "#":
                entry.comments.append(stripped[2:].strip())
            continue
        kw = _KEYWORD.match(body)
        if kw:
            key = kw.group(1)
            if entry is None or (key == "msgctxt" and entry.fields) or (key == "msgid" and "msgid" in entry.fields):
                entry = _Entry(number)
                entries.append(entry)
            current = entry.fields.setdefault(key, _Field())
            rest_at = kw.end()
        elif stripped.startswith('"') and current is not None:
            rest_at = len(body) - len(body.lstrip())
        else:
            raise InputError(f"{name}: line {number}: not a PO line: {stripped[:40]!r}")
        m = _STRING.match(body, rest_at)
        if not m:
            raise InputError(f"{name}: line {number}: badly quoted PO string")
        current.add(start + m.start(1), m.group(1))
    return entries


def _header_value(header: str, key: str) -> str | None:
    m = re.search(rf"^{re.escape(key)}:[ \t]*(.*?)\s*$", header, re.M | re.I)
    return m.group(1) if m and m.group(1) else None


def parse_po(text: str, name: str = "<po>") -> Document:
    units: list[Unit] = []
    language: str | None = None
    meta: dict[str, object] = {}
    nplurals: int | None = None
    for entry in _entries(text, name):
        if entry.obsolete or "msgid" not in entry.fields:
            continue
        msgid = entry.fields["msgid"].side
        ctx = entry.fields["msgctxt"].side.clean if "msgctxt" in entry.fields else ""
        if not msgid.clean and not ctx:
            header = entry.fields.get("msgstr", _Field()).side.clean
            language = _header_value(header, "Language")
            meta["plural_forms"] = _header_value(header, "Plural-Forms")
            m = re.search(r"nplurals\s*=\s*(\d+)", str(meta["plural_forms"] or ""))
            nplurals = int(m.group(1)) if m else None
            continue
        plural = entry.fields.get("msgid_plural")
        forms = sum(1 for k in entry.fields if k.startswith("msgstr"))
        first = len(units)
        for key, fld in entry.fields.items():
            if not key.startswith("msgstr"):
                continue
            index = int(key[7:-1]) if "[" in key else 0
            source = plural.side if plural is not None and index > 0 else msgid
            uid = (f"{ctx}\x04" if ctx else "") + msgid.clean + (f"[{index}]" if "[" in key else "")
            # Plural forms of one entry share a source but are different texts: the index is context.
            context = f"{ctx}[{index}]" if "[" in key else ctx
            unit = Unit(id=uid, source=source, target=fld.side, context=context, note="\n".join(entry.comments),
                        flags=set(entry.flags))
            units.append(unit)
        if plural is not None and nplurals is not None and forms != nplurals and len(units) > first:
            # The header's Plural-Forms says how many msgstr[n] each plural entry needs.
            units[first].flags.add(f"nplurals:{forms}/{nplurals}")
    meta["po_language"] = language
    return build_document(text, name, "po", units, language=base_language(language), source_language=None,
                          meta=meta)


def _escape(replacement: str, side: Side, cdata: bool) -> str:
    return escape_c(replacement)


def write_back(doc: Document, edits: Iterable[object], rejected: list[Rejected] | None = None) -> bytes:
    """The file with the edits applied to msgstr texts; every other byte unchanged."""
    return write_back_with(doc, edits, _escape, rejected)


def escaper(doc: Document) -> Escaper:
    return _escape
