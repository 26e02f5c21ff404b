"""The embedded n-gram backend on sentences written for these tests."""

from __future__ import annotations

import random

import pytest

from tqcheck.models.ngram import NGramScorer


@pytest.fixture(scope="module")
def ngram() -> NGramScorer:
    return NGramScorer()


SENTENCES = [
    "The minister will explain the plan to the members of the coalition.",
    "Prices rose sharply in the first quarter of the year.",
    "She said that the government would not change its strategy.",
    "The children walked to school in the rain this morning.",
    "We need to find a better way to reduce the cost of energy.",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_scrambled_sentence_scores_worse(ngram: NGramScorer, sentence: str) -> None:
    words = sentence.rstrip(".").split()
    rng = random.Random(7)
    for _ in range(3):
        shuffled = words[:]
        while shuffled == words:
            rng.shuffle(shuffled)
        scrambled = " ".join(shuffled).capitalize() + "."
        good, bad = ngram.score([sentence, scrambled])
        assert good.slor > bad.slor
        assert good.logprob > bad.logprob


def test_common_damage_scores_worse(ngram: NGramScorer) -> None:
    base = "The vehicle was removed from the crash site the same day."
    for damaged in ["The vehicle was removed from the crash site the same day day.",
                    "The vehicle was removed from the crash site the smae day.",
                    "The vehicle was removed from crash the site the same day.",
                    "The vehicle lui-même was removed from the crash site the same day."]:
        assert ngram.score_one(base).slor > ngram.score_one(damaged).slor, damaged


def test_offsets_are_words_and_end_event(ngram: NGramScorer) -> None:
    text = "Iraqis hope, said Haider al-Abadi’s aide, to win 4,000 votes."
    ts = ngram.score_one(text)
    pieces = [text[s:e] for s, e, _ in ts.tokens]
    assert pieces[:3] == ["Iraqis", "hope", "said"]
    assert "4,000" in pieces
    assert pieces[-1] == ""  # the zero-width end-of-sentence event
    assert ts.tokens[-1][0] == ts.tokens[-2][1]
    assert all(lp < 0 for _, _, lp in ts.tokens)


def test_names_acronyms_numbers_are_neutral(ngram: NGramScorer) -> None:
    ts = ngram.score_one("The trucks of the IS hit US bases near Akismet and Tikrit in 2015.")
    by_word = {ts.text[s:e]: (n, x)
               for (s, e, _), n, x in zip(ts.tokens, ts.neutral, ts.excess(), strict=True)}
    for word in ["IS", "US", "Akismet", "Tikrit", "2015"]:
        neutral, excess = by_word[word]
        assert neutral and excess == pytest.approx(0.0, abs=1e-9), word
    # "IS" is not read as the verb "is": the next word is judged without it.
    ts_verb = ngram.score_one("The trucks of the is hit bases.")
    assert ts_verb.slor < ts.slor


def test_lowercase_sentence_start_costs_exactly_the_case_event(ngram: NGramScorer) -> None:
    from tqcheck.models.ngram import constants

    a = ngram.score_one("The raids have not stopped the jihadists.")
    b = ngram.score_one("the raids have not stopped the jihadists.")
    assert b.logprob == pytest.approx(a.logprob + constants()["lowercase_sentence_start"])
    assert [t[:2] for t in a.tokens] == [t[:2] for t in b.tokens]


def test_missing_final_punctuation_costs_on_long_segments_only(ngram: NGramScorer) -> None:
    from tqcheck.models.ngram import constants

    long = "The vehicle itself was removed from the crash site the same day"
    assert ngram.score_one(long).logprob == pytest.approx(
        ngram.score_one(long + ".").logprob + constants()["unpunctuated_end"])
    assert ngram.score_one("Most Popular").logprob == pytest.approx(ngram.score_one("Most Popular.").logprob)


def test_masked_markup_separates_words(ngram: NGramScorer) -> None:
    # "see \ufffc and \ufffc." from Markdown with inline code and a comment masked out.
    masked = ngram.score_one("Inline \ufffc stays, see the link and \ufffc.")
    assert masked.fresh[1]  # "stays" is not read as following "Inline"
    assert masked.tokens[-1][0] < masked.tokens[-1][1]  # no end-of-sentence event after "and"


def test_misspelling_is_surprising_but_rare_real_word_is_not(ngram: NGramScorer) -> None:
    typo = ngram.score_one("They met the smae day.")
    rare = ngram.score_one("They met the reconquest day.")
    x_typo = typo.excess()[3]
    x_rare = rare.excess()[3]
    assert x_typo > 5 > x_rare


def test_shouting_headline_is_not_all_acronyms(ngram: NGramScorer) -> None:
    ts = ngram.score_one("COALITION MEETS IN PARIS")
    assert not all(ts.neutral[:-1])


@pytest.mark.parametrize(("good", "typo"), [
    ("The talks resumed the following week in Geneva.", "The talks resumed the folowing week in Geneva."),
    ("You should receive the letter next week.", "You should recieve the letter next week."),
])
def test_known_misspelling_is_charged_not_discounted(ngram: NGramScorer, good: str, typo: str) -> None:
    # wordfreq has seen "folowing" and "recieve" often enough to pass as rare real words; one edit
    # from a far more frequent word the LM knows, they are misspellings and charged as such.
    a, b = ngram.score_one(good), ngram.score_one(typo)
    k = next(i for i, (s, e, _) in enumerate(b.tokens) if b.text[s:e] in ("folowing", "recieve"))
    assert b.excess()[k] > 5
    assert a.slor > b.slor and a.slor_total > b.slor_total and a.logprob > b.logprob


def test_rare_real_words_and_british_spellings_are_not_misspellings(ngram: NGramScorer) -> None:
    for word in ["jihadist", "tweeted", "organised", "analysed", "reconquest", "microplastics"]:
        ts = ngram.score_one(f"They met the {word} day.")
        assert ts.excess()[3] < 5, word


def test_word_after_comma_is_judged_in_context_but_detection_stays_in_the_clause(ngram: NGramScorer) -> None:
    comma = ngram.score_one("The storm hit the coast, and the roads were closed for days.")
    colon = ngram.score_one("The storm hit the coast; and the roads were closed for days.")
    k = 5  # "and"
    assert comma.text[comma.tokens[k][0]:comma.tokens[k][1]] == "and"
    assert comma.fresh[k] and colon.fresh[k]
    # "coast and" is more probable than "and" out of the blue: the comma does not hide it ...
    assert comma.tokens[k][2] > colon.tokens[k][2]
    # ... but span detection, which reads excess surprisal, still sees a clause boundary.
    assert comma.excess()[k] == pytest.approx(colon.excess()[k])
    # Names still reset the context: "Paris, the" is not read as "paris the".
    assert ngram.score_one("We met in Paris, the capital.").logprob == pytest.approx(
        ngram.score_one("We met in Paris; the capital.").logprob)


@pytest.mark.parametrize(("good", "cut"), [
    ("The storm hit the coast, and the roads were closed for days.",
     "The storm hit the coast, the roads were closed for days."),
    ("They usually offer food, drink, and music to their guests.",
     "They usually offer food, drink, music to their guests."),
])
def test_removed_conjunction_scores_worse_as_a_version_of_the_sentence(ngram: NGramScorer, good: str,
                                                                        cut: str) -> None:
    a, b = ngram.score_one(good), ngram.score_one(cut)
    assert a.slor_total > b.slor_total
    assert a.slor_total == pytest.approx(a.slor * a.n)


def test_untranslated_word_test_narrows_to_the_known_source_languages(ngram: NGramScorer) -> None:
    assert ngram.for_sources(["fr", "fr-CA"]).foreign_langs == ["fr"]
    assert ngram.for_sources(["de", "fr"]).foreign_langs == ["de", "fr"]
    assert ngram.for_sources(["fr"]) is ngram.for_sources(["fr"])  # one view per set, shared caches
    assert ngram.for_sources(["fr"])._known is ngram._known
    default = sorted(ngram.foreign_langs)
    for unknown in (["fr", None], [], ["xx"], ["en"]):  # an unknown source keeps the default list
        assert sorted(ngram.for_sources(unknown).foreign_langs) == default


def test_a_word_left_in_the_source_language_is_charged_for_that_source(ngram: NGramScorer) -> None:
    # Italian "sempre" (always) is not among the default French/Spanish/German leftovers; from an
    # Italian source it is recognised as untranslated instead of passing as a rare English word.
    text = "The government will sempre defend the new budget."
    default, italian = ngram.score([text])[0], ngram.for_sources(["it"]).score([text])[0]
    word = text.index("sempre")
    lp = {s: lp for s, _e, lp in default.tokens}
    lp_it = {s: lp for s, _e, lp in italian.tokens}
    assert lp_it[word] < lp[word] - 5
    assert italian.slor < default.slor


def test_the_fluency_signal_scores_with_the_documents_source_language(monkeypatch) -> None:
    from tqcheck.api import Checker
    from tqcheck.config import Config
    from tqcheck.formats import document_from_text

    used: list[list[str]] = []
    real_score = NGramScorer.score

    def spy(self, texts):  # type: ignore[no-untyped-def]
        used.append(list(self.foreign_langs))
        return real_score(self, texts)

    monkeypatch.setattr(NGramScorer, "score", spy)
    checker = Checker(Config(signals=["fluency"], source_lang="fr"))
    checker.check_documents([document_from_text("The coalition meets in Paris on Tuesday.")])
    assert used == [["fr"]]
