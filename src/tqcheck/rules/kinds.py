"""Matchers for rule kinds that need code (registered with :func:`register_kind`).

Importing this module registers them; see ``engine.py`` for the contract. Word lists they use
live as data files under ``rules/data/`` (one per target language), never in this module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from tqcheck.rules.engine import Context, Match, Rule, register_kind
from tqcheck.rules.inflect import inflect, label_of

# --------------------------------------------------------------------------- repeated words


@register_kind("repeated-word")
def repeated_word(rule: Rule, text: str, context: Context) -> Iterator[Match]:
    """The same word twice in a row ("the the", "on-site on-site"), except pairs that are correct."""
    allowed = {w.lower() for w in rule.options.get("allowed", [])}
    for m in re.finditer(r"(?<![\w'’-])(\w+(?:[-'’]\w+)*)(\s+)(\1)(?![\w'’-])", text, re.I):
        word = m.group(1)
        if word.lower() in allowed or word.isdigit():
            continue
        # The span covers both words (the reader sees the pair); the fix keeps the first.
        yield Match(m.start(1), m.end(3), rule.message.format(match=m.group(0), word=word), (word,))


# --------------------------------------------------------------------------- lexicons


@register_kind("lexicon")
def lexicon(rule: Rule, text: str, context: Context) -> Iterator[Match]:
    """A false friend or calque from a bilingual lexicon (see ``rules/lexicon.py``)."""
    pattern = rule.options["pattern"]
    if pattern.anchors and pattern.anchors.isdisjoint(_words(text)):
        return
    conditions = rule.options["conditions"]
    for m in pattern.regex.finditer(text):
        if not all(c.holds(text, m.start(), m.end()) for c in conditions):
            continue
        start, end = m.span("span") if "span" in pattern.regex.groupindex else m.span()
        while end > start and text[end - 1].isspace():
            end -= 1
        surface = text[start:end]
        reps = tuple(_suggest(s, surface, pattern.head) for s in rule.options["suggest"])
        confidence = None
        evidence: list[tuple[str, object]] = [("source_term", rule.options["source_term"])]
        if context.source is None:
            # The source could be another language: keep the finding but say so and trust it less.
            from tqcheck.rules.lexicon import UNKNOWN_SOURCE_FACTOR

            confidence = round(rule.confidence * UNKNOWN_SOURCE_FACTOR, 3)
            evidence.append(("source_language", "unknown"))
        yield Match(start, end, rule.message.format(match=surface), reps, tuple(evidence), confidence)


@lru_cache(maxsize=256)
def _words(text: str) -> frozenset[str]:
    """Lower-case words of a text (cached: every lexicon rule asks about the same sentence)."""
    return frozenset(re.findall(r"[^\W\d_]+", text.lower()))


def _suggest(suggestion: str, surface: str, head: tuple[str, str] | None) -> str:
    """Put the suggestion's ``word:v``/``word:n`` in the form of the matched head word."""
    label = "base"
    if head is not None:
        word, pos = head
        for token in re.findall(r"[\w'’-]+", surface):
            found = label_of(token, word, pos)
            if found != "base" or token.lower() == word:
                label = found
                break

    def one(m: re.Match[str]) -> str:
        return inflect(m.group(1).lower(), m.group(2), label if label != "pl" or m.group(2) == "n" else "base")

    out = re.sub(r"([\w'’-]+):([vn])\b", one, suggestion)
    if surface[:1].isupper() and out[:1].islower():
        out = out[0].upper() + out[1:]
    return out


# --------------------------------------------------------------------------- quotes and brackets

_OPENERS = "“«„"
_CLOSERS = "”»"
_SPACE = " \t\u00a0\u202f\u2009"


