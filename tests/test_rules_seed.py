"""The issue's "must show" items, end to end through the CLI and the Python API."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import SEED, run_tqcheck
from tqcheck.api import Checker, check
from tqcheck.config import Config
from tqcheck.rules.docs import signal_rule_records
from tqcheck.rules.engine import load_rules
from tqcheck.segment import word_count

#: Clean, well-edited English written for this test. It deliberately uses words the lexicon
#: watches (actually, eventually, library, recognize, demand, control, sensible, pass an exam,
#: assist, since, formation, deception...) in their correct English senses, plus numbers, dates,
#: quotations, brackets, loanwords and foreign names.
CLEAN = """\
The ministers met in Paris on Tuesday, June 2, to review the coalition's strategy against the \
Islamic State. After more than 4,000 air strikes in ten months, the results were mixed: the \
jihadists lost ground near Tikrit but took Ramadi, the capital of Anbar province, on May 17.

Iraq's prime minister, Haider al-Abadi, told reporters that his government would "recognize \
the courage of every tribe that stands with us." He actually seemed confident. The talks \
eventually produced a joint statement (three pages long) that demanded an end to the \
fighting and urged the militias to accept the control of the army.

Analysts called the plan sensible. Growth is expected to reach 2.5% next year, and the \
central bank kept its rate at 0.75 percent. Students who pass the exam will be offered a \
place at the university, and the national library will assist researchers with the archives.

