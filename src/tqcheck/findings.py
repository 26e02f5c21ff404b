"""The plain data a signal emits: findings, suggestions and skipped-signal notes.

No logic beyond ordering lives here; scoring and rendering happen elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """Ordered by rank (minor < major < critical), not alphabetically."""

    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


_SEVERITY_RANK = {Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}


class Category(str, Enum):
    """MQM top-level categories, plus ``non-content`` for page furniture mixed into the copy."""

    ACCURACY = "accuracy"
    FLUENCY = "fluency"
    TERMINOLOGY = "terminology"
    STYLE = "style"
    LOCALE_CONVENTION = "locale-convention"
    NON_CONTENT = "non-content"


@dataclass
class Suggestion:
    """A replacement for exactly the span of its finding."""

    replacement: str
    #: True when applying it cannot change the meaning (exact typography fixes).
    safe: bool = False
    #: Where it came from: "rule", "lexicon", "roundtrip", ...
    source: str = "rule"
    #: Ranking score (higher is better) when a ranker scored it.
    score: float | None = None
    #: The whole sentence with the replacement applied, for display.
    sentence: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Finding:
    rule: str
    category: Category
    severity: Severity
    #: Character offsets into the untouched original text.
    start: int
    end: int
    message: str
    suggestions: list[Suggestion] = field(default_factory=list)
    confidence: float = 1.0
    evidence: dict[str, Any] = field(default_factory=dict)
    #: The signal that produced it ("rules", "roundtrip", "fluency", ...).
    signal: str = "rules"

    def sort_key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.rule)


@dataclass(frozen=True)
class Skipped:
    """A signal that could not run, why, and the command or setting that fixes it."""

    signal: str
    reason: str
    fix: str
