"""The embedded English n-gram backend: works everywhere, downloads nothing.

The CMU US-English trigram model ships inside the ``pocketsphinx`` wheel (BSD licence). Its
``prob([word, previous, the_one_before])`` returns a back-off log-probability in base-1.0001 units
over a lower-case vocabulary, and a huge negative sentinel for an unknown word. Here:

- words are lower-cased for the LM; punctuation is not scored (rules judge it);
- numbers, acronyms ("IS", "US", "GMT") and capitalised names the LM does not know are *neutral*:
  scored as their own unigram (no surprise beyond their rarity) and they reset the next word's
  context, because "the IS and" must not be read as "the is and";
- capitalised words the LM knows (Paris, Obama, Prime Minister) are scored in context, but their
  surprise beyond rarity is capped: a name in an odd place is rarely a translation error;
- a lower-case word unknown to the LM backs off to its ``wordfreq`` unigram (plus a small penalty),
  and one unknown to both (a misspelling, a foreign word left in) is charged heavily, as is one
  wordfreq knows but that is one edit from a far more frequent word the LM knows ("folowing");
- a clause mark (comma, colon, dash, bracket) restarts the LM's history, since the speech-trained
  LM never saw punctuation; after a bare comma a word the LM knows gets the better of its fresh
  and its in-context score ("the world, and they" judges "and" after "world"), a sentence-level
  bonus that span detection does not see (it stays inside clauses);
- ``<s>`` starts each text and a zero-width ``</s>`` token ends it, so "the same day day" is judged
  on how sentences end too.
"""

from __future__ import annotations

import copy
import math
import os
import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from tqcheck.models.lm import TokenScores, unigram_logprob
from tqcheck.signals.base import SignalUnavailable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: base-1.0001 log units -> nats.
LOG_BASE = math.log(1.0001)
#: pocketsphinx returns about this for a word outside the vocabulary.
OOV_SENTINEL = -500_000_000
#: An OOV context word: makes the LM back off to a shorter history.
RESET = "<reset>"

