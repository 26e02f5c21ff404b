"""Every rule id a signal can emit is documented (signals/data/rule_docs.toml), and the docs reach
`tqcheck rules`, `rules explain`, SARIF rule help and the server's rule descriptions."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from tqcheck.cli import app
from tqcheck.document import Document
from tqcheck.errors import TqcheckError
from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.results import Report
from tqcheck.rules.docs import SIGNAL_DOC_FIELDS, all_signal_rule_records, rule_info, signal_rule_records
from tqcheck.rules.engine import load_rules
from tqcheck.signals import REGISTRY

SRC = Path(__file__).resolve().parents[1] / "src" / "tqcheck"
#: Modules whose code emits signal findings (the signals and the helpers they call).
EMITTERS = sorted({*SRC.joinpath("signals").glob("*.py"), *SRC.glob("source_*.py"), SRC / "terminology.py",
                   SRC / "align.py"} - {SRC / "signals" / "rules.py"})
RULE_ID = re.compile(r"^(roundtrip|fluency|source|similarity)\.[a-z0-9-]+$")
PREFIX = re.compile(r"^(roundtrip|fluency|source|similarity)\.")
#: Data files the code opens, whose names look like ids (``source.toml``).
DATA_FILES = {p.name for p in SRC.rglob("data/*") if p.is_file()}


def _not_rule_ids(tree: ast.AST) -> set[int]:
    """Ids of constant nodes that are evidence keys: ``evidence={"fluency.model": ...}`` and
    ``evidence["roundtrip.rules"] = ...`` name numbers, not rules."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "evidence" and isinstance(node.value, ast.Dict):
            skip |= {id(k) for k in node.value.keys if k is not None}
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "evidence":
            skip.add(id(node.slice))
    return skip


def emitted_ids() -> tuple[set[str], set[str]]:
    """(ids, f-string prefixes) found as string constants in the emitting modules."""
    ids: set[str] = set()
    prefixes: set[str] = set()
    for path in EMITTERS:
        if not path.exists():
            continue
        tree = ast.parse(path.read_text("utf-8"))
        skip = _not_rule_ids(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                head = str(node.values[0].value)
                if PREFIX.match(head) and len(node.values) > 1:
                    prefixes.add(head)
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                  and RULE_ID.match(node.value) and node.value not in DATA_FILES):
                ids.add(node.value)
    return ids, prefixes


def finding_calls() -> list[tuple[str, str, str | None, str]]:
    """(rule id, category, severity or None when computed, file) of every ``Finding(rule=...)``
    with a constant (or module-constant) rule id in the emitting modules."""
    out = []
    for path in EMITTERS:
        if not path.exists():
            continue
        tree = ast.parse(path.read_text("utf-8"))
        consts = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                  and isinstance(n.value, ast.Constant) for t in n.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding"):
                continue
            kw = {k.arg: k.value for k in node.keywords}
            rule = kw.get("rule")
            rid = rule.value if isinstance(rule, ast.Constant) else consts.get(getattr(rule, "id", ""))
            cat, sev = kw.get("category"), kw.get("severity")
            if not isinstance(rid, str) or not isinstance(cat, ast.Attribute):
                continue
            out.append((rid, Category[cat.attr].value,
                        Severity[sev.attr].value if isinstance(sev, ast.Attribute) else None, path.name))
    return out


def test_every_emitted_rule_id_is_documented_and_every_record_is_emitted() -> None:
    ids, prefixes = emitted_ids()
    records = signal_rule_records()
    assert {"roundtrip.divergence", "roundtrip.low-similarity", "source.placeholder-mismatch"} <= ids
    assert sorted(ids - set(records)) == [], "undocumented signal rules: add them to signals/data/rule_docs.toml"
    assert sorted(set(records) - ids) == [], "documented rules no signal emits"
    for prefix in prefixes:
        assert any(r.startswith(prefix) for r in records), prefix


def test_records_are_complete_and_ids_unique_across_engine_and_signals() -> None:
    records = all_signal_rule_records()
    for rid, rec in records.items():
        assert RULE_ID.match(rid), rid
        missing = [f for f in SIGNAL_DOC_FIELDS if not rec.get(f)]
        assert not missing, (rid, missing)
        # a record whose signal this build does not register is hidden (it may land first)
        assert (rid in signal_rule_records()) == (rec["signal"] in REGISTRY), rid
        assert rid.startswith(rec["signal"] + "."), rid
        Category(rec["category"]), Severity(rec["severity"])  # valid values
        assert isinstance(rec["example"].get("text"), str) and rec["example"].get("flagged"), rid
        assert re.match(r"^(safe|unsafe|none)\b", rec["fix_safety"]), rid
        assert set(rec) <= {*SIGNAL_DOC_FIELDS, "severity_note"}, rid
    engine = [r.id for r in load_rules()]
    assert len(engine) == len(set(engine))
    assert not set(engine) & set(records)


