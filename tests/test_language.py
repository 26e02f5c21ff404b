"""Language detection, language codes, and the source-language guess (``--source-lang auto``).

Every text here was written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_tqcheck
from tqcheck.api import Checker, check
from tqcheck.config import Config
from tqcheck.document import Document
from tqcheck.errors import ConfigError
from tqcheck.formats import document_from_text
from tqcheck.language import detect, detect_language, normalize_code
from tqcheck.segment import segment
from tqcheck.source_guess import guess_source, load_cues

TEXTS = {
    "en": "The town council met on Monday evening to discuss the new budget and the old bridge.",
    "fr": "Le conseil municipal s’est réuni lundi soir pour discuter du nouveau budget et des travaux du vieux pont.",
    "de": "Der Stadtrat traf sich am Montagabend, um über den neuen Haushalt und die alte Brücke zu reden.",
    "es": "El ayuntamiento se reunió el lunes por la noche para hablar del nuevo presupuesto y del puente.",
    "it": "Il consiglio comunale si è riunito lunedì sera per discutere il nuovo bilancio e il vecchio ponte.",
    "pt": "A câmara municipal reuniu-se na segunda-feira à noite para discutir o novo orçamento e a ponte velha.",
    "ru": "Городской совет собрался в понедельник вечером, чтобы обсудить новый бюджет и ремонт старого моста.",
    "el": "Το δημοτικό συμβούλιο συνεδρίασε τη Δευτέρα το βράδυ για να συζητήσει τον νέο προϋπολογισμό και τη γέφυρα.",
}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_detects_each_supported_language(lang: str) -> None:
    det = detect(TEXTS[lang])
    assert det.language == lang
    assert det.confidence >= 0.5
    assert lang in dict(det.alternatives)
    assert det.reason.startswith("lingua:")


def test_no_letters_means_no_language() -> None:
    det = detect("12 345 — 67,8 % !!! ???")
    assert det.language is None and "no letters" in det.reason
    assert detect_language("") is None


@pytest.mark.parametrize(("given", "code"), [
    ("en", "en"), ("EN", "en"), ("en-GB", "en"), ("pt_BR", "pt"), ("fra", "fr"), ("deu", "de"),
    ("ger", "de"), ("spa", "es"), ("ell", "el"), ("rus", "ru"), ("AUTO", "auto"), (" fi ", "fi"),
])
def test_language_codes_are_normalised(given: str, code: str) -> None:
    assert normalize_code(given) == code


@pytest.mark.parametrize("bad", ["english", "e", "en GB", "12", ""])
def test_a_non_code_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a language code"):
        normalize_code(bad)


def test_config_normalises_and_rejects_language_codes() -> None:
    from tqcheck.config import validate

    cfg = validate(Config(lang="de-AT", source_lang="ENG", pivots=["fra"]))
    assert (cfg.lang, cfg.source_lang, cfg.pivots) == ("de", "en", ["fr"])
    assert validate(Config(source_lang="auto")).source_lang == "auto"
    with pytest.raises(ConfigError, match="not a language code"):
        validate(Config(lang="french"))


def test_cli_bad_language_is_one_line_and_exit_2(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("Hello there, how are you?\n", "utf-8")
    proc = run_tqcheck("check", str(f), "--lang", "english")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "not a language code" in proc.stderr
    assert "Traceback" not in proc.stderr


# ----------------------------------------------------------------------------- target language


def _rules_only(**kw: object) -> Config:
    return Config(signals=["rules"], **kw)  # type: ignore[arg-type]


def test_lang_auto_detects_and_reports_why() -> None:
    report = check(TEXTS["de"], _rules_only(lang="auto"), text=True)
    doc = report.documents[0]
    assert doc.document.language == "de"
    info = doc.signals["language"]
    assert info["target"] == "de" and info["target_set_by"] == "detected"
    assert info["target_detection"]["confidence"] > 0.9


def test_lang_auto_falls_back_to_english_when_unsure_and_says_so() -> None:
    report = check("1234 5678 90", _rules_only(lang="auto"), text=True)
    info = report.documents[0].signals["language"]
    assert info["target"] == "en" and info["target_set_by"].startswith("default")


def test_explicit_language_wins_but_a_mismatch_is_reported() -> None:
    report = check(TEXTS["ru"], _rules_only(lang="el"), text=True)
    doc = report.documents[0]
    assert doc.document.language == "el"
    assert "looks Russian" in doc.signals["language"]["warning"]
    assert "--lang ru" in doc.signals["language"]["warning"]


# ----------------------------------------------------------------------------- source guess


def _doc(text: str, lang: str = "en") -> Document:
    doc = document_from_text(text)
    doc.language = lang
    return segment(doc)


FROM_FRENCH = ("How to defeat the Islamic State ? The coalition met in Paris : its members "
               "« agreed » on a plan. What now ? Growth reached 3,5 percent.")
FROM_GERMAN = ("The minister called the plan „a big step“ for the region. The budget grows to "
               "1.234,5 million euros. Sales rose on the 3. May, the „Handelsblatt“ wrote.")
FROM_SPANISH = ("¿What will the government do now? The minister said: ¡we will win! "
                "The 1º of May is a holiday.")


def test_french_typography_points_to_french() -> None:
    guess = guess_source(_doc(FROM_FRENCH), "en")
    assert guess.language == "fr"
    ids = {c.id for c in guess.cues}
    assert {"space-before-high-punctuation", "guillemets-with-inner-spaces"} <= ids
    assert "French" in guess.reason and guess.confidence > 0.5


def test_german_quotes_and_numbers_point_to_german() -> None:
    guess = guess_source(_doc(FROM_GERMAN), "en")
    assert guess.language == "de", guess.reason
    assert {"low-high-quotes", "thousands-dot-decimal-comma"} <= {c.id for c in guess.cues}


def test_spanish_inverted_marks_point_to_spanish() -> None:
    guess = guess_source(_doc(FROM_SPANISH), "en")
    assert guess.language == "es", guess.reason
    cue = next(c for c in guess.cues if c.id == "inverted-question-exclamation")
    assert cue.count == 2 and "¿" in cue.example


def test_clean_english_gives_no_guess() -> None:
    guess = guess_source(_doc(TEXTS["en"]), "en")
    assert guess.language is None
    assert guess.reason == "no interference cues found"


def test_one_weak_cue_is_not_enough() -> None:
    guess = guess_source(_doc("Growth reached 3,5 percent last year, the bank said."), "en")
    assert guess.language is None and guess.reason.startswith("undecided")


def test_target_typography_is_not_a_cue_in_its_own_language() -> None:
    french = "Comment vaincre l’État islamique\u202f? La coalition s’est réunie à Paris\u00a0: « oui »."
    guess = guess_source(_doc(french, "fr"), "fr")
    assert guess.language is None
    assert not any(c.id.startswith(("space-before", "guillemets")) for c in guess.cues)


def test_untranslated_words_and_sentences_count() -> None:
    text = ("The mayor opened the new library on Monday. Die Bibliothek ist ab sofort jeden Tag "
            "geöffnet und kostenlos. Visitors praised the building and its gemütlich reading rooms.")
    guess = guess_source(_doc(text), "en")
    assert guess.language == "de", guess.reason
    assert any(c.id == "untranslated-sentences.de" for c in guess.cues)


def test_a_bilingual_source_text_settles_the_guess() -> None:
    doc = _doc("The town council met on Monday.")
    doc.segments[0].source = TEXTS["es"]
    guess = guess_source(doc, "en")
    assert guess.language == "es" and guess.cues[0].id == "source-text"


def test_round_trip_evidence_breaks_a_tie() -> None:
    # Equal typography evidence for Spanish and Italian («tight guillemets»); the pivot that
    # round-trips best decides. The fake translator is perfect through Italian, lossy through Spanish.
    text = ("The minister called it «a good plan» for the country. The opposition spoke of "
            "«a bad deal» for the workers. The vote is on Friday after a long debate in parliament.")

    def translate(src: str, tgt: str, texts: list[str]) -> list[str]:
        if "es" in (src, tgt):
            return [" ".join(t.split()[::2]) for t in texts]
        if "it" in (src, tgt):
            return list(texts)
        raise RuntimeError("no model for this pair")

    guess = guess_source(_doc(text), "en", translate=translate)
    assert guess.roundtrip["it"] > guess.roundtrip["es"]
    assert "fr" not in guess.roundtrip  # the fake has no French model: no evidence, no error
    assert guess.language == "it", guess.reason
    assert any(c.id == "roundtrip" for c in guess.cues)


def test_cue_data_is_well_formed() -> None:
    cues = load_cues()
    assert len({c.id for c in cues}) == len(cues) >= 10
    for c in cues:
        assert c.sources and c.weight > 0 and c.cap >= 1 and c.what


# ----------------------------------------------------------------------------- through the API/CLI


def test_source_lang_auto_sets_the_source_and_enables_its_rules() -> None:
    checker = Checker(_rules_only(source_lang="auto"))
    report = checker.check_documents([document_from_text(FROM_FRENCH)])
    doc = report.documents[0]
    assert doc.document.source_language == "fr"
    info = doc.signals["language"]
    assert info["source_set_by"] == "guessed" and info["source_guess"]["language"] == "fr"


def test_explicit_source_lang_is_kept_and_not_guessed() -> None:
    report = check(FROM_FRENCH, _rules_only(source_lang="de"), text=True)
    info = report.documents[0].signals["language"]
    assert info["source"] == "de" and info["source_set_by"] == "configuration"
    assert "source_guess" not in info


def test_default_source_is_unknown_and_says_how_to_set_it() -> None:
    report = check(FROM_FRENCH, _rules_only(), text=True)
    doc = report.documents[0]
    assert doc.document.source_language is None
    assert "--source-lang" in doc.signals["language"]["source_set_by"]


def test_source_equal_to_target_is_flagged() -> None:
    report = check(TEXTS["en"], _rules_only(source_lang="en"), text=True)
    doc = report.documents[0]
    assert doc.document.source_language == "en"
    assert "own language" in doc.signals["language"]["warning"]


def test_cli_source_lang_auto_json_and_text(tmp_path: Path) -> None:
    f = tmp_path / "from-fr.txt"
    f.write_text(FROM_FRENCH + "\n", "utf-8")
    proc = run_tqcheck("check", str(f), "--source-lang", "auto", "--signals", "rules", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)["documents"][0]
    assert doc["source_language"] == "fr"
    assert doc["signals"]["language"]["source_guess"]["cues"][0]["id"] == "space-before-high-punctuation"
    text = run_tqcheck("check", str(f), "--source-lang", "auto", "--lang", "auto", "--signals", "rules")
    assert text.returncode == 0, text.stderr
    assert "[en from fr]" in text.stdout
    assert "source: fr (guessed: French" in " ".join(text.stdout.split())