def _analyse_quotes(text: str) -> list[tuple[str, int, int, str]]:
    """(what, start, end, replacement) for curly and straight double quotes in a paragraph.

    ``what`` is ``direction`` (a closing mark that opens a quote), ``spacing`` (a space just
    inside a quotation mark) or ``unbalanced`` (a mark without its partner).
    """
    out: list[tuple[str, int, int, str]] = []
    stack: list[int] = []
    straight: list[int] = []
    for m in re.finditer(r'["“”«»„]', text):
        i, ch = m.start(), m.group()
        if ch == '"':
            if straight:
                straight.pop()
            elif stack and text[stack[-1]] == "“" and not (text[i + 1: i + 2].isalnum()):
                stack.pop()  # “mixed" quotes: one pair with the wrong closing mark, not two strays
            else:
                straight.append(i)
            continue
        before = text[i - 1] if i else ""
        after_ws = re.match(f"[{_SPACE}]*", text[i + 1:]).end()  # type: ignore[union-attr]
        nxt = text[i + 1 + after_ws: i + 2 + after_ws]
        if (ch == "“" and stack and text[stack[-1]] == "„") or (ch == "«" and stack and text[stack[-1]] == "»"):
            stack.pop()  # German „…“ and »…«: this “ or « closes
            continue
        if ch in _OPENERS:
            stack.append(i)
            if after_ws and nxt.isalnum() and ch != "«":  # « is replaced whole by the guillemet rule
                out.append(("spacing", i + 1, i + 1 + after_ws, ""))
            continue
        # A closing mark.
        opens_quote = not stack and (not before or before.isspace() or before in "([—–") and nxt.isalnum()
        if ch == "»" and opens_quote:
            stack.append(i)  # German book typography opens with »
            continue
        if ch == "”" and opens_quote:
            out.append(("direction", i, i + 1 + after_ws, "“"))
            stack.append(i)
            continue
        if not stack:
            out.append(("unbalanced", i, i + 1, ""))
            continue
        stack.pop()
        j = i
        while j > 0 and text[j - 1] in _SPACE:
            j -= 1
        if j < i and j > 0 and text[j - 1] not in _OPENERS and ch != "»":
            out.append(("spacing", j, i, ""))
    for i in stack:
        # English repeats the opening mark at each paragraph of a long quotation, without closing.
        if text[:i].strip():
            out.append(("unbalanced", i, i + 1, ""))
    if straight and text[: straight[-1]].strip():
        out.append(("unbalanced", straight[-1], straight[-1] + 1, ""))
    return out


@register_kind("quotes")
def quotes(rule: Rule, text: str, context: Context) -> Iterator[Match]:
    """Quotation-mark problems; ``options.report`` picks direction, spacing or unbalanced."""
    want = rule.options["report"]
    for what, start, end, rep in _analyse_quotes(text):
        if what == want:
            yield Match(start, end, rule.message.format(match=text[start:end], mark=text[start:end].strip()),
                        (rep,) if what != "unbalanced" else ())


_PAIRS = {")": "(", "]": "["}


@register_kind("brackets", fixes=False)
def brackets(rule: Rule, text: str, context: Context) -> Iterator[Match]:
    """Round and square brackets without their partner in a paragraph."""
    stack: list[tuple[str, int]] = []
    bad: list[int] = []
    for m in re.finditer(r"[()\[\]]", text):
        i, ch = m.start(), m.group()
        if ch in "([":
            stack.append((ch, i))
            continue
        before = text[max(0, i - 3):i]
        # Enumerations "a) b) 1)" and emoticons ":)" are not brackets.
        enumeration = re.search(r"(?:^|\s)(?:[a-zA-Z]|\d{1,2}|[ivx]{1,4})$", before) is not None
        if (enumeration or before.endswith((":", ";", ":-"))) and (not stack or stack[-1][0] != _PAIRS[ch]):
            continue
        if stack and stack[-1][0] == _PAIRS[ch]:
            stack.pop()
        else:
            bad.append(i)
    bad += [i for _, i in stack]
    for i in sorted(bad):
        yield Match(i, i + 1, rule.message.format(match=text[i], mark=text[i]))


# --------------------------------------------------------------------------- boilerplate


