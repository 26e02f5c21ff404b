"""Model-free comparisons of a target with its source: what must be carried over unchanged
(numbers, dates, URLs, e-mail addresses, placeholders, inline tags, names), what must match in
kind (end punctuation, length), and what must be translated at all.

Every function takes plain strings and returns spans into the *target* string, so the same
code serves XLIFF units, PO entries, TSV rows and aligned plain-text sentences.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MASK = "\ufffc"


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return tomllib.loads((Path(__file__).parent / "data" / "source.toml").read_text("utf-8"))


@dataclass
class Issue:
    """A problem found by a comparison, with a span in the target (``start == end``: no span)."""

    kind: str
    message: str
    start: int = 0
    end: int = 0
    replacement: str | None = None
    evidence: dict[str, Any] | None = None


# --- URLs, e-mail addresses ------------------------------------------------------------------

_URL = re.compile(r"\b(?:https?://|ftp://|www\.)[^\s<>\"'{}|\\^`\ufffc]+", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def _strip_url(u: str) -> str:
    return u.rstrip(".,;:!?)]»”’'")


def urls(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, key, raw text) of each URL; the key is what must match."""
    out = []
    for m in _URL.finditer(text):
        u = _strip_url(m.group())
        out.append((m.start(), m.start() + len(u), u, u))
    return out


def emails(text: str) -> list[tuple[int, int, str, str]]:
    return [(m.start(), m.end(), m.group(), m.group()) for m in _EMAIL.finditer(text)]


def compare_literals(kind: str, label: str, src: list[tuple[int, int, str, str]],
                     tgt: list[tuple[int, int, str, str]]) -> list[Issue]:
    """Items that must be copied exactly: each source item once in the target and back. A
    missing item with a close look-alike among the extra ones is reported as changed, with
    the source's text as the fix."""
    issues = []
    want = Counter(s[2] for s in src)
    have = Counter(t[2] for t in tgt)
    raw_of = {s[2]: s[3] for s in src}
    extra = have - want
    for item, n in (want - have).items():
        close = difflib.get_close_matches(item, [t for t in extra if extra[t] > 0], n=1, cutoff=0.6)
        if close:
            a, b, _, raw = next(t for t in tgt if t[2] == close[0])
            issues.append(Issue(kind, f"{label} “{raw}” differs from the source’s “{raw_of[item]}”", a, b,
                                replacement=raw_of[item], evidence={"source": raw_of[item], "target": raw}))
            extra[close[0]] -= 1
        else:
            issues.append(Issue(kind, f"{label} “{raw_of[item]}” of the source is missing"
                                + (f" ({n} times)" if n > 1 else ""), 0, 0, evidence={"source": raw_of[item]}))
    for a, b, key, raw in tgt:
        if extra[key] > 0:
            issues.append(Issue(kind, f"{label} “{raw}” is not in the source", a, b, evidence={"target": raw}))
            extra[key] -= 1
    return issues


# --- Placeholders and inline tags --------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"%\([A-Za-z_]\w*\)[-+#0]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"     # Python %(name)s
    r"|%(?:\d+\$)?[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcspn@]"  # printf
    r"|\{\{\s*[\w.]+\s*\}\}"                                         # {{mustache}}
    r"|\{\s*[A-Za-z_]\w*\s*,\s*(?:plural|select|selectordinal|number|date|time|spellout|ordinal)\b"  # ICU
    r"|\{\d+(?:\s*,[^{}]*)?\}"                                       # {0}, {0,number}
    r"|\{[A-Za-z_][\w.]*(?::[^{}]*)?\}"                              # {name}, {name:>10}
    r"|\$\{[\w.]+\}"                                                 # ${name}
    r"|\$[A-Za-z_]\w*\$?"                                            # $name, $NAME$
)


_ICU_HEAD = re.compile(r"\{\s*[A-Za-z_]\w*\s*,\s*(?:plural|select|selectordinal)\s*,")


