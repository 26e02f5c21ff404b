"""The model-free rules signal: runs every enabled rule over every segment."""

from __future__ import annotations

from tqcheck.document import Document
from tqcheck.findings import Finding, Suggestion
from tqcheck.rules.engine import Rule, load_rules
from tqcheck.signals.base import Signal, SignalOutput


class RulesSignal(Signal):
    name = "rules"
    description = "Model-free rules: typography, false friends, calques, untranslated words, boilerplate."

    def prepare(self) -> None:
        self.rules = [r for r in load_rules() if self.config.rule_enabled(r.id)]

    def active_rules(self, doc: Document) -> list[Rule]:
        return [r for r in self.rules if r.applies_to(doc.language, doc.source_language)]

    def check_document(self, doc: Document) -> SignalOutput:
        out = SignalOutput()
        rules = self.active_rules(doc)
        for seg in doc.segments:
            for rule in rules:
                for m in rule.find(seg.text):
                    out.findings.append(
                        Finding(
                            rule=rule.id,
                            category=rule.category,
                            severity=rule.severity,
                            start=seg.start + m.start,
                            end=seg.start + m.end,
                            message=m.message,
                            suggestions=[
                                Suggestion(replacement=r, safe=rule.safe, source="rule") for r in m.replacements
                            ],
                            confidence=rule.confidence,
                            evidence=dict(m.evidence),
                            signal=self.name,
                        )
                    )
        return out

    def signature(self) -> dict[str, object]:
        from tqcheck.rules.engine import RULE_PACK_VERSION

        return {"rule_pack": RULE_PACK_VERSION, "rules": len(self.rules)}
