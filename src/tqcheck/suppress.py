"""Inline suppression comments and configuration ignore lists, applied to every signal's findings.

In Markdown or HTML (any document, in fact) a comment silences rules:

- ``<!-- tqcheck: ignore RULE-ID [RULE-ID ...] -->`` ... ``<!-- tqcheck: end -->``: a block;
- ``<!-- tqcheck: ignore RULE-ID -->`` with no ``end`` before the next ``ignore``: the next
  paragraph only (the next run of non-blank lines after the comment, which may start on the
  comment's own line).

Ids may be dotted prefixes (``typography`` or ``typography.*``) and are separated by spaces or
commas; ``ignore`` with no id silences every rule. Runs as the last post-processor
(``signals.FUSERS``), so findings of model signals obey it too, and so does the configuration's
``ignore`` list (the rules signal already skips ignored rules; model signals cannot know them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tqcheck.document import Document
from tqcheck.findings import Finding

if TYPE_CHECKING:
    from tqcheck.config import Config

_DIRECTIVE = re.compile(r"<!--\s*tqcheck:\s*(?P<verb>ignore|end)\b(?P<args>.*?)-->", re.S | re.I)
_BLANK_LINE = re.compile(r"\r?\n[ \t]*(?:\r?\n|\r|\Z)|\r[ \t]*\r")


@dataclass(frozen=True)
class Suppression:
    start: int
    end: int
    #: Rule ids or prefixes; empty means every rule.
    rules: tuple[str, ...]

    def covers(self, f: Finding) -> bool:
        inside = self.start <= f.start and f.end <= self.end
        return inside and (not self.rules or rule_matches(f.rule, self.rules))


def rule_matches(rule_id: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """True when ``rule_id`` equals a pattern or sits under it (``typography`` / ``typography.*``)."""
    for p in patterns:
        prefix = p[:-2] if p.endswith(".*") else p
        if rule_id == prefix or rule_id.startswith(prefix + "."):
            return True
    return False


def _next_paragraph_end(text: str, pos: int) -> int:
    """End of the next run of non-blank lines at or after ``pos``."""
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    m = _BLANK_LINE.search(text, pos)
    return m.start() if m else len(text)


def find_suppressions(text: str) -> list[Suppression]:
    if "tqcheck:" not in text:  # fast path: almost no document has any
        return []
    directives = list(_DIRECTIVE.finditer(text))
    out = []
    for i, m in enumerate(directives):
        if m.group("verb").lower() != "ignore":
            continue
        rules = tuple(r for r in re.split(r"[\s,]+", m.group("args").strip()) if r)
        nxt = directives[i + 1] if i + 1 < len(directives) else None
        if nxt is not None and nxt.group("verb").lower() == "end":
            out.append(Suppression(m.end(), nxt.start(), rules))
        else:
            out.append(Suppression(m.end(), _next_paragraph_end(text, m.end()), rules))
    return out


def suppress_findings(doc: Document, findings: list[Finding], config: Config) -> list[Finding]:
    """Drop findings an inline comment or the configuration's ``ignore`` list silences."""
    regions = find_suppressions(doc.text)
    kept = []
    for f in findings:
        if config.ignore and rule_matches(f.rule, config.ignore):
            continue
        if any(r.covers(f) for r in regions):
            continue
        kept.append(f)
    return kept
