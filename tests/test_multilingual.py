"""Rules for French, German and Spanish targets, English-target rules staying silent on them, and
documents in non-Latin scripts end to end. Every text here was written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_tqcheck
from tqcheck.api import check
from tqcheck.config import Config
from tqcheck.rules.engine import load_rules

NB = "\u00a0"  # no-break space
NNB = "\u202f"  # narrow no-break space

# Correctly typeset copy in each target language: no rule may fire on these.
CLEAN = {
    "fr": (
        f"Comment vaincre l’État islamique{NNB}? La coalition s’est réunie à Paris lundi{NB}: "
        f"ses membres ont parlé d’un «{NB}revers tactique{NB}». Quelle surprise{NNB}! "
        f"Le rendez-vous est fixé à 10:30{NNB}; voir https://example.org/agenda pour le détail.\n\n"
        f"La croissance a atteint 3,5 % et le budget 2,7 milliards d’euros, selon le ministère. "
        f"Le score final était de 2:1. «{NB}Nous restons{NNB}», a dit le maire. Nous nous sommes "
        f"réunis hier, et vous vous êtes trompés.\n"
    ),
    "de": (
        "Der Minister sprach von einem „taktischen Rückschlag“. Das Wachstum lag bei 3,5 Prozent, "
        "der Haushalt bei 1.234,5 Millionen Euro. Die Sitzung beginnt um 10:30 Uhr.\n\n"
        "Am 3. Mai 2024 kamen 12.000 Menschen; die Zeitung schrieb: „Ein guter Tag.“ Wie geht es weiter? "
        "Die Frau, die die Kinder abholt, las »Die Zeit«.\n"
    ),
    "es": (
        "¿Cómo derrotar al Estado Islámico? La coalición se reunió en París el lunes. ¡Qué sorpresa! "
        "Si llueve, ¿vendrás mañana? El ministro habló de un «revés táctico».\n\n"
        "El crecimiento alcanzó el 3,5 % y el presupuesto, 1.234 millones de euros.\n"
    ),
}


def _findings(text: str, lang: str, **kw: object) -> list[tuple[str, str]]:
    report = check(text, Config(signals=["rules"], lang=lang, **kw), text=True)  # type: ignore[arg-type]
    return [(f.rule, text[f.start:f.end]) for f in report.findings]


@pytest.mark.parametrize("lang", sorted(CLEAN))
def test_correct_copy_in_each_target_language_draws_no_finding(lang: str) -> None:
    assert _findings(CLEAN[lang], lang) == []


@pytest.mark.parametrize("lang", sorted(CLEAN))
def test_correct_copy_stays_clean_whatever_the_source(lang: str) -> None:
    for source in ("en", "fr", "de", "es"):
        if source != lang:
            assert _findings(CLEAN[lang], lang, source_lang=source) == [], source


# ----------------------------------------------------------------------------- French target


def test_french_missing_no_break_space_before_colon_is_flagged_with_exact_fix() -> None:
    text = "Objectif: la paix."
    report = check(text, Config(signals=["rules"], lang="fr"), text=True)
    (f,) = report.findings
    assert f.rule == "typography.fr.missing-space-before-colon"
    assert text[f.start:f.end] == ":"
    fixed = text[:f.start] + f.suggestions[0].replacement + text[f.end:]
    assert fixed == f"Objectif{NB}: la paix." and f.suggestions[0].safe
    assert _findings(fixed, "fr") == []


@pytest.mark.parametrize(("text", "rule", "span"), [
    ("Vraiment?", "typography.fr.missing-space-before-punctuation", "?"),
    ("Il pleut; nous restons.", "typography.fr.missing-space-before-punctuation", ";"),
    ("Quelle horreur !", "typography.fr.breaking-space-before-punctuation", " !"),
    ("Objectif : la paix.", "typography.fr.breaking-space-before-punctuation", " :"),
    ("Il est parti , puis revenu.", "typography.fr.space-before-comma-or-period", " "),
    (f"Il a dit «non{NB}».", "typography.fr.guillemet-opening-space", "«"),
    (f"Il a dit «{NB}non ».", "typography.fr.guillemet-closing-space", " »"),
    ("Il a parlé d’un \"revers\" hier.", "typography.fr.straight-quotes", "\"revers\""),
    ("La croissance a atteint 3.5 % cette année.", "locale.fr.decimal-point", "3.5"),
])
def test_french_typography_errors(text: str, rule: str, span: str) -> None:
    assert (rule, span) in _findings(text, "fr")


def test_english_rule_on_french_spacing_does_not_run_on_french() -> None:
    # In English copy "State ?" is an error; in French it is the rule (with a no-break space).
    assert _findings(f"Comment vaincre l’État islamique{NNB}?", "fr") == []
    assert ("typography.space-before-punctuation", " ") in _findings("How to defeat the State ?", "en")


# ----------------------------------------------------------------------------- German target


@pytest.mark.parametrize(("text", "rule"), [
    ("Er sprach von einem “taktischen Rückschlag”.", "typography.de.english-quotes"),
    ("Er sprach von einem „taktischen Rückschlag”.", "typography.de.low-quote-wrong-closing"),
    ("Er sprach von einem \"taktischen Rückschlag\".", "typography.de.straight-quotes"),
    ("Das Wachstum lag bei 3.5 Prozent.", "locale.de.decimal-point"),
    ("Die Stadt hat 1,234,567 Einwohner.", "locale.de.thousands-comma"),
    ("Wie geht es weiter ?", "typography.space-before-punctuation"),
])
def test_german_typography_errors(text: str, rule: str) -> None:
    assert rule in [r for r, _ in _findings(text, "de")]


def test_english_number_rules_stay_silent_on_german_numbers() -> None:
    pytest.importorskip("tqcheck.rules.lexicon", reason="the English locale rules (rules issue) are not merged yet")
    text = "Das Wachstum lag bei 3,5 Prozent; 1.234.567 Menschen und 12 000 Gäste kamen am 3.5.2024."
    found = _findings(text, "de")
    assert not [r for r, _ in found if r.startswith("locale.") and not r.startswith("locale.de.")]
    # The same numbers in English copy are flagged by the English rules.
    assert any(r.startswith("locale.") for r, _ in _findings("Growth was 3,5 percent.", "en"))


# ----------------------------------------------------------------------------- Spanish target


@pytest.mark.parametrize(("text", "rule", "fix"), [
    ("Cómo derrotar al Estado Islámico?", "typography.es.missing-opening-question",
     "¿Cómo derrotar al Estado Islámico?"),
    ("Qué sorpresa!", "typography.es.missing-opening-exclamation", "¡Qué sorpresa!"),
])
def test_spanish_missing_opening_marks_are_flagged_with_a_fix(text: str, rule: str, fix: str) -> None:
    report = check(text, Config(signals=["rules"], lang="es"), text=True)
    (f,) = [f for f in report.findings if f.rule == rule]
    assert text[:f.start] + f.suggestions[0].replacement + text[f.end:] == fix


def test_spanish_unpaired_opening_marks() -> None:
    assert "typography.es.unclosed-opening-question" in [r for r, _ in _findings("¿Vienes mañana.", "es")]
    assert "typography.es.unclosed-opening-exclamation" in [r for r, _ in _findings("¡Qué alegría.", "es")]


def test_spanish_question_inside_a_sentence_is_left_alone() -> None:
    for text in ("Si llueve, ¿vendrás?", "Dijo: ¿vienes?", "Pero, ¡qué lástima!", "¿Qué dices!"):
        assert _findings(text, "es") == [], text


# ----------------------------------------------------------------------------- rule languages


def test_every_target_specific_rule_declares_its_language() -> None:
    for rule in load_rules():
        parts = rule.id.split(".")
        if len(parts) > 2 and parts[1] in {"fr", "de", "es"}:
            assert rule.languages == (parts[1],), rule.id
        if rule.id.startswith("locale.") and len(parts) == 2:
            # English number and date conventions: English targets only.
            assert rule.languages == ("en",), rule.id


def test_english_only_rules_never_apply_to_other_targets() -> None:
    pytest.importorskip("tqcheck.rules.lexicon", reason="the English locale rules (rules issue) are not merged yet")
    english_only = [r for r in load_rules() if r.languages == ("en",)]
    assert english_only
    for rule in english_only:
        for lang in ("fr", "de", "es", "it", "pt", "ru", "el"):
            assert not rule.applies_to(lang, None) and not rule.applies_to(lang, "en"), (rule.id, lang)


# ----------------------------------------------------------------------------- non-Latin scripts

GREEK = (
    "Πώς θα νικηθεί το Ισλαμικό Κράτος; Ο συνασπισμός συνεδρίασε στο Παρίσι τη Δευτέρα.\n\n"
    "Οι υπουργοί μίλησαν για «τακτική υποχώρηση». Η ανάπτυξη έφτασε το 3,5 %.\n"
)
RUSSIAN = (
    "Как победить Исламское государство? Коалиция собралась в Париже в понедельник.\n\n"
    "Министры говорили о «тактической неудаче». Рост составил 3,5 %, бюджет — 1 234 млн евро.\n"
)


@pytest.mark.parametrize(("name", "text", "lang"), [("greek", GREEK, "el"), ("russian", RUSSIAN, "ru")])
@pytest.mark.parametrize("lang_option", ["auto", "explicit"])
def test_non_latin_document_runs_end_to_end(tmp_path: Path, name: str, text: str, lang: str,
                                            lang_option: str) -> None:
    f = tmp_path / f"{name}.md"
    f.write_text(text, "utf-8")
    # Every default signal: model signals without a local model skip themselves with a reason.
    proc = run_tqcheck("check", str(f), "--lang", "auto" if lang_option == "auto" else lang,
                       "--source-lang", "auto", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    doc = report["documents"][0]
    assert doc["language"] == lang
    assert doc["error"] is None
    assert doc["words"] >= 20 and len(doc["segments"]) >= 3
    for s in doc["segments"]:
        assert text[s["start"]:s["end"]] == s["text"]
    assert doc["findings"] == []
    assert doc["signals"]["language"]["target"] == lang
    for fmt in ("text", "html", "sarif", "markdown"):
        out = run_tqcheck("check", str(f), "--lang", lang, "--signals", "rules", "--format", fmt)
        assert out.returncode == 0, (fmt, out.stderr)
        assert "Traceback" not in out.stderr


def test_tqcheck_fix_typesets_french(tmp_path: Path) -> None:
    f = tmp_path / "fr.txt"
    f.write_text("Objectif: la paix. Comment vaincre l’État islamique? Il a dit « non ».\n", "utf-8")
    proc = run_tqcheck("fix", str(f), "--lang", "fr", "--signals", "rules", "-q")
    assert proc.returncode == 0, proc.stderr
    expected = f"Objectif{NB}: la paix. Comment vaincre l’État islamique{NNB}? Il a dit «{NB}non{NB}».\n"
    assert proc.stdout == expected
    assert _findings(expected, "fr") == []
