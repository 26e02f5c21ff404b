"""Glossaries (CSV or TBX) and inflection-aware term matching.

A glossary entry maps a source term to the target terms that must be used (any one of them)
and the target terms that must not be used. Matching compares word stems (Snowball, when the
language has a stemmer) so "jihadist" matches "jihadists" and "djihadiste" matches
"djihadistes"; short all-capital terms (acronyms) must match case too.

CSV glossary: a header with ``source`` and ``target`` columns (or two language codes such as
``en,fr``), optionally ``forbidden`` and ``note``; several terms in one cell are separated by
``|``. Without a header: source, target[, forbidden].
TBX (v2 ``termEntry``/``langSet``/``tig`` or v3 ``conceptEntry``/``langSec``/``termSec``): a
term whose ``administrativeStatus``/``normativeAuthorization`` is deprecated, superseded or
not recommended is forbidden; the others are allowed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tqcheck.errors import ConfigError

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.U)
_SPLIT_WORD = re.compile(r"[^\W_]+", re.U)
_STEMMERS = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "fi": "finnish", "fr": "french", "hu": "hungarian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "nl": "dutch", "no": "norwegian", "nb": "norwegian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}
_FORBIDDEN_STATUS = re.compile(r"deprecated|superseded|notrecommended|not recommended|forbidden", re.I)


@dataclass
class TermEntry:
    source: str
    targets: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Glossary:
    entries: list[TermEntry]
    source_lang: str | None = None
    target_lang: str | None = None
    path: str = ""


@lru_cache(maxsize=32)
def _stemmer(lang: str | None):  # type: ignore[no-untyped-def]
    name = _STEMMERS.get((lang or "").lower())
    if not name:
        return None
    try:
        import snowballstemmer
    except ImportError:  # pragma: no cover - a core dependency, but degrade to prefixes
        return None
    return snowballstemmer.stemmer(name)


def stem(word: str, lang: str | None) -> str:
    w = word.lower().replace("’", "'")
    st = _stemmer(lang)
    if st is not None:
        return st.stemWord(w)
    # No stemmer: a prefix is a crude but language-neutral stem.
    return w[: max(4, len(w) - 3)] if len(w) > 5 else w


def tokens(text: str) -> list[tuple[int, int, str]]:
    """Words with offsets; hyphenated and elided words are split into their parts."""
    return [(m.start(), m.end(), m.group()) for m in _SPLIT_WORD.finditer(text)]


def find_term(term: str, text: str, lang: str | None, words: list[tuple[int, int, str]] | None = None
              ) -> Iterator[tuple[int, int]]:
    """Spans of ``text`` where ``term`` occurs, inflected or not."""
    parts = tokens(term)
    if not parts:
        return
    words = tokens(text) if words is None else words
    acronym = len(term) <= 4 and term.isupper()
    wanted = [p[2] if acronym else stem(p[2], lang) for p in parts]
    got = [w[2] if acronym else stem(w[2], lang) for w in words]
    n = len(wanted)
    for i in range(len(got) - n + 1):
        if got[i:i + n] == wanted:
            yield words[i][0], words[i + n - 1][1]


def _split_terms(cell: str) -> list[str]:
    return [t.strip() for t in re.split(r"[|]", cell or "") if t.strip()]


def load_glossary(path: str | Path) -> Glossary:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: glossary file not found")
    try:
        text = p.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read glossary ({exc})") from None
    if p.suffix.lower() in (".tbx", ".xml") or text.lstrip().startswith("<"):
        return _load_tbx(text, str(p))
    return _load_csv(text, str(p))


def _load_csv(text: str, name: str) -> Glossary:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else (";" if first.count(";") > first.count(",") else ",")
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)]
    if not rows:
        raise ConfigError(f"{name}: the glossary is empty")
    head = [c.strip().lower() for c in rows[0]]
    src_lang = tgt_lang = None
    cols = {"source": 0, "target": 1, "forbidden": 2, "note": 3}
    if "source" in head and "target" in head:
        cols = {k: head.index(k) for k in ("source", "target", "forbidden", "note") if k in head}
        rows = rows[1:]
    elif len(head) >= 2 and all(re.fullmatch(r"[a-z]{2,3}(?:[-_][a-z0-9]+)*", h) for h in head[:2]):
        src_lang, tgt_lang = head[0], head[1]
        rows = rows[1:]
    entries = []
    for number, row in enumerate(rows, 2):
        def cell(key: str, row: list[str] = row) -> str:
            k = cols.get(key)
            return row[k] if k is not None and k < len(row) else ""

        source = cell("source").strip()
        if not source:
            raise ConfigError(f"{name}: row {number} has no source term")
        entry = TermEntry(source, _split_terms(cell("target")), _split_terms(cell("forbidden")), cell("note"))
        if not entry.targets and not entry.forbidden:
            raise ConfigError(f"{name}: row {number} ({source!r}) names no target or forbidden term")
        entries.append(entry)
    return Glossary(entries, src_lang, tgt_lang, name)


def _load_tbx(text: str, name: str) -> Glossary:
    from tqcheck.errors import InputError
    from tqcheck.formats.xmlscan import ensure_safe_xml

    try:
        root = ensure_safe_xml(text, name)
    except InputError as exc:
        raise ConfigError(str(exc)) from None

    def local(tag: str) -> str:
        return tag.rpartition("}")[2]

    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    src_lang = root.get("srcLang") or next(
        (el.get(xml_lang) for el in root.iter() if local(el.tag) == "martif"), None)
    concepts = []
    for el in root.iter():
        if local(el.tag) in ("termEntry", "conceptEntry"):
            by_lang: dict[str, list[tuple[str, bool]]] = {}
            for ls in el:
                if local(ls.tag) not in ("langSet", "langSec"):
                    continue
                lang = (ls.get(xml_lang) or ls.get("lang") or "").lower()
                for holder in ls.iter():
                    if local(holder.tag) not in ("tig", "termSec", "ntig"):
                        continue
                    term = next((t.text or "" for t in holder.iter() if local(t.tag) == "term"), "").strip()
                    status = " ".join((n.text or "") for n in holder.iter()
                                      if local(n.tag) in ("termNote", "descrip")
                                      and (n.get("type") or "") in ("administrativeStatus",
                                                                    "normativeAuthorization"))
                    if term:
                        by_lang.setdefault(lang, []).append((term, bool(_FORBIDDEN_STATUS.search(status))))
            concepts.append(by_lang)
    if not concepts:
        raise ConfigError(f"{name}: no termEntry or conceptEntry found in the TBX file")
    return _TbxGlossary(concepts, src_lang, name)


class _TbxGlossary(Glossary):
    """A TBX file holds every language; entries are picked once the language pair is known."""

    def __init__(self, concepts: list[dict[str, list[tuple[str, bool]]]], src_lang: str | None, name: str):
        super().__init__([], (src_lang or "").lower() or None, None, name)
        self.concepts = concepts

    def for_pair(self, src: str | None, tgt: str | None) -> list[TermEntry]:
        def pick(by_lang: dict[str, list[tuple[str, bool]]], lang: str | None) -> list[tuple[str, bool]]:
            if not lang:
                return []
            return [t for code, terms in by_lang.items() if code.split("-")[0] == lang for t in terms]

        out = []
        for c in self.concepts:
            sources = [t for t, bad in pick(c, src) if not bad]
            targets = pick(c, tgt)
            allowed = [t for t, bad in targets if not bad]
            forbidden = [t for t, bad in targets if bad]
            for s in sources:
                if allowed or forbidden:
                    out.append(TermEntry(s, allowed, forbidden))
        return out


def entries_for(glossary: Glossary, src: str | None, tgt: str | None) -> list[TermEntry]:
    if isinstance(glossary, _TbxGlossary):
        return glossary.for_pair(src, tgt)
    if glossary.source_lang and src and glossary.source_lang.split("-")[0] != src:
        return []
    if glossary.target_lang and tgt and glossary.target_lang.split("-")[0] != tgt:
        return []
    return glossary.entries