def _data_text(*parts: str) -> str | None:
    node = resources.files("tqcheck.rules") / "data"
    for p in parts:
        node = node / p
    return node.read_text("utf-8") if node.is_file() else None


@lru_cache(maxsize=16)
def boilerplate_patterns(language: str) -> tuple[re.Pattern[str], ...]:
    """Whole-line patterns from ``data/boilerplate/{language}.tsv`` (pattern TAB comment)."""
    text = _data_text("boilerplate", f"{language}.tsv")
    if text is None:
        return ()
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern = line.split("\t", 1)[0].strip()
        out.append(re.compile(pattern, re.I))
    return tuple(out)


@register_kind("boilerplate", fixes=False)
def boilerplate(rule: Rule, text: str, context: Context) -> Iterator[Match]:
    """Page furniture: a line (or a whole segment) that is a known comment-form, share-button,
    cookie or navigation string. The match spans the whole segment when every line of it is
    furniture, so the pipeline marks the segment non-content and the score leaves it out."""
    patterns = boilerplate_patterns(context.language)
    if not patterns:
        return
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n\r]+", text)]
    hits = []
    for a, b in lines:
        body = text[a:b].strip(_SPACE + "*•·|>–—-").strip()
        body = body.rstrip(".:!")
        if not body:
            continue
        if len(body) <= 200 and any(p.fullmatch(body) for p in patterns):
            hits.append((a, b))
    if not hits:
        return
    content_lines = [(a, b) for a, b in lines if text[a:b].strip()]
    if len(hits) == len(content_lines):
        yield Match(0, len(text), rule.message.format(match=text.strip()))
        return
    for a, b in hits:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        yield Match(a, b, rule.message.format(match=text[a:b]))


# --------------------------------------------------------------------------- untranslated text

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+)*")
#: Languages an untranslated passage is looked for in when the source language is unknown.
DEFAULT_FOREIGN = ("fr", "de", "es", "it", "pt")


