"""Just enough English inflection for lexicon patterns: ``recognize:v`` matches recognize,
recognizes, recognized, recognizing (and the -ise spellings); ``library:n`` matches library and
libraries. Over-generating a form that is not a word is harmless (it never occurs in text);
missing a real form is a missed finding, so the rules here err on the generous side.

Each form carries a label (``base``, ``s``, ``past``, ``pp``, ``ing``, ``pl``) so a suggested
replacement can be put in the same form as the matched word (recognized -> acknowledged).
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Irregular verbs: base -> (past, past participle). Only verbs that lexicon patterns or their
#: suggestions may use need to be here; regular verbs are inflected by rule.
IRREGULAR: dict[str, tuple[str, str]] = {
    "be": ("was|were", "been"), "become": ("became", "become"), "begin": ("began", "begun"),
    "bring": ("brought", "brought"), "build": ("built", "built"), "buy": ("bought", "bought"),
    "catch": ("caught", "caught"), "choose": ("chose", "chosen"), "come": ("came", "come"),
    "deal": ("dealt", "dealt"), "do": ("did", "done"), "draw": ("drew", "drawn"),
    "drive": ("drove", "driven"), "fall": ("fell", "fallen"), "feel": ("felt", "felt"),
    "fight": ("fought", "fought"), "find": ("found", "found"), "get": ("got", "got|gotten"),
    "give": ("gave", "given"), "go": ("went", "gone"), "have": ("had", "had"),
    "hold": ("held", "held"), "keep": ("kept", "kept"), "know": ("knew", "known"),
    "lead": ("led", "led"), "leave": ("left", "left"), "let": ("let", "let"),
    "lose": ("lost", "lost"), "make": ("made", "made"), "mean": ("meant", "meant"),
    "meet": ("met", "met"), "pay": ("paid", "paid"), "put": ("put", "put"),
    "rise": ("rose", "risen"), "run": ("ran", "run"), "say": ("said", "said"),
    "see": ("saw", "seen"), "sell": ("sold", "sold"), "send": ("sent", "sent"),
    "set": ("set", "set"), "show": ("showed", "shown|showed"), "sit": ("sat", "sat"),
    "speak": ("spoke", "spoken"), "spend": ("spent", "spent"), "stand": ("stood", "stood"),
    "take": ("took", "taken"), "teach": ("taught", "taught"), "tell": ("told", "told"),
    "think": ("thought", "thought"), "throw": ("threw", "thrown"),
    "understand": ("understood", "understood"), "undertake": ("undertook", "undertaken"),
    "win": ("won", "won"), "withdraw": ("withdrew", "withdrawn"), "write": ("wrote", "written"),
    "hit": ("hit", "hit"), "cut": ("cut", "cut"), "cost": ("cost", "cost"),
    "strike": ("struck", "struck"), "seek": ("sought", "sought"), "lay": ("laid", "laid"),
    "forbid": ("forbade", "forbidden"), "undergo": ("underwent", "undergone"),
}
_VOWELS = set("aeiou")


#: Verbs of several syllables whose stressed last syllable doubles its consonant (admitted,
#: controlled); one-syllable verbs double by rule (stopped), others do not (visited, opened).
DOUBLE_FINAL = frozenset({
    "admit", "commit", "permit", "submit", "omit", "emit", "transmit", "regret", "prefer", "refer",
    "confer", "defer", "infer", "occur", "recur", "deter", "control", "patrol", "compel", "expel",
    "propel", "repel", "dispel", "equip", "abet", "forget", "upset", "outfit", "rebut", "embed",
})


def _doubles(word: str) -> bool:
    """Could the final consonant double (stop -> stopped, control -> controlled)? Both spellings
    are matched; :func:`_doubles_first` decides which one a suggestion uses."""
    return (len(word) >= 3 and word[-1] not in _VOWELS | set("wxy") and word[-2] in _VOWELS
            and word[-3] not in _VOWELS)


def _doubles_first(word: str) -> bool:
    return _doubles(word) and (word in DOUBLE_FINAL or len(re.findall(r"[aeiouy]+", word)) == 1)


def _s_form(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh", "o")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in _VOWELS:
        return word[:-1] + "ies"
    return word + "s"


@lru_cache(maxsize=4096)
def verb_forms(base: str) -> dict[str, tuple[str, ...]]:
    """label -> spellings of a verb (both -ize and -ise; doubled and single final consonant)."""
    bases = [base]
    if base.endswith(("ize", "yze")):
        bases.append(base[:-2] + "se")
    forms: dict[str, list[str]] = {"base": [], "s": [], "past": [], "pp": [], "ing": []}
    for b in bases:
        forms["base"].append(b)
        forms["s"].append("is" if b == "be" else "has" if b == "have" else _s_form(b))
        if b in IRREGULAR:
            past, pp = IRREGULAR[b]
            forms["past"] += past.split("|")
            forms["pp"] += pp.split("|")
        else:
            if b.endswith("e"):
                ed = [b + "d"]
            elif b.endswith("y") and b[-2:-1] not in _VOWELS:
                ed = [b[:-1] + "ied"]
            else:
                ed = [b + "ed"] + ([b + b[-1] + "ed"] if _doubles(b) else [])
                if _doubles_first(b):
                    ed.reverse()
            forms["past"] += ed
            forms["pp"] += ed
        if b.endswith("ie"):
            ing = [b[:-2] + "ying"]
        elif b.endswith("e") and not b.endswith(("ee", "ye", "oe")) and b != "be":
            ing = [b[:-1] + "ing"]
        else:
            ing = [b + "ing"] + ([b + b[-1] + "ing"] if _doubles(b) else [])
            if _doubles_first(b):
                ing.reverse()
        forms["ing"] += ing
    return {k: tuple(dict.fromkeys(v)) for k, v in forms.items()}


@lru_cache(maxsize=4096)
def noun_forms(base: str) -> dict[str, tuple[str, ...]]:
    if base.endswith(("s", "x", "z", "ch", "sh")):
        plural = base + "es"
    elif base.endswith("y") and base[-2:-1] not in _VOWELS:
        plural = base[:-1] + "ies"
    elif base.endswith("is"):
        plural = base[:-2] + "es"
    else:
        plural = base + "s"
    return {"base": (base,), "pl": (plural,)}


def forms(word: str, pos: str) -> dict[str, tuple[str, ...]]:
    """All labelled forms of ``word`` as part of speech ``pos`` ('v', 'n' or '' for exact)."""
    if pos == "v":
        return verb_forms(word)
    if pos == "n":
        return noun_forms(word)
    return {"base": (word,)}


def label_of(surface: str, word: str, pos: str) -> str:
    """Which form of ``word`` the matched ``surface`` is ('base' when unsure)."""
    s = surface.lower()
    found = forms(word, pos)
    # Past and participle often coincide; prefer 'past' so a suggestion uses the simple past.
    for label in ("base", "s", "past", "pp", "ing", "pl"):
        if s in found.get(label, ()):
            return label
    return "base"


def inflect(word: str, pos: str, label: str) -> str:
    """``word`` put in form ``label`` (the first spelling), e.g. inflect('take', 'v', 'past')."""
    options = forms(word, pos).get(label) or (word,)
    return options[0]
