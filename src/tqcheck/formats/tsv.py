"""Aligned files with source and target columns: TSV (tab, no quoting) and CSV (RFC 4180).

Columns: a header naming them (``source``/``target``, ``src``/``tgt``, or language codes such
as ``en``/``fr-FR``), else the first column is the source and the second the target. Other
columns (ids, notes) are kept as they are. Offsets of every field are tracked by our own small
tokenizer, since the csv module cannot give them; a quoted CSV field's doubled quotes are
"ref" pieces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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

_SOURCE_NAMES = {"source", "src", "original", "source text", "source_text"}
_TARGET_NAMES = {"target", "tgt", "translation", "target text", "target_text"}
_LANG_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def _fields_tsv(text: str) -> list[list[Side]]:
    rows: list[list[Side]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        row, start = [], pos
        for cell in body.split("\t"):
            side = Side(start=start, end=start + len(cell), present=True)
            if cell:
                side.pieces.append(Piece(start, start + len(cell), "text", cell))
            row.append(side)
            start += len(cell) + 1
        pos += len(line)
        if body.strip():
            rows.append(row)
    return rows


def _fields_csv(text: str, name: str, delimiter: str = ",") -> list[list[Side]]:
    rows: list[list[Side]] = []
    row: list[Side] = []
    i, n = 0, len(text)
    while i <= n:
        if i < n and text[i] == '"':
            side = Side(start=i + 1, present=True)
            j = i + 1
            run = j
            while True:
                if j >= n:
                    raise InputError(f"{name}: unterminated quoted field starting at offset {i}")
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        if j > run:
                            side.pieces.append(Piece(run, j, "text", text[run:j]))
                        side.pieces.append(Piece(j, j + 2, "ref", '"'))
                        j += 2
                        run = j
                        continue
                    break
                j += 1
            if j > run:
                side.pieces.append(Piece(run, j, "text", text[run:j]))
            side.end = j
            side.quoted = True
            i = j + 1
            # Anything between the closing quote and the delimiter is tolerated and ignored.
            while i < n and text[i] not in delimiter + "\r\n":
                i += 1
        else:
            j = i
            while j < n and text[j] not in delimiter + "\r\n":
                j += 1
            side = Side(start=i, end=j, present=True)
            if j > i:
                side.pieces.append(Piece(i, j, "text", text[i:j]))
            i = j
        row.append(side)
        if i < n and text[i] == delimiter:
            i += 1
            continue
        # End of a record.
        if any(s.clean.strip() for s in row):
            rows.append(row)
        row = []
        if i >= n:
            break
        i += 2 if text.startswith("\r\n", i) else 1
        if i >= n:
            break
    return rows


_ID_NAMES = {"id", "key", "ref", "nr", "no", "#"}


def _columns(header: list[str]) -> tuple[int, int, str | None, str | None] | None:
    names = [h.strip().lower() for h in header]
    src = next((k for k, h in enumerate(names) if h in _SOURCE_NAMES), None)
    tgt = next((k for k, h in enumerate(names) if h in _TARGET_NAMES), None)
    if src is not None and tgt is not None:
        return src, tgt, None, None
    codes = [k for k, h in enumerate(header) if _LANG_CODE.match(h.strip())]
    if len(codes) > 2:  # "id" or "no" next to two real language columns is an id column
        codes = [k for k in codes if names[k] not in _ID_NAMES]
    if len(codes) >= 2:
        return codes[0], codes[1], header[codes[0]].strip(), header[codes[1]].strip()
    return None


def parse_table(text: str, name: str = "<tsv>", fmt: str = "tsv") -> Document:
    delimiter = "\t" if fmt == "tsv" else (";" if _semicolons(text) else ",")
    rows = _fields_tsv(text) if fmt == "tsv" else _fields_csv(text, name, delimiter)
    if not rows:
        raise InputError(f"{name}: no rows")
    cols = _columns([s.clean for s in rows[0]])
    src_lang = tgt_lang = None
    header = [s.clean.strip().lower() for s in rows[0]]
    id_col = next((k for k, h in enumerate(header) if h in _ID_NAMES), None) if cols is not None else None
    if cols is not None:
        src_col, tgt_col, src_lang, tgt_lang = cols
        rows = rows[1:]
        first_line = 2
    else:
        src_col, tgt_col, first_line = 0, 1, 1
    if any(len(r) < 2 for r in rows):
        bad = next(k for k, r in enumerate(rows) if len(r) < 2) + first_line
        sep = "tab" if fmt == "tsv" else "comma"
        raise InputError(f"{name}: row {bad} has no target column; expected source{sep}target")
    units = []
    for k, row in enumerate(rows):
        target = row[tgt_col] if tgt_col < len(row) else Side()
        uid = row[id_col].clean.strip() if id_col is not None and id_col < len(row) else ""
        units.append(Unit(id=uid or str(k + first_line), source=row[src_col], target=target))
    return build_document(text, name, fmt, units, language=base_language(tgt_lang),
                          source_language=base_language(src_lang),
                          meta={"columns": (src_col, tgt_col), "delimiter": delimiter})


def _semicolons(text: str) -> bool:
    """European spreadsheets write CSV with semicolons."""
    first = text.split("\n", 1)[0]
    return first.count(";") > first.count(",")


def _escape_tsv(replacement: str, side: Side, cdata: bool) -> str | None:
    return None if any(c in replacement for c in "\t\r\n") else replacement


def escaper(doc: Document) -> Escaper:
    if doc.format == "tsv":
        return _escape_tsv
    delimiter = str(doc.meta.get("delimiter", ","))

    def escape(replacement: str, side: Side, cdata: bool) -> str | None:
        # A quoted cell doubles its quotes; an unquoted one cannot take a delimiter, quote or newline.
        if side.quoted:
            return replacement.replace('"', '""')
        return None if any(c in replacement for c in delimiter + '"\r\n') else replacement

    return escape


def write_back(doc: Document, edits: Iterable[object], rejected: list[Rejected] | None = None) -> bytes:
    """The file with the edits applied to the target cells; every other byte unchanged."""
    return write_back_with(doc, edits, escaper(doc), rejected)
