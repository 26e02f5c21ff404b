"""German->English and Spanish->English false friends and calques: size, examples, documents
written for these tests, and the source guess they feed."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("tqcheck.rules.lexicon", reason="the lexicon loader (rules issue) is not merged yet")
if not (Path(__file__).resolve().parent.parent / "corpora" / "lexicons" / "de-en.tsv").is_file():
    pytest.skip("the de-en/es-en lexicons land together with the lexicon loader", allow_module_level=True)

from tqcheck.api import check
from tqcheck.config import Config
from tqcheck.formats import document_from_text
from tqcheck.rules.engine import Context, load_rules
from tqcheck.segment import segment
from tqcheck.source_guess import guess_source

ROOT = Path(__file__).resolve().parent.parent


def _lexicon(pair: str) -> list:
    return [r for r in load_rules() if r.kind == "lexicon" and r.options["lexicon"] == pair]


@pytest.mark.parametrize("pair", ["de-en", "es-en"])
def test_lexicon_size_types_and_examples(pair: str) -> None:
    rules = _lexicon(pair)
    assert len(rules) >= 60
    assert sum(r.id.startswith("false-friend.") for r in rules) >= 30
    assert sum(r.id.startswith("calque.") for r in rules) >= 25
    src = pair.split("-")[0]
    for rule in rules:
        assert rule.sources == (src,) and rule.languages == ("en",)
        assert rule.fires and rule.passes and rule.why
        ctx = Context("en", src)
        assert list(rule.find(rule.fires[0], ctx)), rule.id
        assert not list(rule.find(rule.passes[0], ctx)), rule.id


@pytest.mark.parametrize("pair", ["de-en", "es-en"])
def test_package_copy_matches_the_corpus(pair: str) -> None:
    canonical = (ROOT / "corpora" / "lexicons" / f"{pair}.tsv").read_bytes()
    shipped = (ROOT / "src" / "tqcheck" / "rules" / "data" / "lexicons" / f"{pair}.tsv").read_bytes()
    assert canonical == shipped


FROM_GERMAN = (
    "Last week I became a letter from the tax office. We have known about the problem since years, "
    "and it depends from the weather. The chef of the company resigned on Friday. "
    "Please download the actual version of the app. Can you explain me the rules?\n"
)
FROM_SPANISH = (
    "More than two hundred people assisted to the ceremony. My sister has 20 years and is three "
    "months embarrassed. Everything depends of the result. We discussed about the budget for hours. "
    "In resume, the plan failed.\n"
)
CLEAN_ENGLISH = (
    "Last week I got a letter from the tax office. We have known about the problem for years, and "
    "it depends on the weather. The head of the company resigned on Friday. Please download the "
    "current version of the app. Can you explain the rules to me? More than two hundred people "
    "attended the ceremony. My sister is 20 and three months pregnant. Everything depends on the "
    "result. We discussed the budget for hours. In short, the plan failed. She was embarrassed by "
    "the question, and the chef of the restaurant won a star.\n"
)


def _rules(text: str, source: str | None) -> list[tuple[str, str, list[str]]]:
    report = check(text, Config(signals=["rules"], source_lang=source), text=True)
    return [(f.rule, text[f.start:f.end], [s.replacement for s in f.suggestions]) for f in report.findings
            if f.rule.startswith(("false-friend.", "calque."))]


def test_german_source_document() -> None:
    found = {rule: (span, reps) for rule, span, reps in _rules(FROM_GERMAN, "de")}
    span, reps = found["false-friend.de-en.become-receive"]
    assert span == "became" and set(reps) == {"got", "received"}
    assert found["calque.de-en.since-years"][0] == "since years"
    assert found["calque.de-en.depend-from"][0] == "depends from"
    assert found["false-friend.de-en.chef-boss-of"][0] == "chef"
    assert found["false-friend.de-en.actual-version"][0] == "actual"
    assert found["calque.de-en.explain-me"][0] == "explain"
    assert all(r.startswith(("false-friend.de-en.", "calque.de-en.")) for r in found)


def test_spanish_source_document() -> None:
    found = {rule: span for rule, span, _ in _rules(FROM_SPANISH, "es")}
    for rule in ("false-friend.es-en.assist-to-attend", "calque.es-en.have-age",
                 "false-friend.es-en.embarrassed-pregnant", "calque.es-en.depend-of",
                 "calque.es-en.discuss-about", "false-friend.es-en.in-resume"):
        assert rule in found, rule
    assert all(".es-en." in r for r in found)


def test_unknown_source_runs_only_confident_entries_of_every_lexicon() -> None:
    known = {r for r, _, _ in _rules(FROM_GERMAN, "de")}
    unknown = {r for r, _, _ in _rules(FROM_GERMAN, None)}
    assert unknown and unknown <= known | {r for r, _, _ in _rules(FROM_GERMAN, "fr")} | {
        r for r, _, _ in _rules(FROM_GERMAN, "es")}
    assert all(load_rules().get(r).confidence >= 0.8 for r in unknown)


def test_wrong_source_does_not_get_these_entries() -> None:
    assert not [r for r, _, _ in _rules(FROM_SPANISH, "de") if ".es-en." in r]
    assert not [r for r, _, _ in _rules(FROM_GERMAN, "es") if ".de-en." in r]


@pytest.mark.parametrize("source", ["de", "es", "fr", None])
def test_clean_english_draws_no_false_friend(source: str | None) -> None:
    assert _rules(CLEAN_ENGLISH, source) == []


@pytest.mark.parametrize(("text", "expected"), [(FROM_GERMAN, "de"), (FROM_SPANISH, "es")])
def test_false_friends_alone_point_to_the_source(text: str, expected: str) -> None:
    doc = document_from_text(text)
    doc.language = "en"
    guess = guess_source(segment(doc), "en")
    assert guess.language == expected, guess.reason
    assert guess.cues[0].id == f"lexicon.{expected}-en"
