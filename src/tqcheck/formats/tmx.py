"""TMX: one unit per ``tu``, source from the ``tuv`` in the header's ``srclang``.

A TMX file may hold several target languages; the document checks one: the one asked for
(``target_lang``), else the most frequent non-source language. Inline elements (``bpt``,
``ept``, ``ph``, ``it``, ``ut`` with native code, ``hi`` around text) are tag pieces.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tqcheck.document import Document
from tqcheck.errors import InputError
from tqcheck.formats.bilingual import Escaper, Rejected, Side, Unit, base_language, build_document, write_back_with
from tqcheck.formats.xliff import _escape, collect_side
from tqcheck.formats.xmlscan import ensure_safe_xml, scan


def _lang(attrs: dict[str, str]) -> str:
    return attrs.get("xml:lang") or attrs.get("lang") or ""


def parse_tmx(text: str, name: str = "<tmx>", target_lang: str | None = None) -> Document:
    root = ensure_safe_xml(text, name)
    if root.tag.rpartition("}")[2] != "tmx":
        raise InputError(f"{name}: not a TMX file (root element is <{root.tag}>)")
    tokens = list(scan(text))
    srclang = ""
    tus: list[tuple[str, dict[str, Side]]] = []
    sides: dict[str, Side] | None = None
    tu_id, lang = "", ""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind in ("start", "empty"):
            if tok.name == "header":
                srclang = tok.attrs.get("srclang", "")
            elif tok.name == "tu" and tok.kind == "start":
                sides, tu_id = {}, tok.attrs.get("tuid", str(len(tus) + 1))
            elif tok.name == "tuv":
                lang = _lang(tok.attrs)
            elif tok.name == "seg" and sides is not None:
                side, i = collect_side(tokens, i, name)
                sides.setdefault(lang, side)
                continue
        elif tok.kind == "end" and tok.name == "tu" and sides is not None:
            tus.append((tu_id, sides))
            sides = None
        i += 1
    src_base = base_language(srclang)
    if src_base is None:  # "*all*": the first language of the first unit is the source
        src_base = base_language(next(iter(tus[0][1]), None)) if tus else None
    counts = Counter(base_language(lg) for _, s in tus for lg in s if base_language(lg) != src_base)
    target = base_language(target_lang) if target_lang and target_lang in counts else None
    target = target or (counts.most_common(1)[0][0] if counts else None)
    units: list[Unit] = []
    for tu_id, by_lang in tus:
        src = next((s for lg, s in by_lang.items() if base_language(lg) == src_base), None)
        tgt = next((s for lg, s in by_lang.items() if base_language(lg) == target), None)
        if src is None:
            continue
        units.append(Unit(id=tu_id, source=src, target=tgt or Side()))
    return build_document(text, name, "tmx", units, language=target, source_language=src_base,
                          meta={"tmx_languages": sorted(x for x in counts if x), "source_locale": srclang})


def write_back(doc: Document, edits: Iterable[object], rejected: list[Rejected] | None = None) -> bytes:
    """The file with the edits applied to the target ``seg`` texts; every other byte unchanged."""
    return write_back_with(doc, edits, _escape, rejected)


def escaper(doc: Document) -> Escaper:
    return _escape
