"""XLIFF 1.2 and 2.x: one unit per ``trans-unit`` (1.2) or per ``segment`` of a ``unit`` (2.x).

Inline markup inside ``source``/``target`` becomes tag pieces: paired content elements
(``g``, ``mrk``, ``pc``) give one piece per opening and closing tag, the text between them is
translatable; native-code elements (``bpt``, ``ept``, ``ph`` with content, ``it``) are one
piece from their start tag to their end tag, content included, so nobody edits inside them.
Targets inside ``alt-trans`` (1.2) are suggestions, not the translation, and are skipped.
"""

from __future__ import annotations

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
from tqcheck.formats.xmlscan import Token, ensure_safe_xml, escape_text, scan

#: Elements whose content is native code, not text (masked whole).
CODE_ELEMENTS = {"bpt", "ept", "ph", "it", "ut"}
#: Id attributes, in order of preference, that pair tags across source and target.
_ID_ATTRS = ("id", "rid", "i", "x", "startRef", "mtype")


def tag_signature(tok: Token) -> str:
    ident = next((tok.attrs[a] for a in _ID_ATTRS if a in tok.attrs), "")
    return f"{'/' if tok.kind == 'end' else ''}{tok.name}:{ident}"


def collect_side(tokens: list[Token], i: int, name: str) -> tuple[Side, int]:
    """Read the content of the element whose start tag is ``tokens[i]``; returns (side, next index)."""
    open_tok = tokens[i]
    if open_tok.kind == "empty":
        return Side(start=open_tok.end, end=open_tok.end, present=True, editable=False), i + 1
    side = Side(start=open_tok.end, present=True)
    depth = 0
    stack: list[Token] = []
    i += 1
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "end" and depth == 0:
            side.end = tok.start
            return side, i + 1
        if tok.kind == "start" and tok.name in CODE_ELEMENTS:
            # Swallow everything up to the matching end tag as one native-code piece.
            level, j = 1, i + 1
            while j < len(tokens) and level:
                level += {"start": 1, "end": -1}.get(tokens[j].kind, 0)
                j += 1
            side.pieces.append(Piece(tok.start, tokens[j - 1].end, "tag", tag_signature(tok)))
            i = j
            continue
        if tok.kind == "start":
            depth += 1
            stack.append(tok)
            side.pieces.append(Piece(tok.start, tok.end, "tag", tag_signature(tok)))
        elif tok.kind == "end":
            depth -= 1
            opener = stack.pop() if stack else tok
            closer = Token("end", tok.start, tok.end, name=tok.name, attrs=opener.attrs)
            side.pieces.append(Piece(tok.start, tok.end, "tag", tag_signature(closer)))
        elif tok.kind == "empty":
            side.pieces.append(Piece(tok.start, tok.end, "tag", tag_signature(tok)))
        elif tok.kind == "text":
            side.pieces.append(Piece(tok.start, tok.end, "text", tok.value))
        elif tok.kind == "ref":
            side.pieces.append(Piece(tok.start, tok.end, "ref", tok.value))
        elif tok.kind == "cdata":
            a, b = tok.inner
            side.pieces.append(Piece(tok.start, a, "join"))
            side.pieces.append(Piece(a, b, "text", tok.value, cdata=True))
            side.pieces.append(Piece(b, tok.end, "join"))
        else:  # comments and processing instructions inside a text: not text
            side.pieces.append(Piece(tok.start, tok.end, "join"))
        i += 1
    raise InputError(f"{name}: unterminated <{open_tok.name}> element")  # the safe parse catches it first


def _text_of(tokens: list[Token], i: int, name: str) -> tuple[str, int]:
    side, j = collect_side(tokens, i, name)
    return side.clean, j


def parse_xliff(text: str, name: str = "<xliff>") -> Document:
    root = ensure_safe_xml(text, name)
    if root.tag.rpartition("}")[2] != "xliff":
        raise InputError(f"{name}: not an XLIFF file (root element is <{root.tag.rpartition('}')[2]}>)")
    version = root.get("version") or ""
    two = version.startswith("2")
    tokens = list(scan(text))
    src_lang = root.get("srcLang") if two else None
    tgt_lang = root.get("trgLang") if two else None
    units: list[Unit] = []
    current: Unit | None = None
    seg_count = 0
    unit_id = ""
    skip_depth = 0  # inside alt-trans (1.2) or an untranslatable unit
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind in ("start", "empty"):
            if skip_depth and tok.kind == "start":
                skip_depth += 1
                i += 1
                continue
            if skip_depth:
                i += 1
                continue
            if tok.name == "file" and not two:
                src_lang = src_lang or tok.attrs.get("source-language")
                tgt_lang = tgt_lang or tok.attrs.get("target-language")
            elif tok.name == "alt-trans" or (tok.name == "ignorable" and two):
                if tok.kind == "start":
                    skip_depth = 1
            elif tok.name == "trans-unit" and not two:
                current = Unit(id=tok.attrs.get("id", str(len(units) + 1)), source=Side(), target=Side(),
                               context=tok.attrs.get("resname", ""))
                if tok.attrs.get("translate") == "no":
                    current.flags.add("locked")
                if tok.attrs.get("approved") == "yes":
                    current.flags.add("approved")
            elif tok.name == "unit" and two:
                unit_id, seg_count = tok.attrs.get("id", str(len(units) + 1)), 0
                current = None
            elif tok.name == "segment" and two:
                seg_count += 1
                sid = tok.attrs.get("id") or (unit_id if seg_count == 1 else f"{unit_id}#{seg_count}")
                current = Unit(id=sid, source=Side(), target=Side())
                if tok.attrs.get("state"):
                    current.flags.add(f"state:{tok.attrs['state']}")
            elif tok.name in ("source", "target") and current is not None:
                side, i = collect_side(tokens, i, name)
                if tok.name == "source":
                    current.source = side
                else:
                    current.target = side
                    if tok.attrs.get("state"):
                        current.flags.add(f"state:{tok.attrs['state']}")
                continue
            elif tok.name == "note" and current is not None and tok.kind == "start":
                note, i = _text_of(tokens, i, name)
                current.note = (current.note + "\n" + note).strip()
                continue
        elif tok.kind == "end":
            if skip_depth:
                skip_depth -= 1
            elif (tok.name == "trans-unit" and not two) or (tok.name == "segment" and two):
                if current is not None and current.source.present and "locked" not in current.flags:
                    units.append(current)
                current = None
        i += 1
    fmt = "xliff2" if two else "xliff"
    return build_document(text, name, fmt, units, language=base_language(tgt_lang),
                          source_language=base_language(src_lang),
                          meta={"xliff_version": version, "target_locale": tgt_lang, "source_locale": src_lang})


def _escape(replacement: str, side: Side, cdata: bool) -> str | None:
    if cdata:
        return None if "]]>" in replacement else replacement
    return escape_text(replacement)


def write_back(doc: Document, edits: Iterable[object], rejected: list[Rejected] | None = None) -> bytes:
    """The file with the edits applied to target texts; every other byte unchanged."""
    return write_back_with(doc, edits, _escape, rejected)


def escaper(doc: Document) -> Escaper:
    return _escape
