"""Property-based: every renderer turns any report (hostile text, random spans) into output
that parses, validates and escapes; the baseline parser accepts or names the problem."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tqcheck.baseline import load_baseline
from tqcheck.config import Config
from tqcheck.document import Document
from tqcheck.errors import TqcheckError
from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.report import RENDERERS, RenderOptions, render
from tqcheck.results import Report
from tqcheck.scoring import evaluate_gate, score_document
from tqcheck.segment import segment

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text("utf-8"))
HOSTILE = st.sampled_from(["<script>alert(1)</script>", "&amp;", '"', "'", "\r\n", "\n", "%0A", "::error::",
                           "😀", "\u202e", "é", "|", "`", "]]>", "<!--", " ", ".", "?", "\t", "a", "word"])


@st.composite
def reports(draw: st.DrawFn) -> Report:
    text = "".join(draw(st.lists(HOSTILE, min_size=1, max_size=40)))
    if not text.strip():
        text += "x"
    doc = segment(Document(text=text, path=draw(st.sampled_from(["doc.txt", "dir/a b.md", "<x>.txt"]))))
    findings = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        findings.append(Finding(
            rule=draw(st.sampled_from(["typography.space-before-punctuation", "fluency.garbled-passage",
                                       "roundtrip.divergence", "x.y"])),
            category=draw(st.sampled_from(list(Category))), severity=draw(st.sampled_from(list(Severity))),
            start=start, end=end, message=draw(HOSTILE) + " message",
            suggestions=[Suggestion(replacement=draw(HOSTILE), safe=draw(st.booleans()))],
            confidence=draw(st.floats(0, 1)), evidence={"note": draw(HOSTILE), "value": draw(st.floats(-1e9, 1e9))}))
    findings.sort(key=Finding.sort_key)
    config = Config(fail_on=draw(st.sampled_from([None, "minor", "critical"])))
    report = Report(documents=[score_document(doc, findings, config)], signature={"tool": "tqcheck", "version": "t"})
    report.gate = evaluate_gate(report, config)
    return report


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_every_renderer_output_parses(report: Report) -> None:
    out = {fmt: render(report, fmt, RenderOptions()) for fmt in RENDERERS}
    data = json.loads(out["json"])
    jsonschema.validate(data, SCHEMA)
    doc = report.documents[0].document
    for f in data["documents"][0]["findings"]:
        assert doc.text[f["start"] : f["end"]] == f["text"]
    sarif = json.loads(out["sarif"])
    assert sarif["version"] == "2.1.0"
    ET.fromstring(out["junit"])
    for line in out["rdjsonl"].splitlines():
        json.loads(line)
    for line in out["github"].splitlines():
        assert line.startswith("::"), line  # every command stays on its own line
    assert "<script>alert(1)</script>" not in out["html"]
    assert "<script>alert(1)</script>" not in out["markdown"]


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                 st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=8), st.lists(
                     st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3), max_size=3)),
                     max_size=4).map(lambda d: json.dumps(d).encode())))
def test_baseline_parser_accepts_or_names_the_problem(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("baseline") / "baseline.json"
    path.write_bytes(data)
    try:
        load_baseline(path)
    except TqcheckError as exc:
        assert str(exc).startswith(str(path))
