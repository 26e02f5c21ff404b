"""Bilingual lexicons of false friends and calques, one TSV file per language pair.

``rules/data/lexicons/{src}-{tgt}.tsv`` (canonical copy: ``corpora/lexicons/``) holds one entry
per row; every row becomes a rule ``{type}.{src}-{tgt}.{id}`` (e.g.
``false-friend.fr-en.actually``), so adding German to English is adding ``de-en.tsv``.

Columns (tab-separated, ``#`` starts a comment line, the first non-comment line is the header):

``id``          slug, unique in the file; part of the rule id
``type``        ``false-friend`` (accuracy: the word means something else) or ``calque``
                (fluency: a word-for-word copy of a source idiom)
``pattern``     target-language pattern, tokens separated by spaces:
                ``word`` exact (case-insensitive); ``word:v`` any verb form (recognize,
                recognizes, recognized, recognizing, recognise...); ``word:n`` singular or plural;
                ``a|an|the`` alternatives (``_`` joins words: ``high_school``); a trailing
                ``?`` makes a token optional; ``*`` is any one word or none, ``**`` up to three
                words; ``DET``, ``POSS``, ``NUM`` are macros.
                ``<`` and ``>`` around tokens mark the part that is reported and replaced (default:
                the whole match); the rest is context.
``source``      the source-language word or phrase behind it
``suggest``     what the target usually says instead, alternatives separated by ``|``; a word
                written ``word:v`` / ``word:n`` is put in the form of the matched head word
``severity``    minor or major
``confidence``  0..1, how often a match really is the error (estimated from the conditions)
``conditions``  ``;``-separated ``key=regex`` clauses that must all hold, each a Python regex
                matched case-insensitively: ``after`` (text right after the match, leading
                spaces skipped), ``before`` (text right before it), ``near`` (anywhere in the
                sentence); prefix a key with ``!`` to require that it does *not* match. ``-``: none.
``fires``       an example sentence that must be flagged
``passes``      an example sentence of correct usage that must not be flagged
``note``        why: what the source word means and when the target word is right
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

from tqcheck.errors import ConfigError
from tqcheck.findings import Category, Severity
from tqcheck.rules.inflect import forms

COLUMNS = ("id", "type", "pattern", "source", "suggest", "severity", "confidence", "conditions",
           "fires", "passes", "note")
TYPES = {"false-friend": Category.ACCURACY, "calque": Category.FLUENCY}
#: With the source language unknown, only entries at least this confident run (see README).
UNKNOWN_SOURCE_MIN_CONFIDENCE = 0.8
#: ... and their confidence is scaled by this, because the source may not be the lexicon's.
UNKNOWN_SOURCE_FACTOR = 0.85
CONDITION_KEYS = {"after", "before", "near"}
_LANGUAGE = {"fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
             "nl": "Dutch", "en": "English"}

_MACROS = {
    "DET": r"(?:a|an|the|this|that|these|those|his|her|its|their|our|your|my|some|any|no|every)",
    "POSS": r"(?:his|her|its|their|our|your|my)",
    "NUM": r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|a few|several)",
}
_WORD_CHARS = r"[\w'’-]+"


@dataclass(frozen=True)
class Condition:
    key: str
    negate: bool
    regex: re.Pattern[str]

    def holds(self, text: str, start: int, end: int) -> bool:
        if self.key == "after":
            hit = self.regex.match(text[end:].lstrip()) is not None
        elif self.key == "before":
            hit = self.regex.search(text[:start].rstrip()) is not None
        else:
            hit = self.regex.search(text) is not None
        return hit != self.negate


@dataclass(frozen=True)
class Pattern:
    #: The regular expression's text (matched case-insensitively); see :attr:`regex`.
    source: str
    #: (word, pos) of the first inflected token, used to inflect suggestions.
    head: tuple[str, str] | None
    #: Lower-case words one of which any match must contain: a cheap filter that skips the
    #: regex for the (vast) majority of sentences. Empty: no filter.
    anchors: frozenset[str] = frozenset()

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """Compiled on first use: the shipped lexicons hold hundreds of entries for several language
        pairs, and compiling them all (about 0.4 s) would be paid by every check, while a document
        only ever reaches the entries of its own pair whose anchor words it contains."""
        return re.compile(self.source, re.I)


#: Words too common to be worth filtering on.
_COMMON = frozenset({"a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "is", "was", "are",
                     "were", "be", "it", "this", "that", "and", "or", "with", "as", "from", "his",
                     "her", "their", "its", "our", "my", "your", "not", "no"})


def _anchor_words(token: str) -> frozenset[str] | None:
    """First words of every spelling of a required token, or None if it cannot anchor."""
    words: set[str] = set()
    for alt in token.split("|"):
        if alt in _MACROS:
            return None
        word, _, pos = alt.partition(":")
        word = word.replace("_", " ").lower()
        if not any(c.isalnum() for c in word):
            return None
        for group in forms(word, pos).values():
            # The first run of letters: the filter compares letter runs ("can't" -> "can").
            words.update(w for s in group for w in re.findall(r"[^\W\d_]+", s)[:1])
    return frozenset(words)


def _token_regex(token: str, head: list[tuple[str, str]]) -> str:
    if token in _MACROS:
        return _MACROS[token]
    alts = []
    for alt in token.split("|"):
        if alt in _MACROS:
            alts.append(_MACROS[alt])
            continue
        word, _, pos = alt.partition(":")
        if pos not in ("", "v", "n"):
            raise ValueError(f"unknown part of speech ':{pos}' in {token!r} (use :v or :n)")
        if not word:
            raise ValueError(f"empty word in {token!r}")
        word = word.replace("_", " ")  # high_school: a multiword alternative
        if pos and not head:
            head.append((word.lower(), pos))
        spellings = sorted({s for group in forms(word.lower(), pos).values() for s in group},
                           key=len, reverse=True)
        alts.extend(re.escape(s).replace("\\ ", r"\s+") for s in spellings)
    return "(?:" + "|".join(alts) + ")"


def compile_pattern(pattern: str) -> Pattern:
    """Turn a lexicon pattern into one regex; group ``span`` is the reported part."""
    tokens = pattern.split()
    if not tokens:
        raise ValueError("empty pattern")
    head: list[tuple[str, str]] = []
    anchor_sets: list[frozenset[str]] = []
    pieces: list[tuple[str, bool, bool]] = []  # (regex, optional, punctuation only)
    in_span = opened = closed = False
    for raw in tokens:
        tok = raw
        opens = tok.startswith("<")
        closes = tok.endswith(">")
        tok = tok.lstrip("<").rstrip(">")
        if opens:
            if opened:
                raise ValueError("only one <...> span is allowed")
            opened = in_span = True
            pieces.append(("(?P<span>", False, False))
        optional = tok.endswith("?") and tok != "?"
        tok = tok.rstrip("?") if optional else tok
        if tok == "*":
            rx, optional = rf"(?:{_WORD_CHARS})", True
        elif tok == "**":
            pieces.append((rf"(?:{_WORD_CHARS}\s+){{0,3}}", False, False))
            rx = None
        else:
            rx = _token_regex(tok, head)
            words = None if optional else _anchor_words(tok)
            if words:
                anchor_sets.append(words)
        if rx is not None:
            punct = not any(c.isalnum() or c in "_*" for c in tok)
            pieces.append((rx, optional, punct))
        if closes:
            if not in_span:
                raise ValueError("'>' without '<'")
            pieces.append((")", False, False))
            in_span, closed = False, True
    if opened and not closed:
        raise ValueError("'<' without '>'")
    # Join: every word token is followed by whitespace unless it is the last word token;
    # around a punctuation token (“ , ") the space is optional ("recognized “a", "Effectively,").
    out = []
    word_positions = [i for i, (rx, _, _) in enumerate(pieces) if rx not in ("(?P<span>", ")")
                      and not rx.endswith("{0,3}")]
    last = word_positions[-1]
    if pieces[last][1]:
        raise ValueError("the last word of a pattern cannot be optional")
    for n, i in enumerate(word_positions):
        rx, optional, punct = pieces[i]
        if i != last:
            nxt_punct = pieces[word_positions[n + 1]][2]
            rx += r"\s*" if punct or nxt_punct else r"\s+"
        pieces[i] = (f"(?:{rx})?" if optional else rx, False, punct)
    out = [rx for rx, _, _ in pieces]
    first_punct = pieces[word_positions[0]][2]
    regex = ("" if first_punct else r"(?<![\w'’-])") + "".join(out) + ("" if pieces[last][2] else r"(?![\w'’-])")
    # An optional word token just before the closing of the span leaves a trailing space in
    # it; spans are trimmed at match time.
    useful = [a for a in anchor_sets if not a & _COMMON]
    anchors = min(useful, key=len) if useful else frozenset()
    return Pattern(regex, head[0] if head else None, anchors)


def readable(pattern: str, most: int = 4) -> str:
    """A pattern as a person reads it: ``recognize:v DET? mistake|error`` -> ``recognize (any
    form) [a/the/...] mistake/error``."""
    words = []
    for raw in pattern.split():
        tok = raw.strip("<>")
        optional = tok.endswith("?") and tok != "?"
        tok = tok.rstrip("?") if optional else tok
        if tok in ("*", "**"):
            words.append("…")
            continue
        alts = []
        for alt in tok.split("|"):
            word, _, pos = alt.partition(":")
            word = {"DET": "a/the/his…", "POSS": "his/her…", "NUM": "<number>"}.get(word, word.replace("_", " "))
            alts.append(word + (" (any form)" if pos == "v" else "(s)" if pos == "n" else ""))
        shown = "/".join(alts[:most]) + ("/…" if len(alts) > most else "")
        words.append(f"[{shown}]" if optional else shown)
    return " ".join(words)


def parse_conditions(text: str) -> tuple[Condition, ...]:
    text = text.strip()
    if text in ("", "-"):
        return ()
    out = []
    for clause in _split_clauses(text):
        key, sep, value = clause.partition("=")
        key = key.strip()
        negate = key.startswith("!")
        key = key.lstrip("!")
        if not sep or key not in CONDITION_KEYS or not value.strip():
            raise ValueError(f"bad condition {clause!r}; use after=, before=, near= (prefix ! to negate)")
        value = value.strip()
        if key == "before":
            value = f"(?:{value})$"
        out.append(Condition(key, negate, re.compile(value, re.I)))
    return tuple(out)


def _split_clauses(text: str) -> list[str]:
    """Split on ';' that starts a new ``key=`` clause (a regex may itself contain ';')."""
    parts = re.split(r";\s*(?=!?(?:after|before|near)=)", text)
    return [p.strip().rstrip(";") for p in parts if p.strip()]


def read_lexicon(text: str, name: str) -> list[dict[str, str]]:
    """Rows of a lexicon TSV as dicts; every problem names the file and line."""
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = [c.strip() for c in cells]
            if tuple(header) != COLUMNS:
                raise ConfigError(f"{name}:{lineno}: header must be {' '.join(COLUMNS)}")
            continue
        if len(cells) != len(COLUMNS):
            raise ConfigError(f"{name}:{lineno}: expected {len(COLUMNS)} tab-separated columns, got {len(cells)}")
        row = {k: v.strip() for k, v in zip(COLUMNS, cells, strict=True)}
        row["_where"] = f"{name}:{lineno}"
        rows.append(row)
    return rows


def lexicon_records(text: str, name: str) -> list[dict[str, Any]]:
    """Rule records (as the engine's TOML records) for one lexicon file ``{src}-{tgt}.tsv``."""
    stem = name.rsplit("/", 1)[-1].removesuffix(".tsv")
    m = re.fullmatch(r"([a-z]{2,3})-([a-z]{2,3})", stem)
    if not m:
        raise ConfigError(f"{name}: lexicon files are named SRC-TGT.tsv, e.g. fr-en.tsv")
    src, tgt = m.groups()
    records = []
    seen: set[str] = set()
    for row in read_lexicon(text, name):
        where = row["_where"]
        if row["id"] in seen:
            raise ConfigError(f"{where}: duplicate lexicon id {row['id']!r}")
        seen.add(row["id"])
        if row["type"] not in TYPES:
            raise ConfigError(f"{where}: type must be one of {', '.join(TYPES)}, not {row['type']!r}")
        try:
            pattern = compile_pattern(row["pattern"])
            conditions = parse_conditions(row["conditions"])
            confidence = float(row["confidence"])
            Severity(row["severity"])
        except (ValueError, re.error) as exc:
            raise ConfigError(f"{where}: {exc}") from None
        if not 0 < confidence <= 1:
            raise ConfigError(f"{where}: confidence must be in (0, 1]")
        suggestions = [s.strip() for s in row["suggest"].split("|") if s.strip() and s.strip() != "-"]
        shown = " / ".join(re.sub(r":[vn]\b", "", s) for s in suggestions) or "another word"
        kind_word = "false friend" if row["type"] == "false-friend" else "calque"
        records.append({
            "id": f"{row['type']}.{src}-{tgt}.{row['id']}",
            "category": TYPES[row["type"]].value,
            "severity": row["severity"],
            "kind": "lexicon",
            "languages": [tgt],
            "sources": [src],
            "when_source_unknown": confidence >= UNKNOWN_SOURCE_MIN_CONFIDENCE,
            "confidence": confidence,
            "message": f"“{{match}}” looks like a {kind_word} of {_LANGUAGE.get(src, src)} "
                       f"“{row['source']}”: {_LANGUAGE.get(tgt, tgt)} usually says “{shown}” here",
            "what": f"Flags “{readable(row['pattern'])}” ({kind_word} of {_LANGUAGE.get(src, src)} "
                    f"“{row['source']}”)"
                    + (f", only where: {row['conditions']}" if row["conditions"] not in ("", "-") else "") + ".",
            "why": row["note"],
            "use_instead": shown,
            "fires": [row["fires"]],
            "passes": [row["passes"]] if row["passes"] not in ("", "-") else [],
            "options": {
                "pattern": pattern,
                "anchors": pattern.anchors,
                "conditions": conditions,
                "suggest": suggestions,
                "source_term": row["source"],
                "lexicon": f"{src}-{tgt}",
            },
        })
    return records


def lexicon_files() -> list[tuple[str, str]]:
    """(name, text) of every lexicon shipped in the package, sorted by name."""
    root = resources.files("tqcheck.rules") / "data" / "lexicons"
    if not root.is_dir():
        return []
    return sorted((f"lexicons/{f.name}", f.read_text("utf-8")) for f in root.iterdir()
                  if f.name.endswith(".tsv"))