_SENTENCE_END = re.compile(r"[.!?]['\"”’»)\]]*\s+['\"“‘«(\[]*$")
_TERMINAL = re.compile(r"[.!?…:;]['\"”’»)\]]*\s*$")
#: Clause boundaries. Quotation marks are not among them: quoted words go on with the sentence.
#: U+FFFC is masked inline markup (code, links, comments): the words around it are not adjacent.
_CLAUSE_MARK = re.compile(r"[,;:()\[\]{}–—…/|*\ufffc]|\s-{1,3}\s")
_TOKEN_RE = re.compile(r"\d+(?:[.,:/]\d+)*(?:st|nd|rd|th|s|%)?|[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


@lru_cache(maxsize=1)
def constants() -> dict[str, Any]:
    from importlib.resources import files

    return tomllib.loads(files("tqcheck.models").joinpath("data/ngram.toml").read_text("utf-8"))


def model_file() -> str:
    try:
        import pocketsphinx
    except ImportError:  # pragma: no cover - a core dependency
        raise SignalUnavailable("the pocketsphinx package is not installed",
                                "pip install pocketsphinx") from None
    return os.path.join(pocketsphinx.get_model_path(), *constants()["model_file"].split("/"))


class NGramScorer:
    backend = "ngram"

    def __init__(self) -> None:
        import pocketsphinx

        path = model_file()
        if not os.path.isfile(path):
            raise SignalUnavailable(f"the pocketsphinx wheel has no English LM at {path}",
                                    "reinstall pocketsphinx (pip install --force-reinstall pocketsphinx)")
        self.lm = pocketsphinx.NGramModel.readfile(path)
        try:
            from importlib.metadata import version

            release = version("pocketsphinx")
        except Exception:  # pragma: no cover - metadata missing in odd installs
            release = "unknown"
        self.model_id = f"cmu-us-english-trigram (pocketsphinx {release})"
        c = constants()
        self.floor = float(c["unigram_floor"])
        self.known_zipf = float(c["known_word_zipf"])
        self.oov_penalty = float(c["oov_backoff_penalty"])
        self.unknown_unigram = float(c["unknown_word_unigram"])
        self.unknown_logprob = float(c["unknown_word_logprob"])
        self.number_unigram = float(c["number_unigram"])
        self.name_cap = float(c["name_excess_cap"])
        self.lower_start = float(c["lowercase_sentence_start"])
        self.unpunctuated_end = float(c["unpunctuated_end"])
        self.unpunctuated_min_words = int(c["unpunctuated_min_words"])
        self.foreign_langs = list(c["foreign_languages"])
        self.foreign_margin = math.log(float(c["foreign_ratio"]))
        self.typo_min_length = int(c["misspelling_min_length"])
        self.typo_margin = math.log(float(c["misspelling_ratio"]))
        self.bridge_marks = frozenset(c.get("context_across", ""))
        self._known: dict[str, bool] = {}
        self._views: dict[tuple[str, ...], NGramScorer] = {}

    def _bridges(self, gap: str) -> bool:
        """A clause gap the LM's history may reach across: only bridging marks in it ("," by default)."""
        marks = [c for c in gap if not c.isspace()]
        return bool(marks) and all(c in self.bridge_marks for c in marks)

    # -- vocabulary ---------------------------------------------------------------------------
    def _p(self, word: str, h1: str, h2: str) -> float | None:
        v = self.lm.prob([word, h1, h2])
        return None if v <= OOV_SENTINEL else v * LOG_BASE

    def in_vocab(self, word: str) -> bool:
        known = self._known.get(word)
        if known is None:
            known = self._known[word] = self.lm.prob([word]) > OOV_SENTINEL
        return known

    def _unigram(self, word: str) -> float:
        return unigram_logprob(word, "en", self.floor)

    def for_sources(self, langs: Iterable[str | None]) -> NGramScorer:
        """This scorer with the untranslated-word test narrowed to the texts' source languages.

        When every text's source language is known (and wordfreq has it), a rare word is checked
        against those languages only: a German source's leftovers are German, and a French one's
        check need not load the Spanish and German word lists (0.2 s each). Any unknown source keeps
        the default list (``foreign_languages``). Shares the model and caches with ``self``."""
        from wordfreq import available_languages

        wanted = {(lang or "").split("-")[0].lower() for lang in langs}
        if not wanted or "" in wanted or "en" in wanted or not wanted <= set(available_languages()):
            return self
        key = tuple(sorted(wanted))
        view = self._views.get(key)
        if view is None:
            view = copy.copy(self)
            view.foreign_langs = list(key)
            self._views[key] = view
        return view

    def _foreign(self, word: str, english: float) -> bool:
        """A word far more common in a usual source language than in English: left untranslated
        ("pour", "gouvernement", "mondiale"), so it must not pass as a rare English word."""
        return any(unigram_logprob(word, lang, self.floor) - english > self.foreign_margin
                   for lang in self.foreign_langs)

    def _misspelling(self, word: str, u: float) -> bool:
        """One edit (a letter deleted, added, changed or two swapped) from a word the LM knows that is
        far more frequent: "folowing", "recieve". wordfreq has seen common misspellings often enough
        to pass as rare real words, and their unigram discount would make them look fluent."""
        if len(word) < self.typo_min_length or not word.isalpha():
            return False
        letters = "abcdefghijklmnopqrstuvwxyz"
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        variants = {a + b[1:] for a, b in splits if b}
        variants |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        variants |= {a + c + b[1:] for a, b in splits if b for c in letters}
        variants |= {a + c + b for a, b in splits for c in letters}
        variants.discard(word)
        return any(self.in_vocab(v) and self._unigram(v) - u >= self.typo_margin for v in variants)

    # -- scoring ------------------------------------------------------------------------------
    def score(self, texts: list[str]) -> list[TokenScores]:
        return [self.score_one(t) for t in texts]

    def score_one(self, text: str) -> TokenScores:
        out = TokenScores(text=text, model_id=self.model_id)
        letters = [c for c in text if c.isalpha()]
        shouting = bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)
        # A speech LM's sentence starts are conversational ("<s> so", "<s> yeah"); news sentences
        # start anywhere, so the first word is judged without context.
        h1, h2 = RESET, RESET
        initial = True
        prev_end = 0
        for m in _TOKEN_RE.finditer(text):
            raw = m.group().replace("’", "'")
            s, e = m.start(), m.end()
            gap = text[prev_end:s]
            prev_end = e
            # After a sentence end inside the segment ("... ground. But"), a capital is initial again.
            if _SENTENCE_END.search(gap) and "\ufffc" not in gap:
                initial = True
            # The LM was trained on unpunctuated speech transcripts: it never saw a clause boundary,
            # so a word after a comma, colon, dash or bracket is judged without the words
            # before the mark ("Paris, the" must not be read as "paris the").
            fresh = bool(_CLAUSE_MARK.search(gap))
            # Across a comma the words may still form one phrase ("food, drink, and wine"): the
            # history before the mark is kept aside, and an in-vocabulary word after it gets the
            # better of its fresh and its in-context score (never worse than fresh).
            carry = (h1, h2) if fresh and self._bridges(gap) else None
            if fresh:
                h1, h2 = RESET, RESET
            word = raw.lower()
            hyphen_name = (gap == "-" and out.tokens and out.neutral[-1]) or (
                text[e:e + 1] == "-" and text[e + 1:e + 2].isupper())
            if raw[0].isdigit():
                self._add(out, s, e, self.number_unigram, self.number_unigram, None, fresh, neutral=True)
                h1, h2 = RESET, h1
            elif (not shouting and len(raw) >= 2 and raw.isupper()) or hyphen_name:
                # Acronyms ("IS", "US") and parts of hyphenated names ("al-Abadi"): neutral.
                u = self._unigram(word)
                self._add(out, s, e, u, u, None, fresh, neutral=True)
                h1, h2 = RESET, h1
            elif raw[0].isupper() and not initial and not shouting:
                # A capitalised word mid-sentence is (part of) a name: "Oldsmobile Intrigue", "Iraq
                # Study Group". Names are rare in any context; the LM judges neither them nor the word
                # after them. In-vocabulary names still count toward SLOR, capped like any name.
                u, base = self._unigram(word), self._p(word, RESET, RESET)
                lp = self._p(word, h1, h2)
                lp = u if lp is None else max(lp, (base or u) - self.name_cap)
                self._add(out, s, e, lp, u, base, fresh, neutral=True)
                h1, h2 = RESET, h1
            elif self.in_vocab(word):
                lp, u, base = self._p(word, h1, h2), self._unigram(word), self._p(word, RESET, RESET)
                assert lp is not None
                bridged = self._p(word, *carry) if carry is not None and carry[0] != RESET else None
                if bridged is not None and bridged > lp:
                    # Span detection stays inside clauses: the bonus lifts the baseline alike, so
                    # the word's excess surprisal (what detection reads) is unchanged.
                    base = (u if base is None else base) + bridged - lp
                    lp = bridged
                self._add(out, s, e, lp, u, base, fresh, neutral=False)
                h1, h2 = word, h1
            elif "'" in word and self.in_vocab(word.split("'")[0]):
                # Possessive or clitic the LM lacks as one token ("abadi's"): the stem, then the rest.
                stem, rest = word.split("'", 1)
                cut = s + len(stem)
                u, base = self._unigram(stem), self._p(stem, RESET, RESET)
                lp = self._p(stem, h1, h2) or u
                self._add(out, s, cut, lp, u, base, fresh, neutral=False)
                tail = "'" + rest
                tl, tu = self._p(tail, stem, h1), self._unigram(tail)
                self._add(out, cut, e, tl if tl is not None else tu, tu, self._p(tail, RESET, RESET), False,
                          neutral=tl is None)
                h1, h2 = (tail, stem) if tl is not None else (RESET, stem)
            elif raw[0].isupper():
                # A name the LM does not know: judged by nobody, blamed for nothing.
                u = self._unigram(word)
                self._add(out, s, e, u, u, None, fresh, neutral=True)
                h1, h2 = RESET, h1
            else:
                u = self._unigram(word)
                zipf = (u - math.log(1e-9)) / math.log(10)
                # English loanwords ("café", "déjà") are English; only rarer words may be foreign.
                if zipf >= self.known_zipf and (zipf >= 2.5 or not self._foreign(word, u)) \
                        and not self._misspelling(word, u):
                    # A real word the LM's vocabulary lacks: its unigram, a little discounted.
                    self._add(out, s, e, u + self.oov_penalty, u, None, fresh, neutral=False)
                else:
                    # Neither model knows it: a misspelling or a foreign word left in the copy.
                    self._add(out, s, e, self.unknown_logprob, self.unknown_unigram, None, fresh,
                              neutral=False)
                h1, h2 = RESET, h1
            if initial and raw[0].isalpha() and raw[0].islower() and out.tokens:
                # Letter case is part of written English the speech LM cannot see: a sentence that
                # starts in lower case is improbable ("the vehicle was removed ...").
                self._charge(out, self.lower_start)
            initial = False
        if out.tokens and len(out.tokens) >= self.unpunctuated_min_words and not _TERMINAL.search(text):
            # A long segment with no closing punctuation is less likely prose (headlines are short).
            self._charge(out, self.unpunctuated_end)
        if out.tokens and "\ufffc" not in text[out.tokens[-1][1]:]:
            # (No end-of-sentence event when masked markup follows the last word: it was not the end.)
            end = out.tokens[-1][1]
            lp, u = self._p("</s>", h1, h2), self._p("</s>", RESET, RESET)
            if lp is not None and u is not None:
                self._add(out, end, end, lp, u, u, False, neutral=False)
        return out

    @staticmethod
    def _charge(out: TokenScores, cost: float) -> None:
        """A form event (case, punctuation) on the last token: it lowers the log-probability (so
        SLOR and perplexity see it) and its context-free baseline alike, so span detection, which
        looks for words out of place, does not."""
        s0, e0, lp0 = out.tokens[-1]
        out.tokens[-1] = (s0, e0, lp0 + cost)
        out.baseline[-1] += cost

    @staticmethod
    def _add(out: TokenScores, s: int, e: int, lp: float, u: float, base: float | None, fresh: bool, *,
             neutral: bool) -> None:
        out.tokens.append((s, e, float(lp)))
        out.unigram.append(float(u))
        out.baseline.append(float(u if base is None else base))
        out.fresh.append(bool(fresh))
        out.neutral.append(neutral)


__all__ = ["NGramScorer", "constants", "model_file"]
