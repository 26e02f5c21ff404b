"""Behaviour of the rule kinds that need code, through the rules signal and the pipeline."""

from __future__ import annotations

import pytest

from tqcheck.api import Checker
from tqcheck.config import Config
from tqcheck.findings import Category
from tqcheck.formats import document_from_text
from tqcheck.rules.engine import Context, load_rules


def findings(text: str, source: str | None = "fr", lang: str = "en", **cfg: object):
    checker = Checker(Config(signals=["rules"], lang=lang, source_lang=source, **cfg))
    report = checker.check_documents([document_from_text(text)])
    return report.documents[0], report.findings


def spans(text: str, rule: str, source: str | None = "fr") -> list[tuple[str, tuple[str, ...]]]:
    _, found = findings(text, source)
    return [(text[f.start:f.end], tuple(s.replacement for s in f.suggestions)) for f in found if f.rule == rule]


# --------------------------------------------------------------------------- typography


def test_space_before_punctuation_variants() -> None:
    rule = "typography.space-before-punctuation"
    assert spans("Vraiment ? Yes ; no : maybe !", rule) == [(" ", ("",))] * 4
    assert spans("Thin\u202fspace\u00a0?", rule) == [("\u00a0", ("",))]
    assert spans("Go to example .com or use .NET ... fine", rule) == []
    assert spans("It rose by .5 percent (a lot)", rule) == []


def test_guillemets_replace_mark_and_inner_spaces() -> None:
    assert spans("the « specificity of Quebec » in", "typography.french-guillemets") == [
        ("« ", ("“",)), (" »", ("”",))]
    assert spans("the «specificity»", "typography.french-guillemets") == [("«", ("“",)), ("»", ("”",))]


def test_quote_direction_spacing_and_balance_over_a_paragraph() -> None:
    text = "Officials said. ” It is vital that all forces obey. This is key , ” said the envoy."
    assert spans(text, "typography.closing-quote-opens") == [("” ", ("“",))]
    assert spans(text, "typography.space-inside-quotes") == [(" ", ("",))]
    assert spans(text, "punctuation.unbalanced-quotes") == []
    assert spans("He said “ yes” and left.", "typography.space-inside-quotes") == [(" ", ("",))]
    assert spans("He called it “a setback and left.", "punctuation.unbalanced-quotes") == [("“", ())]
    assert spans("It was over.” Then they left.", "punctuation.unbalanced-quotes") == [("”", ())]
    assert spans('He said "yes and left.', "punctuation.unbalanced-quotes") == [('"', ())]
    # Mixed marks are one (wrong) pair, not two strays; a long quotation may reopen each paragraph.
    assert spans("the “socialist liberation\" of China", "punctuation.unbalanced-quotes") == []
    assert spans("“First paragraph of a long quotation.\n\n“Second one.”", "punctuation.unbalanced-quotes") == []
    # German quotation marks open low and close with “.
    _, de = findings("Er sagte „ja“ und ging.", source="en", lang="de")
    assert not [f for f in de if f.rule == "punctuation.unbalanced-quotes"]


def test_brackets_balance_ignores_enumerations_and_emoticons() -> None:
    rule = "punctuation.unbalanced-brackets"
    assert spans("The exchange (CME will launch.", rule) == [("(", ())]
    assert spans("The exchange CME) will launch.", rule) == [(")", ())]
    assert spans("Choose a) one or b) two. Nice :)", rule) == []
    assert spans("A [note (with nesting)] here.", rule) == []
    assert spans("A [mismatch) here.", rule) == [("[", ()), (")", ())]


def test_space_inside_brackets() -> None:
    assert spans("the exchange ( CME ) will", "typography.space-inside-brackets") == [(" ", ("",)), (" ", ("",))]


def test_hyphenated_names() -> None:
    rule = "typography.space-in-hyphenated-name"
    assert spans("in Al -Anbar and Jean- Pierre", rule) == [("Al -Anbar", ("Al-Anbar",)),
                                                          ("Jean- Pierre", ("Jean-Pierre",))]
    assert spans("pre- and post-war Iraq; Paris - The meeting", rule) == []


def test_numbers_and_dates() -> None:
    assert spans("some 4 000 raids and 1 250 000 people", "locale.space-thousands") == [
        ("4 000", ("4,000",)), ("1 250 000", ("1,250,000",))]
    assert spans("a loan of 2 500,50 euros", "locale.space-thousands") == [("2 500,50", ("2,500.50",))]
    assert spans("in 2005 200 people, room 12 then 100 metres", "locale.space-thousands") == []
    assert spans("grew 2,5 % to 1,2 million", "locale.decimal-comma") == [("2,5", ("2.5",)), ("1,2", ("1.2",))]
    assert spans("37,000 soldiers; pages 1,2,3; in 2005, 12 people", "locale.decimal-comma") == []
    assert spans("grew 3 % this year", "locale.space-before-percent") == [(" ", ("",))]
    assert spans("on 17/05/2015 and 02/06/2015", "locale.numeric-day-month") == [("17/05/2015", ("05/17/2015",))]
    assert spans("taken on the 17 May by IS", "locale.the-day-month") == [("the 17 May", ("May 17",))]


def test_repeated_word_spans_the_pair_and_keeps_one() -> None:
    assert spans("one of the the fastest", "grammar.repeated-word") == [("the the", ("the",))]
    assert spans("The the end.", "grammar.repeated-word") == [("The the", ("The",))]
    assert spans("he said that that plan failed; it had had no effect", "grammar.repeated-word") == []