“It is a question of trust,” said Jean-Yves Le Drian, who has held the post since 2012. A \
coup d'état remains unlikely, he added over a café au lait, though the sense of déjà vu in \
Baghdad is hard to miss. The formation of a new cabinet is expected by the 15th of July.
"""


@pytest.fixture(scope="module")
def seed_report() -> dict:
    proc = run_tqcheck("check", str(SEED), "--format", "json", "--source-lang", "fr")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["documents"][0]


def _findings(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


def test_seed_flags_every_french_space_before_punctuation(seed_report: dict) -> None:
    text = SEED.read_text("utf-8")
    expected = {m.start() for m in re.finditer(r"(?<=\w) (?=[:;?!.,](?:\s|$))", text)}
    assert len(expected) >= 10
    flagged = {f["start"] for f in _findings(seed_report, "typography.space-before-punctuation")}
    assert expected <= flagged, sorted(expected - flagged)
    for f in _findings(seed_report, "typography.space-before-punctuation"):
        assert text[f["start"]:f["end"]] == " "
        assert f["suggestions"][0]["replacement"] == "" and f["suggestions"][0]["safe"] is True
        assert f["confidence"] == 1.0


def test_seed_flags_the_space_in_al_anbar_with_an_exact_fix(seed_report: dict) -> None:
    text = SEED.read_text("utf-8")
    (f,) = _findings(seed_report, "typography.space-in-hyphenated-name")
    assert text[f["start"]:f["end"]] == "Al -Anbar"
    assert f["suggestions"][0] == {**f["suggestions"][0], "replacement": "Al-Anbar", "safe": True}


def test_seed_flags_the_closing_quotation_mark_that_opens_a_quote(seed_report: dict) -> None:
    text = SEED.read_text("utf-8")
    (f,) = _findings(seed_report, "typography.closing-quote-opens")
    assert f["start"] == text.index("Washington. ” It") + len("Washington. ")
    assert text[f["start"]:f["end"]] == "” "
    assert f["suggestions"][0]["replacement"] == "“" and f["suggestions"][0]["safe"] is True
    # The space inside the closing mark of the same quotation ("plan , ” said") is flagged too.
    (inside,) = _findings(seed_report, "typography.space-inside-quotes")
    assert inside["start"] == text.index(", ” said") + 1


def test_seed_page_furniture_is_non_content_and_left_out_of_the_score(seed_report: dict) -> None:
    text = SEED.read_text("utf-8")
    furniture_start = text.index("Click to comment")
    segments = seed_report["segments"]
    tail = [s for s in segments if s["start"] >= furniture_start]
    assert [s["text"] for s in tail][:2] == ["Click to comment", "Leave a Reply"]
    assert any("Akismet" in s["text"] for s in tail) and any("email address" in s["text"] for s in tail)
    assert tail[-1]["text"] == "To Top"
    assert all(s["non_content"] for s in tail)
    assert not any(s["non_content"] for s in segments if s["start"] < furniture_start)
    boiler = _findings(seed_report, "content.boilerplate")
    assert {(f["start"], f["end"]) for f in boiler} == {(s["start"], s["end"]) for s in tail}
    assert all(f["category"] == "non-content" for f in boiler)
    # Their words are not counted and they cost nothing.
    content_words = sum(word_count(s["text"]) for s in segments if not s["non_content"])
    assert content_words < sum(word_count(s["text"]) for s in segments)
    assert seed_report["words"] == content_words


def test_seed_false_friends_with_french_source(seed_report: dict) -> None:
    text = SEED.read_text("utf-8")
    (f,) = _findings(seed_report, "false-friend.fr-en.recognize-admit")
    assert text[f["start"]:f["end"]] == "recognized"
    assert f["suggestions"][0]["replacement"] == "acknowledged" and f["suggestions"][0]["safe"] is False
    assert f["suggestions"][0]["source"] == "lexicon"


def test_seed_without_source_language_still_runs_confident_lexicon_entries() -> None:
    report = check(SEED, Config(signals=["rules"]))
    rules = {f.rule for f in report.findings}
    assert "false-friend.fr-en.recognize-admit" in rules
    f = next(f for f in report.findings if f.rule == "false-friend.fr-en.recognize-admit")
    assert f.evidence["source_language"] == "unknown" and f.confidence < 0.85


@pytest.mark.parametrize("source", ["fr", None])
def test_clean_english_paragraph_has_no_finding(source: str | None, tmp_path: Path) -> None:
    path = tmp_path / "clean.txt"
    path.write_text(CLEAN, "utf-8")
    report = Checker(Config(signals=["rules"], source_lang=source)).check_paths([path])
    found = [(f.rule, CLEAN[f.start:f.end]) for f in report.findings]
    assert found == []
    assert report.documents[0].score == 100.0


def test_clean_english_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "clean.md"
    path.write_text(CLEAN, "utf-8")
    proc = run_tqcheck("check", str(path), "--format", "json", "--source-lang", "fr", "--fail-on", "minor")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["documents"][0]["findings"] == []


def test_rules_command_lists_every_rule_with_id_category_and_severity() -> None:
    proc = run_tqcheck("rules")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "CATEGORY", "SEVERITY"]
    rows = {line.split()[0]: line.split()[1:3] for line in lines[1:] if line.strip() and "." in line.split()[0]}
    rules = list(load_rules())
    signal_docs = signal_rule_records()  # rules other signals emit are listed too
    assert len(rows) == len(rules) + len(signal_docs)
    for rule in rules:
        assert rows[rule.id] == [rule.category.value, rule.severity.value]
    for rid, rec in signal_docs.items():
        assert rows[rid] == [rec["category"], rec["severity"]]
    assert f"{len(rules) + len(signal_docs)} rules" in proc.stdout


def test_rules_command_json_and_explain() -> None:
    proc = run_tqcheck("rules", "--format", "json")
    data = json.loads(proc.stdout)
    assert {d["id"] for d in data} == {r.id for r in load_rules()} | set(signal_rule_records())
    assert all(d["category"] and d["severity"] and d["what"] and d["why"] for d in data)
    text = run_tqcheck("rules", "explain", "false-friend.fr-en.assist-at").stdout
    for part in ["What it does", "Why it matters", "Example (flagged)", "-> ", "attended", "Use instead",
                 "Fix safety", "translated from fr"]:
        assert part in text, part
    doc = json.loads(run_tqcheck("rules", "explain", "typography.space-in-hyphenated-name", "-f", "json").stdout)
    assert doc["examples"]["fixed"][0] == "the province of Al-Anbar , Baghdad"
    assert doc["fix_safety"].startswith("safe")


def test_rules_explain_unknown_id_is_one_line_and_exit_2() -> None:
    proc = run_tqcheck("rules", "explain", "typography.nope")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "unknown rule" in proc.stderr and "Traceback" not in proc.stderr


def test_rules_command_filters_by_prefix_and_language_pair() -> None:
    proc = run_tqcheck("rules", "--select", "locale,typography.closing-quote-opens")
    ids = [line.split()[0] for line in proc.stdout.splitlines()[1:] if line[:1].isalpha() and "." in line.split()[0]]
    expected = [*sorted(r.id for r in load_rules() if r.id.startswith("locale.")), "typography.closing-quote-opens"]
    assert ids == expected
    assert f"{len(expected)} of {len(load_rules()) + len(signal_rule_records())} rules" in proc.stdout
    de = json.loads(run_tqcheck("rules", "--lang", "en", "--source-lang", "de", "-f", "json").stdout)
    assert de and not [d for d in de if d["id"].startswith(("false-friend.fr-en", "calque.fr-en"))]
    proc = run_tqcheck("rules", "--select", "nope")
    assert proc.returncode == 2 and "no rule matches" in proc.stderr
