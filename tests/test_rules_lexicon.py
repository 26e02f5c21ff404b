"""The bilingual lexicon: pattern language, inflection, conditions, loading and packaging."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tqcheck.errors import ConfigError
from tqcheck.rules.engine import Context, load_rules, rule_from_record
from tqcheck.rules.inflect import inflect, label_of, verb_forms
from tqcheck.rules.lexicon import (
    COLUMNS,
    compile_pattern,
    lexicon_files,
    lexicon_records,
    parse_conditions,
    readable,
)

HEADER = "\t".join(COLUMNS)


def _row(**over: str) -> str:
    cells = {
        "id": "assist-at", "type": "false-friend", "pattern": "<assist:v at> DET? meeting|ceremony",
        "source": "assister à", "suggest": "attend:v", "severity": "major", "confidence": "0.9",
        "conditions": "-", "fires": "He assisted at the meeting.", "passes": "He assisted the victims.",
        "note": "Assister à means to attend.",
    }
    cells.update(over)
    return "\t".join(cells[c] for c in COLUMNS)


def _rule(tsv_rows: list[str], name: str = "lexicons/fr-en.tsv"):
    records = lexicon_records(HEADER + "\n" + "\n".join(tsv_rows) + "\n", name)
    return [rule_from_record(r, name) for r in records]


def test_verb_forms_cover_regular_irregular_and_british_spellings() -> None:
    forms = verb_forms("recognize")
    assert "recognizes" in forms["s"] and "recognised" in forms["past"] and "recognizing" in forms["ing"]
    assert verb_forms("take")["past"] == ("took",) and verb_forms("take")["pp"] == ("taken",)
    assert "controlled" in verb_forms("control")["past"] and "controlling" in verb_forms("control")["ing"]
    assert verb_forms("carry")["s"] == ("carries",) and verb_forms("carry")["past"] == ("carried",)
    assert label_of("recognizing", "recognize", "v") == "ing"
    assert inflect("acknowledge", "v", "past") == "acknowledged"
    # Suggestions get the right doubling: admitted, stopped, but visited, opened.
    assert [inflect(w, "v", "past") for w in ("admit", "stop", "visit", "open", "control")] == [
        "admitted", "stopped", "visited", "opened", "controlled"]


@pytest.mark.parametrize("text", ["He recognize his mistake.", "He recognizes his mistake.",
                                  "He recognized his mistake.", "Recognising his mistake, he left.",
                                  "He has recognised his mistakes."])
def test_matching_is_inflection_aware(text: str) -> None:
    rule = _rule([_row(id="r", pattern="<recognize:v> POSS mistake:n", suggest="admit:v",
                       fires="He recognized his mistake.", passes="He recognized his teacher.")])[0]
    assert [text[m.start:m.end].lower().startswith("recogni") for m in rule.find(text, Context("en", "fr"))] == [True]


def test_suggestion_takes_the_form_of_the_matched_word() -> None:
    rule = _rule([_row()])[0]
    ctx = Context("en", "fr")
    for text, expected in [("They assisted at the meeting.", "attended"),
                           ("She assists at the ceremony.", "attends"),
                           ("Assisting at the meeting was an honour.", "Attending"),
                           ("They will assist at the ceremony.", "attend")]:
        (m,) = rule.find(text, ctx)
        assert text[m.start:m.end].lower().startswith("assist") and text[m.start:m.end].endswith("at")
        assert m.replacements == (expected,)


def test_span_markers_report_only_the_marked_part_and_context_words_are_required() -> None:
    p = compile_pattern("<pass:v> DET? exam:n")
    m = p.regex.search("She passed the exam.")
    assert m and m.group("span").strip() == "passed"
    assert p.regex.search("She passed the salt.") is None
    assert p.head == ("pass", "v")


def test_punctuation_tokens_attach_without_spaces() -> None:
    p = compile_pattern("<effectively> ,")
    assert p.regex.search("Effectively, the talks failed.")
    q = compile_pattern("<recognize:v> “|\"? a ** setback")
    assert q.regex.search("had recognized “a tactical setback”")
    assert q.regex.search("had recognized a tactical setback")


def test_conditions_before_after_near_and_negation() -> None:
    conds = parse_conditions(r"after=(in|under)\b; !before=\b(is|was)$; near=\bpower\b")
    text = "The socialists actually in power"
    start = text.index("actually")
    assert all(c.holds(text, start, start + 8) for c in conds)
    text2 = "The socialists is actually in power"
    start2 = text2.index("actually")
    assert not all(c.holds(text2, start2, start2 + 8) for c in conds)


@pytest.mark.parametrize(("change", "message"), [
    ({"type": "oops"}, "type must be one of"),
    ({"pattern": "<a b"}, "'<' without '>'"),
    ({"pattern": "word:x"}, "unknown part of speech"),
    ({"pattern": "a b?"}, "last word of a pattern cannot be optional"),
    ({"conditions": "sideways=foo"}, "bad condition"),
    ({"conditions": "after=(unclosed"}, "missing )"),
    ({"confidence": "1.5"}, "confidence must be in"),
    ({"severity": "fatal"}, "fatal"),
])
def test_bad_rows_are_reported_with_file_and_line(change: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        _rule([_row(**change)])
    assert "lexicons/fr-en.tsv:2" in str(exc.value) and message in str(exc.value)


def test_file_level_errors() -> None:
    with pytest.raises(ConfigError, match="header must be"):
        lexicon_records("id\tpattern\n", "lexicons/fr-en.tsv")
    with pytest.raises(ConfigError, match=r"named SRC-TGT\.tsv"):
        lexicon_records(HEADER + "\n", "lexicons/french.tsv")
    with pytest.raises(ConfigError, match="duplicate lexicon id"):
        _rule([_row(), _row()])
    with pytest.raises(ConfigError, match="expected 11 tab-separated columns"):
        _rule(["a\tb"])


def test_a_new_language_pair_is_just_a_file() -> None:
    """de-en.tsv rows become de-en rules for English targets translated from German."""
    records = lexicon_records(HEADER + "\n" + _row(id="become-get", pattern="<become:v> DET? answer",
                                                   source="bekommen", suggest="get:v",
                                                   fires="We will become an answer tomorrow.",
                                                   passes="We will become friends.") + "\n",
                              "lexicons/de-en.tsv")
    rule = rule_from_record(records[0], "de-en.tsv")
    assert rule.id == "false-friend.de-en.become-get"
    assert rule.applies_to("en", "de") and not rule.applies_to("en", "fr") and not rule.applies_to("fr", "de")
    (m,) = rule.find("We became an answer.", Context("en", "de"))
    assert m.replacements == ("got",)


def test_readable_pattern_for_docs() -> None:
    assert readable("<recognize:v> DET? mistake:n") == "recognize (any form) [a/the/his…] mistake(s)"


def test_source_language_decides_which_lexicon_entries_run() -> None:
    rules = [r for r in load_rules() if r.kind == "lexicon" and r.options["lexicon"] == "fr-en"]
    low = [r for r in rules if r.confidence < 0.8]
    high = [r for r in rules if r.confidence >= 0.8]
    assert low and high
    assert all(r.applies_to("en", "fr") for r in rules)
    assert not any(r.applies_to("en", "de") for r in rules), "a German source never gets French false friends"
    assert all(r.applies_to("en", None) for r in high) and not any(r.applies_to("en", None) for r in low)
    rule = load_rules().get("false-friend.fr-en.ancient-former")
    text = "The ancient prime minister was arrested."
    (known,) = rule.find(text, Context("en", "fr"))
    (unknown,) = rule.find(text, Context("en", None))
    assert known.confidence is None and unknown.confidence == pytest.approx(rule.confidence * 0.85, abs=1e-3)
    assert dict(unknown.evidence)["source_language"] == "unknown"


def test_package_copy_is_identical_to_the_canonical_corpora_file() -> None:
    """corpora/lexicons/ holds the canonical lexicons; the package ships an identical copy.
    After editing corpora/lexicons/X.tsv: cp corpora/lexicons/*.tsv src/tqcheck/rules/data/lexicons/"""
    canonical = sorted((ROOT / "corpora" / "lexicons").glob("*.tsv"))
    assert canonical
    shipped = dict(lexicon_files())
    for path in canonical:
        assert shipped.get(f"lexicons/{path.name}") == path.read_text("utf-8"), path.name
    assert len(shipped) == len(canonical)


def test_lexicon_loads_through_importlib_resources() -> None:
    root = resources.files("tqcheck.rules") / "data"
    assert (root / "lexicons" / "fr-en.tsv").is_file()
    assert (root / "boilerplate" / "en.tsv").is_file() and (root / "loanwords" / "en.txt").is_file()


@pytest.mark.slow
def test_wheel_ships_the_rule_data(tmp_path: Path) -> None:
    """`pip install .` installs from a wheel: the lexicons and word lists must be inside it.
    Built from a copy of the project so that no build/ folder is left in the checkout."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(tmp_path), str(project)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("tqcheck-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ["tqcheck/rules/data/lexicons/fr-en.tsv", "tqcheck/rules/data/boilerplate/en.tsv",
                   "tqcheck/rules/data/loanwords/en.txt", "tqcheck/rules/data/typography.toml",
                   "tqcheck/rules/data/content.toml"]:
        assert needed in names, needed
    # Installed from the wheel (no source tree on the path), the lexicon rules load.
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                           str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    code = ("import tqcheck.rules, sys; from tqcheck.rules import load_rules; "
            "print(tqcheck.rules.__file__); print(sum(r.kind == 'lexicon' for r in load_rules()))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    where, count = out.stdout.split()
    assert where.startswith(str(site)) and int(count) >= 150
