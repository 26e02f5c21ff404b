"""Small pieces the CI renderers share: severity to level, positions, rule help, display paths.

Nothing here computes a new number: it looks up static rule docs and converts offsets.
"""

from __future__ import annotations

from dataclasses import dataclass

from tqcheck.document import Document, Position
from tqcheck.findings import Category, Finding, Severity
from tqcheck.fingerprint import normalize_path

#: CI level of a finding by severity (page furniture is always the lowest level).
LEVELS = {Severity.CRITICAL: "error", Severity.MAJOR: "warning", Severity.MINOR: "notice"}


def level_of(f: Finding) -> str:
    return "notice" if f.category is Category.NON_CONTENT else LEVELS[f.severity]


@dataclass(frozen=True)
class Span:
    start: Position
    end: Position


def span_of(doc: Document, f: Finding) -> Span:
    return Span(doc.offsets.position(f.start), doc.offsets.position(f.end))


def display_path(path: str) -> str:
    """Paths as CI tools expect them: relative ones with forward slashes, stdin as ``-``."""
    return "-" if path in ("-", "<stdin>") else normalize_path(path)


@dataclass(frozen=True)
class RuleHelp:
    id: str
    short: str
    text: str
    markdown: str
    category: str
    severity: str


def rule_help(rule_id: str, example: Finding) -> RuleHelp:
    """Help for a rule from its documentation (engine declaration or signal record, through
    :func:`tqcheck.rules.docs.rule_info`); an undocumented id gets a generic line."""
    from tqcheck.rules.docs import rule_info

    doc = rule_info(rule_id)
    if doc is None:
        short = f"{example.category.value} finding from the {example.signal} signal"
        return RuleHelp(rule_id, short, short, short, example.category.value, example.severity.value)
    what = str(doc["what"] or doc["message"])
    why, instead, safety = str(doc["why"]), str(doc["use_instead"]), str(doc["fix_safety"])
    fires = list(doc["examples"]["fires"])  # type: ignore[index]
    text_parts = [what]
    md_parts = [what]
    if why:
        text_parts.append(f"Why: {why}")
        md_parts.append(f"**Why:** {why}")
    if fires:
        text_parts.append(f"Example: {fires[0]}")
        md_parts.append(f"**Example:** `{fires[0]}`")
    flagged = (doc.get("example") or {}).get("flagged")  # type: ignore[attr-defined]
    if flagged:
        text_parts.append(f"Flagged: {flagged}")
        md_parts.append(f"**Flagged:** {flagged}")
    if instead:
        text_parts.append(f"Use instead: {instead}")
        md_parts.append(f"**Use instead:** {instead}")
    text_parts.append(f"Fix: {safety}.")
    md_parts.append(f"**Fix:** {safety}.")
    return RuleHelp(rule_id, what, "\n".join(text_parts), "\n\n".join(md_parts),
                    str(doc["category"]), str(doc["severity"]))
