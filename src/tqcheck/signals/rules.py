"""The model-free rules signal: runs every enabled rule that applies to the document's
language pair over every segment (or paragraph, for rules whose scope is a paragraph)."""

from __future__ import annotations

from itertools import groupby

from tqcheck.document import Document
from tqcheck.findings import Finding, Suggestion
from tqcheck.rules.engine import Context, Rule, load_rules
from tqcheck.rules.kinds import _words
from tqcheck.signals.base import Signal, SignalOutput


class RulesSignal(Signal):
    name = "rules"
    description = "Model-free rules: typography, false friends, calques, untranslated words, boilerplate."

    def prepare(self) -> None:
        self.rules = [r for r in load_rules() if self.config.rule_enabled(r.id)]

    def active_rules(self, doc: Document) -> list[Rule]:
        return [r for r in self.rules if r.applies_to(doc.language, doc.source_language)]

    def _segment_rules(self, rules: list[Rule]):  # type: ignore[no-untyped-def]
        """(rules that always run, anchor word -> rules): hundreds of lexicon entries each need
        one of a few words, so a sentence is only tried against the entries its words name."""
        always: list[Rule] = []
        index: dict[str, list[Rule]] = {}
        for r in rules:
            if r.anchors:
                for word in r.anchors:
                    index.setdefault(word, []).append(r)
            else:
                always.append(r)
        order = {r.id: i for i, r in enumerate(rules)}
        return always, index, order

    def check_document(self, doc: Document) -> SignalOutput:
        out = SignalOutput()
        rules = self.active_rules(doc)
        context = Context(doc.language, doc.source_language)
        found: list[Finding] = []
        always, index, order = self._segment_rules([r for r in rules if r.scope == "segment"])
        para_rules = [r for r in rules if r.scope == "paragraph"]
        for seg in doc.segments:
            anchored = {r.id: r for w in _words(seg.text) for r in index.get(w, ())}
            for rule in always + sorted(anchored.values(), key=lambda r: order[r.id]):
                found += self._findings(rule, seg.text, seg.start, context)
        if para_rules:
            for _, segs in groupby(doc.segments, key=lambda s: s.paragraph):
                group = list(segs)
                start, end = group[0].start, group[-1].end
                text = doc.check_text[start:end]
                for rule in para_rules:
                    found += self._findings(rule, text, start, context)
        out.findings = _drop_contained(found)
        out.document = {"rules_run": len(rules), "source_language": doc.source_language or "unknown"}
        return out

    def _findings(self, rule: Rule, text: str, offset: int, context: Context) -> list[Finding]:
        # `tqcheck fix --apply lexicon` applies false-friend and calque alternatives by this source.
        source = "lexicon" if rule.kind == "lexicon" else "rule"
        return [
            Finding(
                rule=rule.id,
                category=rule.category,
                severity=rule.severity,
                start=offset + m.start,
                end=offset + m.end,
                message=m.message,
                suggestions=[Suggestion(replacement=r, safe=rule.safe, source=source) for r in m.replacements],
                confidence=m.confidence if m.confidence is not None else rule.confidence,
                evidence=dict(m.evidence),
                signal=self.name,
            )
            for m in rule.find(text, context)
        ]

    def signature(self) -> dict[str, object]:
        from tqcheck.rules.engine import RULE_PACK_VERSION

        return {"rule_pack": RULE_PACK_VERSION, "rules": len(self.rules)}


def _drop_contained(findings: list[Finding]) -> list[Finding]:
    """Within one rule group (``untranslated.*``, ``false-friend.*``...), keep the widest finding
    where spans nest or coincide: an untranslated sentence subsumes its untranslated words, and
    two lexicons (fr-en, es-en) flagging the same word when the source is unknown say it once."""
    by_group: dict[str, list[Finding]] = {}
    for f in findings:
        by_group.setdefault(f.rule.split(".", 1)[0], []).append(f)
    keep: list[Finding] = []
    for group in by_group.values():
        group.sort(key=lambda f: (f.start, -(f.end - f.start), -f.confidence))
        last_end = -1
        for f in group:
            if f.end <= last_end:  # sorted by start: it lies inside one already kept
                continue
            keep.append(f)
            last_end = max(last_end, f.end)
    keep.sort(key=Finding.sort_key)
    return keep
