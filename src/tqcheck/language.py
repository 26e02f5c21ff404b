"""Language identification (lingua), built lazily and restricted to the languages we support
so that detection is fast and short texts are not mistaken for rare languages.

``detect`` says which language a text is in and how sure it is; ``normalize_code`` turns what a
user types (``en-GB``, ``EN``, ``fra``, ``deu``) into the ISO 639-1 code the rest of tqcheck uses.
The source-language guess (which language a translation came from) is in ``source_guess.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: ISO 639-1 codes tqcheck knows about, for detection.
SUPPORTED = ("en", "fr", "de", "es", "it", "pt", "nl", "ru", "el", "pl", "sv", "da", "ro", "cs", "tr")

#: English names, for messages.
NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "el": "Greek", "pl": "Polish",
    "sv": "Swedish", "da": "Danish", "ro": "Romanian", "cs": "Czech", "tr": "Turkish",
}

#: Three-letter codes (ISO 639-2/B and /T, 639-3) that users and file formats write.
_THREE_LETTER = {
    "eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "ita": "it",
    "por": "pt", "nld": "nl", "dut": "nl", "rus": "ru", "ell": "el", "gre": "el", "pol": "pl",
    "swe": "sv", "dan": "da", "ron": "ro", "rum": "ro", "ces": "cs", "cze": "cs", "tur": "tr",
}

#: Below this lingua confidence the text's language is "unsure" (None).
MIN_CONFIDENCE = 0.5
#: Detection reads at most this many characters (from the start, the middle and the end).
SAMPLE_CHARS = 20_000


def name(code: str | None) -> str:
    """``fr`` -> ``French`` (the code itself for languages without a name here)."""
    if code is None:
        return "unknown"
    return NAMES.get(code, code)


def normalize_code(code: str) -> str:
    """``en-GB``, ``en_gb``, ``EN``, ``eng`` -> ``en``; ``auto`` stays ``auto``.

    Raises ValueError for something that is not a language code at all ("english", "e").
    Codes we have no data for (``fi``, ``ja``) pass: rules for any language still run.
    """
    value = code.strip()
    if value.lower() == "auto":
        return "auto"
    m = re.fullmatch(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{2,8})*", value)
    if not m:
        raise ValueError(f"{code!r} is not a language code; use ISO 639-1, e.g. en, fr, de, es")
    base = m.group(1).lower()
    return _THREE_LETTER.get(base, base)


@dataclass(frozen=True)
class Detection:
    """What lingua said about a text: the language (None when unsure), its confidence and the
    runners-up, so a report can show why."""

    language: str | None
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "confidence": round(self.confidence, 3),
            "alternatives": {code: round(v, 3) for code, v in self.alternatives},
            "reason": self.reason,
        }


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, c.upper()) for c in SUPPORTED]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_CHARS:
        return text
    third = SAMPLE_CHARS // 3
    mid = len(text) // 2
    return "\n".join((text[:third], text[mid - third // 2: mid + third // 2], text[-third:]))


def detect(text: str, *, min_confidence: float = MIN_CONFIDENCE) -> Detection:
    """Detect the language of ``text`` (lingua over a sample of at most 20,000 characters)."""
    sample = _sample(text)
    letters = sum(1 for c in sample if c.isalpha())
    if not letters:
        return Detection(None, 0.0, (), "no letters to detect a language from")
    values = _detector().compute_language_confidence_values(sample)
    ranked = tuple((v.language.iso_code_639_1.name.lower(), float(v.value)) for v in values[:3]
                   if v.value > 0.0)
    if not ranked:
        return Detection(None, 0.0, (), "lingua found no supported language")
    best, conf = ranked[0]
    if conf < min_confidence:
        others = ", ".join(f"{name(c)} {v:.2f}" for c, v in ranked)
        return Detection(None, conf, ranked, f"unsure (below {min_confidence}): {others}")
    reason = f"lingua: {name(best)} with confidence {conf:.2f} over {letters} letters"
    return Detection(best, conf, ranked, reason)


def detect_language(text: str, *, min_confidence: float = MIN_CONFIDENCE) -> str | None:
    """The ISO 639-1 code of the text's language, or None if unsure."""
    return detect(text, min_confidence=min_confidence).language


def segment_language(text: str, *, min_confidence: float = 0.9) -> str | None:
    """The language of one sentence when lingua is very sure of it (used to spot passages left
    in another language); None for short or ambiguous text."""
    if len(re.findall(r"[^\W\d_]{2,}", text)) < 4:
        return None
    values = _detector().compute_language_confidence_values(text)
    if values and values[0].value >= min_confidence:
        return values[0].language.iso_code_639_1.name.lower()
    return None