def test_records_agree_with_the_code() -> None:
    from tqcheck.signals.source import RULES

    records = signal_rule_records()
    for rid, (cat, sev, _mqm, _conf) in RULES.items():
        assert (records[rid]["category"], records[rid]["severity"]) == (cat.value, sev.value), rid
    calls = finding_calls()
    assert {c[0] for c in calls} >= {"roundtrip.divergence", "roundtrip.low-similarity"}
    for rid, cat, sev, where in calls:
        rec = records[rid]
        assert rec["category"] == cat, (rid, where)
        if sev is None:  # computed severity: the record names the default and says when it changes
            assert rec.get("severity_note"), (rid, where)
        else:
            assert rec["severity"] == sev, (rid, where)


def test_the_rules_signal_never_runs_signal_docs() -> None:
    from tqcheck.config import Config
    from tqcheck.models.hub import ModelHub
    from tqcheck.signals.rules import RulesSignal

    sig = RulesSignal(Config(signals=["rules"]), ModelHub())
    sig.prepare()
    assert not {r.id for r in sig.rules} & set(signal_rule_records())


runner = CliRunner()


def test_cli_explain_and_list_a_signal_rule() -> None:
    res = runner.invoke(app, ["rules", "explain", "roundtrip.divergence"])
    assert res.exit_code == 0, res.output
    for part in ["roundtrip.divergence  (fluency, minor; emitted by the roundtrip signal)", "What it does",
                 "Why it matters", "Example (flagged)", "flagged: ", "Use instead", "Fix safety",
                 "unsafe: model rewrite"]:
        assert part in res.output, part
    doc = json.loads(runner.invoke(app, ["rules", "explain", "roundtrip.divergence", "-f", "json"]).output)
    rec = signal_rule_records()["roundtrip.divergence"]
    assert doc["id"] == "roundtrip.divergence" and doc["kind"] == "signal:roundtrip"
    assert (doc["category"], doc["severity"], doc["what"], doc["fix_safety"]) == (
        "fluency", "minor", rec["what"], rec["fix_safety"])
    assert doc["example"]["flagged"] == rec["example"]["flagged"]
    src = runner.invoke(app, ["rules", "explain", "source.placeholder-mismatch"]).output
    assert "source: Deleted %d files" in src and "target: " in src and "needs a source" in src
    listing = runner.invoke(app, ["rules"]).output
    row = next(line for line in listing.splitlines() if line.startswith("roundtrip.divergence "))
    assert row.split()[1:5] == ["fluency", "minor", "review", "signal:roundtrip"]
    total = len(load_rules()) + len(signal_rule_records())
    assert f"{total} rules." in listing


def test_cli_filters_apply_to_signal_rules() -> None:
    res = runner.invoke(app, ["rules", "--select", "roundtrip", "-f", "json"])
    assert [d["id"] for d in json.loads(res.output)] == ["roundtrip.divergence", "roundtrip.low-similarity"]
    res = runner.invoke(app, ["rules", "--select", "source.omission,typography", "--lang", "fr",
                              "--source-lang", "en", "-f", "json"])
    ids = [d["id"] for d in json.loads(res.output)]
    assert "source.omission" in ids and not [i for i in ids if i.startswith("roundtrip.")]
    assert ids == sorted(ids) and any(i.startswith("typography.") for i in ids)
    res = runner.invoke(app, ["rules", "explain", "roundtrip.diverg"])
    assert isinstance(res.exception, TqcheckError) and "did you mean roundtrip.divergence" in str(res.exception)


def test_sarif_help_and_server_description_come_from_the_record() -> None:
    from tqcheck.config import Config
    from tqcheck.report.sarif import sarif_dict
    from tqcheck.scoring import score_document
    from tqcheck.segment import segment
    from tqcheck.server.languagetool import rule_description

    text = "The minister has taken the decision to realise a reform.\n"
    f = Finding(rule="roundtrip.divergence", category=Category.FLUENCY, severity=Severity.MINOR, start=17,
                end=46, message="comes back changed", signal="roundtrip",
                suggestions=[Suggestion("decided to carry out", safe=False, source="roundtrip")])
    doc = segment(Document(text=text, path="a.txt"))
    report = Report(documents=[score_document(doc, [f], Config())], signature={"tool": "tqcheck"})
    rules = sarif_dict(report)["runs"][0]["tool"]["driver"]["rules"]
    rec = signal_rule_records()["roundtrip.divergence"]
    (desc,) = [r for r in rules if r["id"] == "roundtrip.divergence"]
    assert desc["shortDescription"]["text"] == rec["what"]
    assert f"Why: {rec['why']}" in desc["help"]["text"] and rec["fix_safety"] in desc["help"]["markdown"]
    assert f"Flagged: {rec['example']['flagged']}" in desc["help"]["text"]
    assert rule_description("roundtrip.divergence") == rec["what"]
    assert rule_description("source.omission") == signal_rule_records()["source.omission"]["what"]
    engine = next(iter(load_rules()))
    assert rule_description(engine.id) == (engine.what or rule_description(engine.id))
    assert rule_info("no.such-rule") is None and rule_description("no.such-rule") == "Such rule"
