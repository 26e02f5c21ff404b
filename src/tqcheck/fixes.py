"""Choosing and applying suggested fixes, deterministically and without ever harming the input.

A finding's suggestions arrive ranked (see :mod:`tqcheck.ranking`); ``tqcheck fix`` takes, for each
finding, the best suggestion it is allowed to apply:

- *safe* suggestions (exact typography and other rule replacements marked ``safe``) always;
- unsafe ones only when their source was asked for (``--apply lexicon,roundtrip`` or ``--unsafe``).

Overlapping edits are resolved by one fixed order: higher severity first, then the earlier start,
then the longer span, then the rule id and the replacement text (so ties never depend on the order the
signals ran in). Walking that order, an edit that conflicts with one already chosen is skipped and
reported. Two edits conflict when their spans overlap, when both insert at the same point, or when an
insertion point falls strictly inside the other's span; edits that merely touch do not conflict.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass, field

from tqcheck.config import Config
from tqcheck.errors import ConfigError
from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.results import DocumentResult

#: Sources of unsafe suggestions that ``--apply`` can name. "rule" covers rule replacements not
#: marked safe; safe suggestions of any source are always applied.
UNSAFE_SOURCES = ("rule", "lexicon", "roundtrip", "source")


def parse_apply(values: Iterable[str] | None, unsafe: bool = False) -> frozenset[str]:
    """The unsafe sources to apply, from ``--apply a,b`` and ``--unsafe`` (= all of them)."""
    chosen: set[str] = set(UNSAFE_SOURCES) if unsafe else set()
    for item in values or []:
        for name in (v.strip() for v in item.split(",")):
            if not name or name == "safe":
                continue
            if name == "all":
                chosen.update(UNSAFE_SOURCES)
            elif name in UNSAFE_SOURCES:
                chosen.add(name)
            else:
                known = ", ".join(UNSAFE_SOURCES)
                raise ConfigError(f"--apply: unknown fix source '{name}'; choose from safe, {known}, all")
    return frozenset(chosen)


@dataclass(frozen=True)
class Edit:
    """One replacement of ``text[start:end]``."""

    start: int
    end: int
    replacement: str
    rule: str
    severity: Severity
    source: str
    safe: bool
    score: float | None = None

    def order_key(self) -> tuple[int, int, int, str, str]:
        """Higher severity, then earlier start, then longer span, then rule id and text."""
        return (-self.severity.rank, self.start, -(self.end - self.start), self.rule, self.replacement)


@dataclass
class FixPlan:
    """What ``tqcheck fix`` will do to one document, and why it leaves the rest alone."""

    #: Chosen edits, ordered by position; they never conflict.
    edits: list[Edit] = field(default_factory=list)
    #: Edits left out because they conflict with a chosen one: (edit, the chosen one).
    conflicts: list[tuple[Edit, Edit]] = field(default_factory=list)
    #: Findings whose suggestions all need a source that was not asked for: (finding, sources).
    needs_unsafe: list[tuple[Finding, tuple[str, ...]]] = field(default_factory=list)
    #: Findings with no suggestion at all.
    no_suggestion: list[Finding] = field(default_factory=list)


def allowed(s: Suggestion, sources: frozenset[str]) -> bool:
    return s.safe or s.source in sources


def edit_for(finding: Finding, sources: frozenset[str]) -> Edit | None:
    """The finding's best suggestion that may be applied (suggestions are ranked best first)."""
    for s in finding.suggestions:
        if allowed(s, sources):
            return Edit(finding.start, finding.end, s.replacement, finding.rule, finding.severity,
                        s.source, s.safe, s.score)
    return None


def conflicts(a: Edit, b: Edit) -> bool:
    if a.start < b.end and b.start < a.end:
        return True
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return False


def resolve(edits: Iterable[Edit]) -> tuple[list[Edit], list[tuple[Edit, Edit]]]:
    """Chosen edits (by position) and the skipped ones with the edit that won over each."""
    chosen: list[Edit] = []
    skipped: list[tuple[Edit, Edit]] = []
    for e in sorted(set(edits), key=Edit.order_key):
        winner = next((c for c in chosen if conflicts(e, c)), None)
        if winner is None:
            chosen.append(e)
        elif (winner.start, winner.end, winner.replacement) != (e.start, e.end, e.replacement):
            # The same change proposed by two rules is applied once, not reported as a conflict.
            skipped.append((e, winner))
    chosen.sort(key=lambda e: (e.start, e.end))
    return chosen, skipped


def plan(result: DocumentResult, config: Config, sources: frozenset[str] = frozenset()) -> FixPlan:
    """Pick one edit per finding (respecting ``--select``/``--ignore``) and resolve overlaps."""
    doc = result.document
    out = FixPlan()
    candidates: list[Edit] = []
    for f in result.findings:
        if not config.rule_enabled(f.rule):
            continue
        if not f.suggestions:
            out.no_suggestion.append(f)
            continue
        edit = edit_for(f, sources)
        seg = doc.segment_at(f.start)
        in_furniture = f.category is Category.NON_CONTENT or (seg is not None and seg.non_content)
        if edit is not None and in_furniture and not edit.safe:
            edit = None  # model rewrites of page furniture are never wanted
        if edit is None:
            out.needs_unsafe.append((f, tuple(sorted({s.source for s in f.suggestions}))))
            continue
        if doc.text[edit.start : edit.end] == edit.replacement:
            continue
        candidates.append(_match_newlines(edit, doc.text))
    out.edits, out.conflicts = resolve(candidates)
    return out


def _match_newlines(edit: Edit, text: str) -> Edit:
    """A replacement that spans lines uses the document's own line ending."""
    if "\n" not in edit.replacement and "\r" not in edit.replacement:
        return edit
    eol = "\r\n" if "\r\n" in text else "\r" if "\r" in text and "\n" not in text else "\n"
    normal = edit.replacement.replace("\r\n", "\n").replace("\r", "\n").replace("\n", eol)
    return Edit(edit.start, edit.end, normal, edit.rule, edit.severity, edit.source, edit.safe, edit.score)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-conflicting edits (offsets into ``text``) in one pass."""
    pieces: list[str] = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos:
            raise ValueError(f"overlapping edits at offset {e.start}")
        pieces.append(text[pos : e.start])
        pieces.append(e.replacement)
        pos = e.end
    pieces.append(text[pos:])
    return "".join(pieces)


_BOM = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}


def encode_like(text: str, meta: dict[str, object]) -> bytes:
    """Encode ``text`` the way the input was: same encoding, BOM back in place."""
    encoding = str(meta.get("encoding") or "utf-8")
    bom = _BOM.get(encoding, b"") if meta.get("bom") else b""
    return bom + text.encode(encoding)


__all__ = [
    "UNSAFE_SOURCES",
    "Edit",
    "FixPlan",
    "apply_edits",
    "conflicts",
    "edit_for",
    "encode_like",
    "parse_apply",
    "plan",
    "resolve",
]