# --------------------------------------------------------------------------- boilerplate


def test_boilerplate_marks_segments_non_content_and_out_of_the_score() -> None:
    text = ("The coalition met in Paris on Tuesday.\n\nShare on Facebook\n\nLeave a Reply\n\n"
            "Your email address will not be published. Required fields are marked *\n\n"
            "We use cookies to give you the best experience on our website.\n\nBack to top\n")
    result, found = findings(text)
    boiler = [f for f in found if f.rule == "content.boilerplate"]
    assert all(f.category is Category.NON_CONTENT for f in boiler)
    segs = result.document.segments
    assert not segs[0].non_content and all(s.non_content for s in segs[1:])
    assert result.words == 7 and result.score == 100.0


def test_boilerplate_lines_inside_one_segment() -> None:
    """A segment made of several furniture lines is one match over the whole segment; a segment
    that mixes copy and furniture gets one match per furniture line (and stays content)."""
    rule = load_rules().get("content.boilerplate")
    text = "Most Popular\nTo Top"
    assert [(m.start, m.end) for m in rule.find(text, Context("en"))] == [(0, len(text))]
    mixed = "The minister resigned on Friday\nShare on Facebook"
    assert [mixed[m.start:m.end] for m in rule.find(mixed, Context("en"))] == ["Share on Facebook"]
    result, _ = findings("Most Popular\n\nTo Top")
    assert all(s.non_content for s in result.document.segments)


def test_boilerplate_words_in_real_sentences_are_content() -> None:
    _, found = findings("He left a reply on the desk and went back to the top of the stairs.")
    assert not [f for f in found if f.rule == "content.boilerplate"]


# --------------------------------------------------------------------------- untranslated


def test_untranslated_words_spare_names_acronyms_and_loanwords() -> None:
    rule = "untranslated.words"
    assert spans("its full range of cafes and thés including", rule) == [("thés", ())]
    assert spans("the deal was signed avec les ministres in Paris", rule) == [("avec les ministres", ())]
    assert spans("Dominique de Villepin met the NATO chiefs in a café", rule) == []
    assert spans("a coup d'état and a feeling of déjà vu, a fait accompli", rule) == []


def test_untranslated_words_use_the_source_language() -> None:
    text = "the minister said the Bundesregierung was jedoch ready"
    _, found = findings(text, source="de")
    assert [(text[f.start:f.end], f.evidence["language"]) for f in found if f.rule == "untranslated.words"] == [
        ("Bundesregierung", "de"), ("jedoch", "de")]
    _, unknown = findings(text, source=None)
    assert [f.evidence["language"] for f in unknown if f.rule == "untranslated.words"] == ["de", "de"]
    # A French source: a capitalised word inside a sentence is a name, never flagged.
    _, fr = findings("the minister met Villepin and Bundesregierung", source="fr")
    assert not [f for f in fr if f.rule == "untranslated.words"]


def test_untranslated_sentence_subsumes_its_words() -> None:
    text = "The talks ended. Les ministres se retrouveront la semaine prochaine à Bruxelles."
    _, found = findings(text)
    (sentence,) = [f for f in found if f.rule == "untranslated.sentence"]
    assert text[sentence.start:sentence.end].startswith("Les ministres")
    assert sentence.evidence["language"] == "fr" and sentence.severity.value == "major"
    assert not [f for f in found if f.rule == "untranslated.words"]


def test_english_headline_full_of_names_is_not_foreign() -> None:
    _, found = findings("Haider al-Abadi meets Jean-Yves Le Drian and François Hollande at the Élysée")
    assert not [f for f in found if f.rule.startswith("untranslated.")]


# --------------------------------------------------------------------------- language pairs


def test_rules_follow_the_language_pair() -> None:
    text = "The ancient minister assisted at the ceremony."
    _, fr = findings(text, source="fr")
    assert {"false-friend.fr-en.ancient-former", "false-friend.fr-en.assist-at"} <= {f.rule for f in fr}
    _, de = findings(text, source="de")
    assert not [f for f in de if f.rule.startswith(("false-friend.", "calque."))]
    _, unknown = findings(text, source=None)
    assert {f.rule for f in unknown if f.rule.startswith("false-friend.")} == {
        "false-friend.fr-en.ancient-former", "false-friend.fr-en.assist-at"}
    assert all(f.evidence.get("source_language") == "unknown" for f in unknown if f.rule.startswith("false-"))


def test_english_only_rules_stay_off_for_other_targets() -> None:
    _, found = findings("Il a dit « bonjour » à 4 000 personnes ?", source="en", lang="fr")
    rules = {f.rule for f in found}
    assert "typography.french-guillemets" not in rules and "locale.space-thousands" not in rules
    assert "typography.space-before-punctuation" not in rules


def test_select_and_ignore_work_on_lexicon_groups() -> None:
    text = "The ancient minister assisted at the ceremony."
    _, found = findings(text, ignore=["false-friend"])
    assert not [f for f in found if f.rule.startswith("false-friend.")]
    _, only = findings(text, select=["false-friend.fr-en.assist-at"])
    assert [f.rule for f in only] == ["false-friend.fr-en.assist-at"]


@pytest.mark.parametrize("rule_id", ["typography.space-before-punctuation", "false-friend.fr-en.assist-at"])
def test_find_without_context_defaults_to_the_rules_language(rule_id: str) -> None:
    rule = load_rules().get(rule_id)
    assert list(rule.find(rule.fires[0])) == list(rule.find(rule.fires[0], Context("en", None)))[:len(
        list(rule.find(rule.fires[0])))]
