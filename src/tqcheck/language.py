"""Language identification (lingua), built lazily and restricted to the languages we support
so that detection is fast and short texts are not mistaken for rare languages."""

from __future__ import annotations

from functools import lru_cache

#: ISO 639-1 codes tqcheck knows about, for detection.
SUPPORTED = ("en", "fr", "de", "es", "it", "pt", "nl", "ru", "el", "pl", "sv", "da", "ro", "cs", "tr")


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, c.upper()) for c in SUPPORTED]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


def detect_language(text: str, *, min_confidence: float = 0.5) -> str | None:
    """The ISO 639-1 code of the text's language, or None if unsure."""
    sample = text[:20_000]
    if not any(c.isalpha() for c in sample):
        return None
    values = _detector().compute_language_confidence_values(sample)
    if not values or values[0].value < min_confidence:
        return None
    return values[0].language.iso_code_639_1.name.lower()
