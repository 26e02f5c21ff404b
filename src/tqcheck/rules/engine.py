"""Rule declarations and the engine that runs them.

A rule is a record: a stable dotted id (``typography.space-before-punctuation``), an MQM
category, a default severity, a message template, the docs (what / why / use instead), an
optional replacement, whether that replacement is a *safe* fix, the languages it applies to,
and examples that must fire and must not fire. ``kind`` picks how it matches:

- ``regex``: a Python regular expression over the segment text; ``replacement`` is an
  ``re`` expansion template (``\\1``, ``\\g<name>``); the message may use ``{match}`` and
  named groups.
- other kinds are provided by matcher functions registered with :func:`register_kind`
  (the escape hatch for checks that need code, e.g. lexicons or language identification).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from tqcheck.errors import ConfigError
from tqcheck.findings import Category, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

RULE_PACK_VERSION = "2026.11.1"


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    message: str
    replacements: tuple[str, ...] = ()
    evidence: tuple[tuple[str, Any], ...] = ()
    #: Overrides the rule's confidence for this one match.
    confidence: float | None = None


@dataclass(frozen=True)
class Context:
    """What a matcher may know besides the text: the languages of the document."""

    language: str = "en"
    #: Language the text was translated from; None when unknown.
    source: str | None = None


@dataclass
class Rule:
    id: str
    category: Category
    severity: Severity
    message: str
    kind: str = "regex"
    pattern: str | None = None
    flags: str = ""
    replacement: str | None = None
    safe: bool = False
    #: Target languages the rule applies to ("*" for all).
    languages: tuple[str, ...] = ("en",)
    #: Source languages whose interference it catches ("*" for any, also unknown).
    sources: tuple[str, ...] = ("*",)
    what: str = ""
    why: str = ""
    use_instead: str = ""
    fires: tuple[str, ...] = ()
    passes: tuple[str, ...] = ()
    #: Free-form options for non-regex kinds.
    options: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.9
    #: "segment" (a sentence) or "paragraph" (quotes and brackets may span sentences).
    scope: str = "segment"
    #: Also run when the source language is unknown (rules tied to one source language).
    when_source_unknown: bool = False
    #: Whether findings carry a replacement (None: decided by the kind; see ``has_fix``).
    fixable: bool | None = None
    #: Substrings of which a text must contain at least one for the rule to look at it (a
    #: cheap screen: "«" for guillemets, digits for numbers). Empty: always look.
    requires: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def anchors(self) -> frozenset[str]:
        """Lower-case words one of which a text must contain for the rule to match (empty:
        unknown). The rules signal indexes rules by them so that a sentence meets only the
        few lexicon entries whose words it contains."""
        return frozenset(self.options.get("anchors", ()))

    @property
    def has_fix(self) -> bool:
        if self.fixable is not None:
            return self.fixable
        if self.kind == "regex":
            return self.replacement is not None
        if self.kind == "lexicon":
            return bool(self.options.get("suggest"))
        return _FIXING_KINDS.get(self.kind, False)

    @property
    def fix_safety(self) -> str:
        if not self.has_fix:
            return "no automatic fix"
        return "safe: applied by `tqcheck fix` by default" if self.safe else "unsafe: needs review"

    def applies_to(self, language: str, source: str | None) -> bool:
        lang_ok = "*" in self.languages or language in self.languages
        if "*" in self.sources:
            return lang_ok
        src_ok = source in self.sources if source is not None else self.when_source_unknown
        return lang_ok and src_ok

    @property
    def compiled(self) -> re.Pattern[str]:
        return _compile(self.pattern or "", self.flags)

    def find(self, text: str, context: Context | None = None) -> Iterator[Match]:
        """Matches in ``text`` (offsets into it); ``context`` defaults to English, unknown source."""
        if self.requires and not any(r in text for r in self.requires):
            return
        if self.kind == "regex":
            yield from self._find_regex(text)
        else:
            yield from _KINDS[self.kind](self, text, context or Context(self.languages[0]
                                                                        if "*" not in self.languages else "en"))

    def _find_regex(self, text: str) -> Iterator[Match]:
        for m in self.compiled.finditer(text):
            if m.end() == m.start():
                continue
            groups = {k: (v or "") for k, v in m.groupdict().items()}
            message = self.message.format(match=m.group(0), **groups)
            reps = (m.expand(self.replacement),) if self.replacement is not None else ()
            yield Match(m.start(), m.end(), message, reps)


@lru_cache(maxsize=1024)
def _compile(pattern: str, flags: str) -> re.Pattern[str]:
    value = 0
    for f in flags:
        value |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}[f]
    return re.compile(pattern, value)


Matcher = Callable[[Rule, str, Context], Iterable[Match]]
_KINDS: dict[str, Matcher] = {}
_FIXING_KINDS: dict[str, bool] = {}


def register_kind(name: str, *, fixes: bool = True) -> Callable[[Matcher], Matcher]:
    """Register a matcher ``fn(rule, text, context)`` for rules of ``kind = name``; ``fixes``
    says whether its matches carry replacements."""

    def deco(fn: Matcher) -> Matcher:
        _KINDS[name] = fn
        _FIXING_KINDS[name] = fixes
        return fn

    return deco


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


_RULE_KEYS = {
    "id", "category", "severity", "message", "kind", "pattern", "flags", "replacement", "safe",
    "languages", "sources", "what", "why", "use_instead", "fires", "passes", "options", "confidence",
    "scope", "when_source_unknown", "fixable", "requires",
}
_SCOPES = ("segment", "paragraph")


def rule_from_record(record: dict[str, Any], where: str) -> Rule:
    unknown = set(record) - _RULE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown rule key(s) {', '.join(sorted(unknown))}")
    try:
        rule = Rule(
            id=record["id"],
            category=Category(record["category"]),
            severity=Severity(record["severity"]),
            message=record["message"],
            kind=record.get("kind", "regex"),
            pattern=record.get("pattern"),
            flags=record.get("flags", ""),
            replacement=record.get("replacement"),
            safe=bool(record.get("safe", False)),
            languages=_as_tuple(record.get("languages", ["en"])),
            sources=_as_tuple(record.get("sources", ["*"])),
            what=record.get("what", ""),
            why=record.get("why", ""),
            use_instead=record.get("use_instead", ""),
            fires=_as_tuple(record.get("fires")),
            passes=_as_tuple(record.get("passes")),
            options=dict(record.get("options", {})),
            confidence=float(record.get("confidence", 0.9)),
            scope=record.get("scope", "segment"),
            when_source_unknown=bool(record.get("when_source_unknown", False)),
            fixable=record.get("fixable"),
            requires=_as_tuple(record.get("requires")),
        )
    except KeyError as exc:
        raise ConfigError(f"{where}: rule is missing required key {exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{where}: rule {record.get('id')!r}: {exc}") from None
    if rule.scope not in _SCOPES:
        raise ConfigError(f"{where}: rule {rule.id!r}: scope must be one of {', '.join(_SCOPES)}")
    if not 0 < rule.confidence <= 1:
        raise ConfigError(f"{where}: rule {rule.id!r}: confidence must be in (0, 1]")
    if rule.kind == "regex":
        if not rule.pattern:
            raise ConfigError(f"{where}: regex rule {rule.id!r} has no pattern")
        try:
            rule.compiled  # noqa: B018 - compile now so a bad pattern fails at load time
        except re.error as exc:
            raise ConfigError(f"{where}: rule {rule.id!r} has a bad pattern: {exc}") from None
    return rule


class RuleSet:
    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: list[Rule] = []
        self._by_id: dict[str, Rule] = {}
        for rule in rules:
            if rule.id in self._by_id:
                raise ConfigError(f"duplicate rule id {rule.id!r}")
            self._by_id[rule.id] = rule
            self.rules.append(rule)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> Rule | None:
        return self._by_id.get(rule_id)


def _data_files() -> list[tuple[str, str]]:
    root = resources.files("tqcheck.rules") / "data"
    return sorted((f.name, f.read_text("utf-8")) for f in root.iterdir() if f.name.endswith(".toml"))


def _ensure_kinds_registered() -> None:
    # Matchers for non-regex kinds live in modules beside the engine; importing them registers them.
    from tqcheck.rules import kinds  # noqa: F401


@lru_cache(maxsize=1)
def load_rules() -> RuleSet:
    """Every rule shipped with tqcheck (cached; rule data is read once per process)."""
    _ensure_kinds_registered()
    from tqcheck.rules.lexicon import lexicon_files, lexicon_records

    rules: list[Rule] = []
    for name, text in _data_files():
        data = tomllib.loads(text)
        for i, record in enumerate(data.get("rule", [])):
            rule = rule_from_record(record, f"{name} rule #{i + 1}")
            if rule.kind != "regex" and rule.kind not in _KINDS:
                raise ConfigError(f"{name}: rule {rule.id!r} has unknown kind {rule.kind!r}")
            rules.append(rule)
    # Lexicons: one rule per entry, so every false friend has its own id, docs and examples.
    for name, text in lexicon_files():
        for record in lexicon_records(text, name):
            rules.append(rule_from_record(record, name))
    return RuleSet(rules)
