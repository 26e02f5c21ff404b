"""The MQM-style score and the gate, on constructed findings."""

from __future__ import annotations

import pytest

from tqcheck.api import Checker
from tqcheck.config import Config
from tqcheck.document import Document
from tqcheck.findings import Category, Finding, Severity
from tqcheck.results import Report
from tqcheck.scoring import evaluate_gate, quality, score_document
from tqcheck.segment import segment


def finding(start: int, severity: Severity, category: Category = Category.FLUENCY) -> Finding:
    return Finding("test.rule", category, severity, start, start + 1, "m")


def test_quality_formula() -> None:
    assert quality(0, 10) == 100
    assert quality(1, 10) == 90
    assert quality(5, 20) == 75
    assert quality(30, 10) == 0  # floored
    assert quality(0, 0) == 100 and quality(1, 0) == 0


def test_document_and_segment_scores_and_non_content_excluded() -> None:
    doc = segment(Document(text="One two three four five six seven eight nine ten.\n\nClick to comment"))
    doc.segments[1].non_content = True
    found = [finding(0, Severity.MAJOR), finding(doc.segments[1].start, Severity.CRITICAL)]
    result = score_document(doc, found, Config())
    assert result.words == 10
    assert result.segment_scores == {0: 50.0, 1: 100.0}
    assert result.score == 50.0
    assert result.category_scores["fluency"] == 50.0 and result.category_scores["accuracy"] == 100.0


@pytest.mark.parametrize(
    ("config", "passed"),
    [
        (Config(), True),
        (Config(fail_under=95), False),
        (Config(fail_under=90), True),
        (Config(fail_on="minor"), False),
        (Config(fail_on="major"), True),
        (Config(category_fail_under={"fluency": 95}), False),
        (Config(category_fail_under={"accuracy": 95}), True),
    ],
)
def test_gate(config: Config, passed: bool) -> None:
    doc = segment(Document(text="One two three four five six seven eight nine ten."))
    result = score_document(doc, [finding(0, Severity.MINOR)], config)
    gate = evaluate_gate(Report(documents=[result]), config)
    assert gate.passed is passed
    assert bool(gate.reasons) is not passed


def test_checker_api_on_text() -> None:
    report = Checker(Config(signals=["rules"])).check_documents([Document(text="Why ? Because.")])
    [f] = report.findings
    assert (f.rule, f.start, f.end, f.suggestions[0].replacement) == ("typography.space-before-punctuation", 3, 4, "")
    assert report.documents[0].score == quality(1, 2) == 50.0
