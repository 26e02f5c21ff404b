"""A small, fixed report for the renderer golden tests.

Built through the real segmenter, scorer and gate, with hand-made findings (so a change to the rule
pack's messages never changes these golden strings). The text has a character outside the BMP
(UTF-8 4 bytes, UTF-16 2 units), markup, an entity, quotes and a percent sign to exercise escaping.
"""

from __future__ import annotations

from tqcheck.config import Config
from tqcheck.document import Document
from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.results import Report
from tqcheck.scoring import evaluate_gate, score_document
from tqcheck.segment import segment

TEXT = 'Le café "ok" ?\nSee 😀 <b>&amp; 100%, done.\n'


def small_findings() -> list[Finding]:
    return [
        Finding(
            rule="test.space-before", category=Category.LOCALE_CONVENTION, severity=Severity.MINOR,
            start=12, end=13, message="Space before “?”", suggestions=[Suggestion("", safe=True)],
            confidence=0.9,
        ),
        Finding(
            rule="test.emoji", category=Category.STYLE, severity=Severity.MAJOR,
            start=19, end=20, message="Emoji in copy", evidence={"codepoint": "U+1F600"},
        ),
        Finding(
            rule="test.markup", category=Category.ACCURACY, severity=Severity.CRITICAL,
            start=21, end=29, message='Stray "<b>" & entity: 100%, fix\nit',
            suggestions=[Suggestion("&", source="rule")], evidence={"score": 0.25},
        ),
    ]


def small_report(path: str = "docs/small.txt", config: Config | None = None) -> Report:
    config = config or Config(signals=["rules"], fail_on="major")
    doc = segment(Document(text=TEXT, path=path))
    result = score_document(doc, small_findings(), config)
    report = Report(documents=[result], signature={"tool": "tqcheck", "version": "test"})
    report.gate = evaluate_gate(report, config)
    return report