@lru_cache(maxsize=16)
def loanwords(language: str) -> frozenset[str]:
    """Foreign words and phrases that are at home in ``language`` (``data/loanwords/{lang}.txt``)."""
    text = _data_text("loanwords", f"{language}.txt")
    if text is None:
        return frozenset()
    out = set()
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip().lower()
        if entry:
            out.add(entry)
            out.update(re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", entry))
    return frozenset(out)


def _candidates(context: Context) -> tuple[str, ...]:
    if context.source and context.source != context.language:
        return (context.source,)
    return tuple(lang for lang in DEFAULT_FOREIGN if lang != context.language)


@lru_cache(maxsize=32)
def _frequencies(language: str) -> dict[str, float]:
    from wordfreq import get_frequency_dict

    try:
        # Positional, as wordfreq's own word_frequency() calls it: its lru_cache keys positional and
        # keyword arguments apart, and each miss rebuilds a dict of some 300,000 words (0.1-0.3 s).
        return get_frequency_dict(language, "best")
    except LookupError:  # a language wordfreq does not cover
        return {}


@lru_cache(maxsize=65536)
def _zipf(word: str, language: str) -> float:
    """Zipf frequency of a lower-case word (log10 per billion words); a plain dictionary look-up
    for ordinary words, wordfreq's tokenising look-up for the rest (elisions, hyphens)."""
    if word.isalpha():
        freq = _frequencies(language).get(word, 0.0)
        return round(math.log10(freq) + 9, 2) if freq > 0 else 0.0
    from wordfreq import zipf_frequency

    return zipf_frequency(word, language)


def _foreignness(word: str, context: Context) -> tuple[float, str]:
    """How much more common ``word`` is in a candidate language than in the target, and which."""
    return _gap(word, context.language, context.source)


@lru_cache(maxsize=131072)
def _gap(word: str, language: str, source: str | None) -> tuple[float, str]:
    home = _zipf(word, language)
    best, lang = 0.0, ""
    for cand in _candidates(Context(language, source)):
        gap = _zipf(word, cand) - home
        if gap > best:
            best, lang = gap, cand
    return best, lang


def _may_be_foreign(text: str, context: Context, threshold: float) -> bool:
    """Cheap screen: does any run of letters in ``text`` look foreign at ``threshold``? Most
    sentences are all target-language words and skip the token-by-token scan entirely."""
    return any(_gap(w, context.language, context.source)[0] >= threshold for w in _words(text))


#: Letters a language writes natively; others in a word are evidence of a foreign word.
_NATIVE_LETTERS = {"en": "abcdefghijklmnopqrstuvwxyz'’-"}


def _foreign_letters(word: str, language: str) -> bool:
    native = _NATIVE_LETTERS.get(language)
    return native is not None and any(c not in native for c in word.lower())


#: Languages that capitalise common nouns, so a capital letter does not mark a name.
_CAPITALISED_NOUNS = {"de", "lb"}


@register_kind("untranslated-words", fixes=False)
def untranslated_words(rule: Rule, text: str, context: Context) -> Iterator[Match]:
    """Runs of words that are common in the source (or another) language and rare in the
    target. Names (capitalised inside a sentence), acronyms and listed loanwords are left alone."""
    opts = rule.options
    word_gap = float(opts.get("word_gap", 3.0))
    run_gap = float(opts.get("run_gap", 2.0))
    max_home = float(opts.get("max_home_zipf", 3.8))
    allowed = loanwords(context.language)
    if not _may_be_foreign(text, context, run_gap - 0.5):
        return
    tokens = list(_WORD.finditer(text))
    if not tokens:
        return
    scored = []  # (match, gap, language, may stand alone)
    for k, m in enumerate(tokens):
        tok = m.group()
        low = tok.lower()
        first = k == 0 or text[tokens[k - 1].end():m.start()].strip() in (".", "!", "?", ":", "“", '"')
        if len(low) < 2 or low in allowed or (tok.isupper() and len(tok) > 1):
            scored.append((m, 0.0, "", False))
            continue
        gap, lang = _foreignness(low, context)
        # A capitalised word inside a sentence is a name, unless the language capitalises its
        # nouns (German) and the word is a very common word there.
        if tok[:1].isupper() and not first and not (lang in _CAPITALISED_NOUNS and gap >= word_gap + 0.5):
            gap = 0.0
        # A word common in the target too ("les", "que") may join a run but not stand alone.
        scored.append((m, gap, lang, _zipf(low, context.language) <= max_home))
    # Group adjacent foreign-looking words (only spaces between them) into runs.
    k = 0
    while k < len(scored):
        if scored[k][1] < run_gap:
            k += 1
            continue
        j = k
        while (j + 1 < len(scored) and scored[j + 1][1] >= run_gap
               and not text[scored[j][0].end():scored[j + 1][0].start()].strip(" \u00a0")):
            j += 1
        run = scored[k:j + 1]
        k = j + 1
        # Trim target-common words at the edges ("the thés" -> "thés").
        while run and not run[0][3]:
            run = run[1:]
        while run and not run[-1][3]:
            run = run[:-1]
        if not run:
            continue
        strong = max(g for _, g, _, alone in run if alone)
        # A lone word needs more evidence: a larger gap, or letters the target rarely uses (thés).
        lone_ok = strong >= word_gap + 0.5 or (strong >= word_gap and _foreign_letters(run[0][0].group(),
                                                                                    context.language))
        if (len(run) >= 2 and strong >= word_gap) or (len(run) == 1 and lone_ok):
            start, end = run[0][0].start(), run[-1][0].end()
            phrase = text[start:end]
            if phrase.lower() not in allowed:
                langs = [lg for _, _, lg, _ in run if lg]
                lang = max(set(langs), key=langs.count)
                yield Match(start, end, rule.message.format(match=phrase, language=_name(lang)), (),
                            (("language", lang), ("foreignness", round(strong, 2))))


@register_kind("untranslated-sentence", fixes=False)
def untranslated_sentence(rule: Rule, text: str, context: Context) -> Iterator[Match]:
    """A whole sentence in another language than the document's (lingua, confirmed by word
    frequencies so that short English headlines full of names are not mistaken for French)."""
    words = _WORD.findall(text)
    if len(words) < int(rule.options.get("min_words", 5)) or not _may_be_foreign(text, context, 1.0):
        return
    # Cheap screen first: most words must look foreign by their frequencies.
    allowed = loanwords(context.language)
    foreign = 0
    for w in words:
        low = w.lower()
        if low in allowed:
            continue
        if _foreignness(low, context)[0] >= 1.0:
            foreign += 1
    if foreign / len(words) < float(rule.options.get("min_foreign_share", 0.5)):
        return
    from tqcheck.language import _detector

    values = _detector().compute_language_confidence_values(text)
    if not values:
        return
    top = values[0]
    lang = top.language.iso_code_639_1.name.lower()
    if lang == context.language or top.value < float(rule.options.get("min_confidence", 0.8)):
        return
    yield Match(0, len(text), rule.message.format(match=text, language=_name(lang)), (),
                (("language", lang), ("lingua_confidence", round(top.value, 3))))


_NAMES = {"fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
          "nl": "Dutch", "en": "English", "ru": "Russian", "pl": "Polish", "sv": "Swedish",
          "da": "Danish", "ro": "Romanian", "cs": "Czech", "tr": "Turkish", "el": "Greek"}


def _name(code: str) -> str:
    return _NAMES.get(code, code)


# --------------------------------------------------------------------------- typography needing code

_GUILLEMET = re.compile(f"(?P<open>[«‹][{_SPACE}]*)|(?P<close>[{_SPACE}]*[»›])")
_GUILLEMET_MAP = {"«": "“", "»": "”", "‹": "‘", "›": "’"}


@register_kind("guillemets")
def guillemets(rule: Rule, text: str, context: Context) -> Iterator[Match]:
    """« and » (with the spaces inside them) replaced by “ and ”; ‹ › by ‘ ’."""
    for m in _GUILLEMET.finditer(text):
        mark = m.group().strip(_SPACE)
        yield Match(m.start(), m.end(), rule.message.format(match=m.group(), mark=mark),
                    (_GUILLEMET_MAP[mark],))


_NS = "[ \u00a0\u202f\u2009]"
#: A number with spaces between groups of three digits (the first group not starting with 0).
_SPACED = re.compile(rf"(?<![\d.,])(?<!\d{_NS})(?<!\d[.,])[1-9]\d{{0,2}}(?:{_NS}\d{{3}})+(?:,\d+)?"
                     rf"(?![\d]|{_NS}\d|[.,]\d|-)")
#: A decimal comma: one to two (or four and more) digits after the comma, not a list "1,2,3".
_DECIMAL = re.compile(r"(?<![\d,.])\d{1,3},(?:\d{1,2}|\d{4,})(?![\d,]|\.\d)")


@register_kind("numbers")
def numbers(rule: Rule, text: str, context: Context) -> Iterator[Match]:
    """French number formats in English: ``report = "thousands"`` (4 000) or ``"decimal"`` (2,5)."""
    if rule.options["report"] == "thousands":
        for m in _SPACED.finditer(text):
            num = m.group()
            fixed = re.sub(_NS, ",", num.split(",")[0]) + ("." + num.split(",")[1] if "," in num else "")
            yield Match(m.start(), m.end(), rule.message.format(match=num), (fixed,))
        return
    for m in _DECIMAL.finditer(text):
        before = text[: m.start()]
        # "in 2005, 12 people" has a space; "1,2" right after a year-like number or inside a
        # list "1,2 and 3" stays alone. Four or more decimals are a decimal comma too (3,1416).
        if re.search(r"\d,\s*$", before) or re.match(r"\s*(?:,|and \d|or \d|&)", text[m.end():]):
            continue
        num = m.group()
        yield Match(m.start(), m.end(), rule.message.format(match=num), (num.replace(",", "."),))