def _icu_submessages(text: str) -> set[int]:
    """Offsets of the ``{`` opening ICU sub-messages (``one {# item}``): text, not placeholders."""
    out: set[int] = set()
    for m in _ICU_HEAD.finditer(text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            if text[i] == "{":
                if depth == 1:
                    out.add(i)
                depth += 1
            elif text[i] == "}":
                depth -= 1
            i += 1
    return out


def placeholders(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, key, raw): for an ICU argument ``{count, plural, ...}`` the span and key cover
    the name and type, which is what must survive translation."""
    sub_messages = _icu_submessages(text)
    return [(m.start(), m.end(), re.sub(r"\s+", "", m.group()), m.group()) for m in _PLACEHOLDER.finditer(text)
            if m.start() not in sub_messages]


_VERSION = re.compile(r"(?<![\w.])\d+(?:\.\d+){2,}(?![\w]|\.\d)")


def versions(text: str) -> list[tuple[int, int, str, str]]:
    """Dotted version numbers (2.1.3, 192.168.0.1): copied exactly, not read as numbers."""
    return [(m.start(), m.end(), m.group(), m.group()) for m in _VERSION.finditer(text)]


_HTML_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")


def markup_tags(text: str) -> list[tuple[int, int, str]]:
    """HTML/XML tags written as text (PO, TSV, plain text): compared by name and direction."""
    out = []
    for m in _HTML_TAG.finditer(text):
        name = re.match(r"</?([\w:-]+)", m.group()).group(1).lower()  # type: ignore[union-attr]
        kind = "/" if m.group().startswith("</") else ""
        out.append((m.start(), m.end(), f"<{kind}{name}{'/' if m.group().endswith('/>') else ''}>"))
    return out


def compare_tags(src_tags: list[str], tgt_tags: list[str]) -> list[Issue]:
    issues = []
    want, have = Counter(src_tags), Counter(tgt_tags)
    for tag, _ in (want - have).items():
        issues.append(Issue("tag", f"inline tag {tag} of the source is missing", evidence={"tag": tag}))
    for tag, _ in (have - want).items():
        issues.append(Issue("tag", f"inline tag {tag} is not in the source", evidence={"tag": tag}))
    if not issues and [t for t in src_tags] != [t for t in tgt_tags]:
        # Same tags, other order: fine for independent tags, wrong when pairs cross.
        depth: list[str] = []
        for t in tgt_tags:
            name, _, ident = t.lstrip("/<").rstrip(">").partition(":")
            if t.startswith(("/", "</")):
                if not depth or depth[-1] != f"{name}:{ident}":
                    issues.append(Issue("tag", f"inline tags are badly nested around {t}", evidence={"tags": tgt_tags}))
                    break
                depth.pop()
            elif name in ("g", "pc", "mrk", "hi", "b", "i", "u", "em", "strong", "a", "span"):
                depth.append(f"{name}:{ident}")
    return issues


# --- Numbers -------------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.,])(?P<sign>[-−+])?"
    r"(?P<num>\d{1,3}(?:(?P<g>[,.\u00a0\u202f\u2009' ])\d{3}(?!\d))(?:(?P=g)\d{3}(?!\d))*(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    # A decade ("1980s", "70s", "'70s") or an ordinal ("11th", "2nd", "3e", "1er") is still a number.
    r"(?P<suffix>'?s|st|nd|rd|th|er|re|e|ème|º|°)?(?![\w])"
)
_SPACES = "\u00a0\u202f\u2009' "


@dataclass
class Number:
    start: int
    end: int
    text: str
    #: Every value the text can mean in some locale ("4,000" is 4000 or 4.0).
    values: frozenset[float]


def comma_decimal(lang: str | None) -> bool:
    return (lang or "en") in data()["numbers"]["comma_decimal"]


def read_number(token: str, lang: str | None) -> float | None:
    """The value of ``token`` the way a reader of ``lang`` understands it."""
    dec = "," if comma_decimal(lang) else "."
    grp = "." if dec == "," else ","
    t = token
    for c in _SPACES:
        t = t.replace(c, "")
    if dec in t and t.count(dec) > 1:
        return None
    if grp in t:
        parts = t.split(dec)[0].split(grp)
        if any(len(p) != 3 for p in parts[1:]):
            return None
        t = t.replace(grp, "")
    try:
        return float(t.replace(dec, "."))
    except ValueError:
        return None


def _candidates(token: str) -> frozenset[float]:
    vals = {v for v in (read_number(token, "en"), read_number(token, "fr")) if v is not None}
    return frozenset(vals)


def numbers(text: str, skip: list[tuple[int, int]] = ()) -> list[Number]:  # type: ignore[assignment]
    out = []
    for m in _NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in skip):
            continue
        tok = m.group("num")
        # "2 3" is two numbers, not "23": a space group needs exactly three digits after it (checked
        # by the regex); a leading sign belongs to the number.
        sign = -1.0 if m.group("sign") in ("-", "−") and (m.start() == 0 or not text[m.start() - 1].isalnum()) else 1.0
        vals = frozenset(sign * v for v in _candidates(tok))
        if m.group("suffix") in ("s", "'s") and len(tok) == 2 and tok.endswith("0"):
            vals = vals | {1900 + float(tok)}  # "the 70s" is the 1970s
        elif m.group("suffix") in ("s", "'s") and len(tok) == 4 and tok.endswith("0"):
            vals = vals | {float(tok[2:])}  # "1970s" also matches "années 70"
        if vals:
            out.append(Number(m.start("num"), m.end("num"), tok, vals))
    return out


def number_words(text: str, lang: str | None) -> list[tuple[int, int, float]]:
    words = data()["numbers"]["words"].get(lang or "", [])
    if not words:
        return []
    index = {w: float(i) for i, w in enumerate(words)}
    return [(m.start(), m.end(), index[m.group().lower()]) for m in re.finditer(r"[^\W\d_]+", text)
            if m.group().lower() in index]


def compare_numbers(src: str, tgt: str, src_lang: str | None, tgt_lang: str | None,
                    src_skip: list[tuple[int, int]], tgt_skip: list[tuple[int, int]]) -> list[Issue]:
    s_nums, t_nums = numbers(src, src_skip), numbers(tgt, tgt_skip)
    t_words = number_words(tgt, tgt_lang)
    s_words = number_words(src, src_lang)
    used: set[int] = set()
    used_words: set[int] = set()
    issues = []
    missing: list[Number] = []
    for sn in s_nums:
        match = next((k for k, tn in enumerate(t_nums) if k not in used and sn.values & tn.values), None)
        if match is None:
            w = next((k for k, (_, _, v) in enumerate(t_words) if k not in used_words and v in sn.values), None)
            if w is not None:
                used_words.add(w)
                continue
            missing.append(sn)
            continue
        used.add(match)
        tn = t_nums[match]
        s_val, t_val = read_number(sn.text, src_lang), read_number(tn.text, tgt_lang)
        if (s_val is not None and s_val not in tn.values) or tn.text.isdigit():
            continue  # a plain run of digits has no locale format to get wrong
        if s_val is not None and t_val != s_val and (src_lang or "en") != (tgt_lang or "en"):
            fixed = format_number(s_val, sn.text, tgt_lang)
            meaning = f"a {tgt_lang} reader reads it as {_show(t_val)}" if t_val is not None else \
                f"{tgt_lang} does not write numbers that way"
            issues.append(Issue(
                "number-format",
                f"“{tn.text}” follows the source’s number format; {meaning}" + (f": write {fixed}" if fixed else ""),
                tn.start, tn.end, replacement=fixed, evidence={"source": sn.text, "value": s_val}))
    added = [tn for k, tn in enumerate(t_nums) if k not in used and not any(v in tn.values for _, _, v in s_words)]
    # One number missing and one added in the same text: most likely the same number, changed.
    while missing and added and len(missing) == len(added):
        sn, tn = missing.pop(0), added.pop(0)
        value = read_number(sn.text, src_lang)
        fixed = format_number(value, sn.text, tgt_lang) if value is not None else sn.text
        issues.append(Issue("number", f"number {tn.text} differs from the source’s {sn.text}", tn.start, tn.end,
                            replacement=fixed, evidence={"source": sn.text, "target": tn.text}))
    for sn in missing:
        issues.append(Issue("number", f"number {sn.text} of the source is missing from the translation",
                            evidence={"source": sn.text}))
    for tn in added:
        issues.append(Issue("number", f"number {tn.text} is not in the source", tn.start, tn.end,
                            evidence={"target": tn.text}))
    return issues


def _show(v: float | None) -> str:
    if v is None:
        return "nothing sensible"
    return str(int(v)) if v == int(v) else str(v)


def format_number(value: float, source_text: str, lang: str | None) -> str | None:
    """``value`` written the way ``lang`` writes numbers, keeping the source's decimals."""
    decimals = 0
    m = re.search(r"[.,](\d+)$", source_text)
    if m and read_number(source_text, "en") != read_number(source_text, "fr"):
        # Ambiguous (4,000): trust the value we chose; decimals only when the value has them.
        decimals = 0 if value == int(value) else len(m.group(1))
    elif m and value != int(value):
        decimals = len(m.group(1))
    body = f"{abs(value):,.{decimals}f}"
    grouped = abs(value) >= 10000 or (any(c in source_text for c in ",." + _SPACES) and abs(value) >= 1000)
    if comma_decimal(lang):
        dot_groups = ("de", "es", "it", "pt", "nl", "da", "ro", "tr", "el", "id")
        group = "\u202f" if lang == "fr" else ("." if lang in dot_groups else "\u00a0")
        body = body.replace(",", "\x00").replace(".", ",").replace("\x00", group if grouped else "")
    elif not grouped:
        body = body.replace(",", "")
    return ("-" if value < 0 else "") + body


# --- Dates ---------------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"(?<![\d./-])(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?!\d|[./-]\d)")


@dataclass
class DateMention:
    start: int
    end: int
    text: str
    #: (year or 0, month, day or 0) readings: one for a named month, one or two for numeric dates.
    readings: frozenset[tuple[int, int, int]]
    numeric: bool


@lru_cache(maxsize=16)
def _month_pattern(lang: str | None) -> tuple[re.Pattern[str] | None, dict[str, int]]:
    months = data()["dates"]["months"].get(lang or "", [])
    if not months:
        return None, {}
    index: dict[str, int] = {}
    for i, name in enumerate(months, 1):
        index[name] = i
        if len(name) > 4:
            index[name[:3]] = i
            index[name[:4]] = i
    names = sorted(index, key=len, reverse=True)
    alt = "|".join(re.escape(n) for n in names)
    pat = re.compile(
        rf"(?:(?P<d1>\d{{1,2}})(?:er|st|nd|rd|th|\.|º)?\s+(?:de\s+)?(?P<m1>{alt})\.?(?:\s+(?:de\s+)?(?P<y1>\d{{4}}))?"
        rf"|(?P<m2>{alt})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y2>\d{{4}}))?)(?![\w])",
        re.I)
    return pat, index


def dates(text: str, lang: str | None) -> list[DateMention]:
    out: list[DateMention] = []
    pat, index = _month_pattern(lang)
    if pat is not None:
        for m in pat.finditer(text):
            month = index[(m.group("m1") or m.group("m2")).lower()]
            day = int(m.group("d1") or m.group("d2"))
            year = int(m.group("y1") or m.group("y2") or 0)
            if 1 <= day <= 31:
                out.append(DateMention(m.start(), m.end(), m.group(), frozenset({(year, month, day)}), False))
    month_first = (lang or "en") in data()["dates"]["month_first"]
    for m in _NUMERIC_DATE.finditer(text):
        a, sep, b, c = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
        readings = set()
        if len(m.group(1)) == 4:  # ISO: year-month-day
            if 1 <= b <= 12 and 1 <= c <= 31:
                readings.add((a, b, c))
        else:
            year = c + (2000 if c < 50 else 1900) if len(m.group(4)) == 2 else c
            first = (year, a, b) if month_first else (year, b, a)  # the reading a local writer means
            if 1 <= first[1] <= 12 and 1 <= first[2] <= 31:
                readings.add(first)
        if readings and not (sep == "." and len(m.group(4)) < 4 and not m.group(4).startswith("0")):
            out.append(DateMention(m.start(), m.end(), m.group(), frozenset(readings), True))
    return out


_TIME = re.compile(
    r"(?<![\d:.,])(?P<h>[01]?\d|2[0-3])(?:\s?(?::|h|H)\s?(?P<m>[0-5]\d)?(?![\d:])|(?=\s?(?:am|pm|a\.m\.|p\.m\.)))"
    r"(?:\s?(?P<ampm>am|pm|a\.m\.|p\.m\.)(?!\w))?", re.I)


def times(text: str) -> list[tuple[int, int, str, tuple[int, int, str]]]:
    """Clock times: 12:00, 12 h 00, 12h, 11:35 pm, 7 a.m. -> (start, end, text, (hour, minute, am/pm))."""
    out = []
    for m in _TIME.finditer(text):
        if m.group("m") is None and not m.group("ampm") and ":" in m.group():
            continue
        if m.group("m") is None and not m.group("ampm") and not re.search(r"\d\s?[hH]", m.group()):
            continue
        ampm = (m.group("ampm") or "").replace(".", "").lower()
        out.append((m.start(), m.end(), m.group().strip(), (int(m.group("h")), int(m.group("m") or 0), ampm)))
    return out


#: Languages whose clock times without am/pm may still mean the afternoon (12-hour habit).
_TWELVE_HOUR = {"en"}


def _day_minutes(t: tuple[int, int, str], lang: str | None) -> set[int]:
    h, mi, ampm = t
    if ampm == "pm":
        return {(h % 12 + 12) * 60 + mi}
    if ampm == "am":
        return {(h % 12) * 60 + mi}
    twelve = (lang or "en") in _TWELVE_HOUR and h < 12
    return {h * 60 + mi} | ({(h + 12) * 60 + mi} if twelve else set())


def compare_times(src: str, tgt: str, src_lang: str | None = None, tgt_lang: str | None = None
                  ) -> tuple[list[Issue], list[tuple[int, int]], list[tuple[int, int]]]:
    """Clock times of the source must be in the target (23:35 = 11:35 pm; 12 h 00 = 12:00)."""
    s_times, t_times = times(src), times(tgt)
    used: set[int] = set()
    issues = []
    for _, _, text, value in s_times:
        k = next((k for k, t in enumerate(t_times) if k not in used
                  and _day_minutes(value, src_lang) & _day_minutes(t[3], tgt_lang)), None)
        if k is None:
            issues.append(Issue("date", f"time “{text}” of the source is missing or changed in the translation",
                                evidence={"source": text}))
        else:
            used.add(k)
    return issues, [(a, b) for a, b, _, _ in s_times], [(a, b) for a, b, _, _ in t_times]


def _same_date(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return a[1] == b[1] and a[2] == b[2] and (not a[0] or not b[0] or a[0] == b[0])


def compare_dates(src: str, tgt: str, src_lang: str | None, tgt_lang: str | None
                  ) -> tuple[list[Issue], list[tuple[int, int]], list[tuple[int, int]]]:
    """Issues, and the spans of dates in source and target (numbers there are not re-checked)."""
    s_dates, t_dates = dates(src, src_lang), dates(tgt, tgt_lang)
    issues = []
    used: set[int] = set()
    for sd in s_dates:
        match = next((k for k, td in enumerate(t_dates) if k not in used
                      and any(_same_date(x, y) for x in sd.readings for y in td.readings)), None)
        if match is not None:
            used.add(match)
            continue
        (y, mo, d) = next(iter(sd.readings))
        swapped = next((k for k, td in enumerate(t_dates) if k not in used and td.numeric and any(
            _same_date((y, mo, d), (ty, td_d, td_m)) for (ty, td_m, td_d) in td.readings)), None)
        if swapped is not None:
            used.add(swapped)
            td = t_dates[swapped]
            fixed = _numeric_like(td.text, (y, mo, d), tgt_lang)
            issues.append(Issue("date-format", f"date “{td.text}” keeps the source’s day/month order; "
                                f"a {tgt_lang} reader takes it for another day", td.start, td.end,
                                replacement=fixed, evidence={"source": sd.text}))
            continue
        issues.append(Issue("date", f"date “{sd.text}” of the source is missing or changed in the translation",
                            evidence={"source": sd.text}))
    return issues, [(d.start, d.end) for d in s_dates], [(d.start, d.end) for d in t_dates]


def _numeric_like(text: str, ymd: tuple[int, int, int], lang: str | None) -> str | None:
    m = _NUMERIC_DATE.fullmatch(text)
    if not m or len(m.group(1)) == 4:
        return None
    _, mo, d = ymd
    sep, width = m.group(2), len(m.group(1))
    month_first = (lang or "en") in data()["dates"]["month_first"]
    a, b = (mo, d) if month_first else (d, mo)
    return f"{a:0{width}d}{sep}{b:0{len(m.group(3))}d}{sep}{m.group(4)}"


# --- End punctuation, length, identical ---------------------------------------------------------

def _end_kind(text: str) -> tuple[str, str]:
    t = text.rstrip().rstrip(MASK + "\"'”’»)]").rstrip()
    if not t:
        return "none", ""
    last = t[-1]
    if t.endswith(("...", "…")):
        return "ellipsis", t[-3:] if t.endswith("...") else last
    for kind, marks in data()["punctuation"].items():
        if last in marks:
            return kind, last
    return "none", ""


def compare_end_punctuation(src: str, tgt: str, tgt_lang: str | None) -> list[Issue]:
    (sk, sm), (tk, tm) = _end_kind(src), _end_kind(tgt)
    if sk == tk or not src.strip() or not tgt.strip():
        return []
    if tgt_lang == "el" and sk == "question" and tm == ";":
        return []
    if {sk, tk} <= {"full_stop", "ellipsis"}:
        return []
    body = tgt.rstrip()
    end = len(body)
    if tk == "none":
        return [Issue("end-punctuation", f"the source ends with “{sm}”, the translation with no end mark",
                      end, end, replacement=_mark_for(sm, tgt_lang), evidence={"source": sm})]
    at = body.rfind(tm)
    if sk == "none":
        return [Issue("end-punctuation", f"the translation ends with “{tm}”, the source with no end mark",
                      at, at + len(tm), evidence={"target": tm})]
    return [Issue("end-punctuation", f"the source ends with “{sm}”, the translation with “{tm}”",
                  at, at + len(tm), replacement=_mark_for(sm, tgt_lang), evidence={"source": sm, "target": tm})]


def _mark_for(mark: str, lang: str | None) -> str:
    if lang in ("zh", "ja"):
        return {"?": "？", "!": "！", ".": "。", ":": "："}.get(mark, mark)
    if lang == "fr" and mark in "?!:;":
        return "\u202f" + mark
    return mark


def expected_ratio(src_lang: str | None, tgt_lang: str | None) -> float:
    f = data()["length"]["factors"]
    return f.get(tgt_lang or "en", 1.0) / f.get(src_lang or "en", 1.0)


def compare_length(src: str, tgt: str, src_lang: str | None, tgt_lang: str | None) -> list[Issue]:
    cfg = data()["length"]
    s, t = len(src.replace(MASK, "").strip()), len(tgt.replace(MASK, "").strip())
    if s < cfg["min_source_chars"] or not t:
        return []
    expected = expected_ratio(src_lang, tgt_lang)
    ratio = t / s
    if ratio < expected / cfg["spread"]:
        what = "much shorter than the source: something may be left out"
    elif ratio > expected * cfg["spread"]:
        what = "much longer than the source: something may be added"
    else:
        return []
    return [Issue("length", f"the translation is {what} (length ratio {ratio:.2f}, expected about "
                  f"{expected:.2f})", evidence={"ratio": round(ratio, 3), "expected": round(expected, 3)})]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(MASK, " ")).strip()


def untranslatable(text: str) -> bool:
    """Text that is legitimately left as is: no word of 3+ letters outside placeholders, URLs, tags."""
    rest = _PLACEHOLDER.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", _HTML_TAG.sub(" ", text))))
    words = re.findall(r"[^\W\d_]{3,}", rest)
    if not words:
        return True
    # A lone name or brand ("Paris", "GitHub", "OK") is usually kept.
    return len(words) == 1 and (words[0][0].isupper() or words[0].isupper())


# --- Names ---------------------------------------------------------------------------------------

_CAP_WORD = re.compile(r"(?<![\w'’-])(?:[A-Z][\w'’-]*[A-Z0-9][\w'’-]*|[A-Z][a-z\u00c0-\u024f]+|[A-Z]{2,}\d*)")


@lru_cache(maxsize=65536)
def _zipf(word: str, lang: str) -> float:
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - a core dependency
        return 0.0
    return zipf_frequency(word, lang)


_ROMAN = re.compile(r"^[IVXLCDM]+(?:e|er|ème|st|nd|rd|th)?$")


def names(text: str, lang: str | None) -> list[str]:
    """Capitalised source words that are not sentence starts or common words."""
    zipf_frequency = _zipf
    cfg = data()["names"]
    out = []
    matches = []
    for m in _CAP_WORD.finditer(text):
        word = m.group()
        before = text[: m.start()].rstrip(" \t\"'“«(" + MASK)
        sentence_start = not before or before[-1] in ".!?:;\n…"
        common = zipf_frequency(word.lower(), lang or "en") >= cfg["common_zipf"]
        mixed = any(c.isdigit() for c in word) or sum(c.isupper() for c in word) > 1
        if _ROMAN.match(word):
            continue  # a century or a king's number ("XIe siècle", "Louis XIV") is written the target's way
        if (mixed and len(word) >= 2) or (not sentence_start and not common and len(word) >= 3):
            out.append((m.start(), m.end()))
        if mixed or not (sentence_start and common):
            matches.append(m)  # a common word opening a sentence ("Ask NATO") is not part of a name
    # A name is the whole run of capitalised words around a qualifying one ("Barack Obama").
    runs: list[tuple[int, int]] = []
    for m in matches:
        if runs and text[runs[-1][1]:m.start()] == " ":
            runs[-1] = (runs[-1][0], m.end())
        else:
            runs.append((m.start(), m.end()))
    return [text[a:b] for a, b in runs if any(a <= s < b for s, _ in out)]


def compare_names(src: str, tgt: str, src_lang: str | None, tgt_lang: str | None) -> list[Issue]:
    cfg = data()["names"]
    t_words = re.findall(r"[\w'’-]+", tgt)
    t_lower = [w.lower() for w in t_words]
    latin_target = not tgt.strip() or sum(c.isascii() or "\u00c0" <= c <= "\u024f" for c in tgt if c.isalpha()) > \
        0.5 * max(1, sum(c.isalpha() for c in tgt))
    issues = []
    for name in dict.fromkeys(names(src, src_lang)):
        if name in tgt:
            continue
        missing = []
        words = re.split(r"[ \-‐]", name)
        for word in words:
            mixed = any(c.isdigit() for c in word) or sum(c.isupper() for c in word) > 1
            if not latin_target and not mixed:
                continue  # other scripts transliterate names
            low = word.lower()
            if not any(difflib.SequenceMatcher(None, low, w).ratio() >= cfg["similar"] or
                       (len(low) >= 5 and w.startswith(low[:4])) for w in t_lower):
                missing.append(word)
        if missing and (len(missing) == len(words) or any(sum(c.isupper() for c in w) > 1 for w in missing)):
            # One word of a multi-word name kept ("Parti Travailliste" / "Labour Party") counts as carried.
            issues.append(Issue("name", f"the name “{name}” of the source does not appear in the translation",
                                evidence={"source": name, "missing": missing}))
    return issues


# --- Code-like literals, brackets, capitalisation ----------------------------------------------

_CODE = re.compile(
    r"(?<![\w-])--[A-Za-z][\w-]*"                      # command-line options: --help, --file
    r"|\b[A-Za-z_][\w.]*\(\)"                           # function names: rgb(), getEntity.Name()
    r"|(?<![\w/~.])(?:~|\.{1,2})?(?:/[\w.-]+){2,}/?"     # file paths: /home/user, ~/.config/app
)


def code_literals(text: str) -> list[tuple[int, int, str, str]]:
    """Options, function names and file paths: never translated."""
    return [(m.start(), m.end(), m.group(), m.group()) for m in _CODE.finditer(_URL.sub(lambda u: " " * len(
        u.group()), text))]


#: Keyboard accelerators in UI strings: "&File" (Qt, KDE, Windows), "_File" (GTK), "~File" (LibreOffice).
_ACCEL = re.compile(r"(?<![^\W\d_])(?<!&)([&_~])(?=[^\W\d_])")
#: Accelerators only make sense in short UI strings.
ACCEL_MAX_CHARS = 60


def accelerators(text: str) -> list[str]:
    return [m.group(1) for m in _ACCEL.finditer(text)] if len(text) <= ACCEL_MAX_CHARS else []


def compare_accelerators(src: str, tgt: str) -> list[Issue]:
    s, t = accelerators(src), accelerators(tgt)
    if len(s) == 1 and not t:
        return [Issue("accelerator", f"the source has the keyboard accelerator “{s[0]}”, the translation none",
                      evidence={"marker": s[0]})]
    if not s and len(t) == 1 and len(src) <= ACCEL_MAX_CHARS:
        at = next(m.start() for m in _ACCEL.finditer(tgt))
        return [Issue("accelerator", f"the translation has a keyboard accelerator “{t[0]}”, the source none",
                      at, at + 1, replacement="", evidence={"marker": t[0]})]
    return []


_BRACKETS = "()[]{}"


def compare_brackets(src: str, tgt: str) -> list[Issue]:
    """The same number of each bracket (placeholders' braces included on both sides)."""
    issues = []
    for b in _BRACKETS:
        s, t = src.count(b), tgt.count(b)
        if s != t:
            at = tgt.rfind(b)
            issues.append(Issue("brackets", f"the source has {s} “{b}”, the translation {t}",
                                *((at, at + 1) if t > s and at >= 0 else (0, 0)), evidence={"bracket": b}))
    return issues


def compare_start_case(src: str, tgt: str) -> list[Issue]:
    """A source that starts with a capital (or a lower-case letter) and a target that does not."""
    s = next((c for c in src if c.isalpha()), "")
    t_at = next((k for k, c in enumerate(tgt) if c.isalpha()), None)
    if not s or t_at is None:
        return []
    t = tgt[t_at]
    if not (s.isupper() or s.islower()) or not (t.isupper() or t.islower()) or s.isupper() == t.isupper():
        return []
    if src.lstrip()[:1] != s or tgt.lstrip()[:1] != t:
        return []  # a number, quote or placeholder comes first: capitalisation rules differ
    fixed = t.upper() if s.isupper() else t.lower()
    return [Issue("start-case", f"the source starts with {'a capital' if s.isupper() else 'a lower-case letter'}, "
                  "the translation does not", t_at, t_at + 1, replacement=fixed, evidence={"source": s, "target": t})]


# --- Whitespace and line breaks ----------------------------------------------------------------

def compare_whitespace(src: str, tgt: str) -> list[Issue]:
    issues = []
    s_lead, t_lead = src[: len(src) - len(src.lstrip())], tgt[: len(tgt) - len(tgt.lstrip())]
    s_trail, t_trail = src[len(src.rstrip()):], tgt[len(tgt.rstrip()):]
    if s_lead != t_lead and src.strip() and tgt.strip():
        issues.append(Issue("whitespace", "leading whitespace differs from the source", 0, len(t_lead),
                            replacement=s_lead, evidence={"source": s_lead, "target": t_lead}))
    if s_trail != t_trail and src.strip() and tgt.strip():
        n = len(tgt)
        issues.append(Issue("whitespace", "trailing whitespace differs from the source", n - len(t_trail), n,
                            replacement=s_trail, evidence={"source": s_trail, "target": t_trail}))
    if src.count("\t") != tgt.count("\t") and src.strip() and tgt.strip():
        tabs = {"source_tabs": src.count("\t"), "target_tabs": tgt.count("\t")}
        issues.append(Issue("newlines", f"the source has {tabs['source_tabs']} tabs, the translation "
                            f"{tabs['target_tabs']}", evidence=tabs))
    if src.count("\n") != tgt.count("\n") and src.strip() and tgt.strip():
        issues.append(Issue("newlines", f"the source has {src.count(chr(10))} line breaks, the translation "
                            f"{tgt.count(chr(10))}", evidence={"source": src.count("\n"), "target": tgt.count("\n")}))
    return issues
