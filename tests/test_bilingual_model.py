"""Model-based accuracy of the source signal: forward translation and back-translation
(mistranslation, omission, addition) and cross-lingual similarity. Fake translators and
embedders make the logic deterministic here; the tiny-Marian test exercises the real code path."""

from __future__ import annotations

import pytest

from tqcheck.api import Checker
from tqcheck.config import Config
from tqcheck.formats import document_from_text
from tqcheck.signals import source_model
from tqcheck.signals.base import SignalUnavailable

TSV = (
    "en\tfr\n"
    "The raids killed many fighters in the northern province.\tLes raids ont tué beaucoup de combattants.\n"
    "The coalition meets in Paris on Tuesday.\tLa coalition se réunit à Paris mardi, selon des sources proches "
    "du ministère.\n"
    "The prime minister will explain the plan to the members.\tLe chat dort sur le canapé du salon.\n"
    "How to defeat the Islamic State?\tComment vaincre l'État islamique ?\n"
)

FORWARD = {  # en -> fr
    "The raids killed many fighters in the northern province.":
        "Les raids ont tué beaucoup de combattants dans la province du nord.",
    "The coalition meets in Paris on Tuesday.": "La coalition se réunit à Paris mardi.",
    "The prime minister will explain the plan to the members.":
        "Le Premier ministre expliquera le plan aux membres.",
    "How to defeat the Islamic State?": "Comment vaincre l'État islamique ?",
}
BACKWARD = {  # fr -> en
    "Les raids ont tué beaucoup de combattants.": "The raids killed many fighters.",
    "La coalition se réunit à Paris mardi, selon des sources proches du ministère.":
        "The coalition meets in Paris on Tuesday, according to sources close to the ministry.",
    "Le chat dort sur le canapé du salon.": "The cat sleeps on the living room sofa.",
    "Comment vaincre l'État islamique ?": "How to defeat the Islamic State?",
}


class FakeTranslator:
    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.calls: list[list[str]] = []

    def translate(self, texts: list[str], n_best: int = 1) -> list[list[str]]:
        self.calls.append(list(texts))
        return [[self.table.get(t, "")] * n_best for t in texts]


def _run(monkeypatch: pytest.MonkeyPatch, *, forward: bool = True, backward: bool = True, **config: object):
    translators = {("en", "fr"): FakeTranslator(FORWARD), ("fr", "en"): FakeTranslator(BACKWARD)}

    def fake(signal, src, tgt):  # type: ignore[no-untyped-def]
        if ((src, tgt) == ("en", "fr") and not forward) or ((src, tgt) == ("fr", "en") and not backward):
            raise SignalUnavailable(f"no {src}-{tgt} model", f"pass --mt-model {src}-{tgt}=DIR")
        return translators[(src, tgt)]

    monkeypatch.setattr(source_model, "_translator", fake)
    doc = document_from_text(TSV, "t.tsv", "tsv")
    report = Checker(Config(signals=["source"], **config)).check_documents([doc])  # type: ignore[arg-type]
    return report, doc, translators


def test_mistranslation_omission_and_addition(monkeypatch: pytest.MonkeyPatch) -> None:
    report, doc, translators = _run(monkeypatch)
    found = {(f.rule, doc.text[f.start:f.end]) for f in report.findings}
    assert ("source.omission", "Les raids ont tué beaucoup de combattants.") in found
    omission = next(f for f in report.findings if f.rule == "source.omission")
    assert omission.evidence["missing"] == "northern province" and omission.evidence["mqm"] == "accuracy/omission"
    addition = next(f for f in report.findings if f.rule == "source.addition")
    assert doc.text[addition.start:addition.end] == "selon des sources proches du ministère"
    mistranslation = next(f for f in report.findings if f.rule == "source.mistranslation")
    assert doc.text[mistranslation.start:mistranslation.end] == "Le chat dort sur le canapé du salon."
    assert mistranslation.evidence["accuracy"] < 30
    # The correct translation gets high scores and no model finding.
    good = doc.segments[3]
    assert good.signals["source"]["accuracy"] == 100.0
    assert not [f for f in report.findings if f.start >= good.start and f.rule.startswith("source.m")]
    # Each direction was asked once, for all units together.
    assert [len(c) for c in translators[("en", "fr")].calls] == [4]


def test_one_direction_is_enough_and_missing_models_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    report, _, _ = _run(monkeypatch, backward=False)
    rules = {f.rule for f in report.findings}
    assert "source.addition" in rules and "source.omission" not in rules
    report, _, _ = _run(monkeypatch, forward=False, backward=False)
    assert not {f.rule for f in report.findings} & {"source.omission", "source.addition", "source.mistranslation"}
    assert [(s.signal, s.reason) for s in report.skipped] == [("source", "no en-fr model")]


class FakeEmbedder:
    def similarity(self, a: list[str], b: list[str]) -> list[float]:
        return [0.1 if "chat" in y else 0.9 for y in b]


def test_cross_lingual_similarity_only_with_a_configured_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_model, "_embedder", lambda signal, lang=None: FakeEmbedder())
    report, doc, _ = _run(monkeypatch, forward=False, backward=False)
    assert "source.low-similarity" not in {f.rule for f in report.findings}
    report, doc, _ = _run(monkeypatch, forward=False, backward=False, embed_model="some/multilingual-model")
    low = [f for f in report.findings if f.rule == "source.low-similarity"]
    assert [doc.text[f.start:f.end] for f in low] == ["Le chat dort sur le canapé du salon."]
    assert doc.segments[0].signals["source"]["similarity"] == 0.9


def test_tiny_marian_through_the_real_translation_path(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Random-weight Marian models in both directions, loaded and run by the real backends."""
    pytest.importorskip("tqcheck.models.translate", reason="the translation backends are not in this build")
    from mt_fixtures import tiny_pair  # shared with the round-trip tests: built once per session

    en_fr, fr_en = tiny_pair(tmp_path_factory.getbasetemp())
    config = Config(signals=["source"], mt_models={"en-fr": str(en_fr), "fr-en": str(fr_en)}, beam_size=1,
                    use_cache=False)
    doc = document_from_text(TSV, "t.tsv", "tsv")
    report = Checker(config).check_documents([doc])
    assert not [s for s in report.skipped if s.signal == "source"]
    numbers = doc.segments[0].signals["source"]
    assert set(numbers) >= {"forward", "back", "chrf_forward", "chrf_back", "accuracy"}
    assert 0 <= numbers["accuracy"] <= 100
    for f in report.findings:
        assert 0 <= f.start <= f.end <= len(doc.text)


@pytest.mark.parametrize("takes_lang", [True, False])
def test_embedder_lookup_passes_the_language_when_the_module_takes_one(monkeypatch: pytest.MonkeyPatch,
                                                                      takes_lang: bool) -> None:
    import sys
    import types

    calls: list[tuple[object, ...]] = []
    module = types.ModuleType("tqcheck.models.embed")
    if takes_lang:
        def get_embedder(config, hub, lang=None):  # type: ignore[no-untyped-def]
            calls.append((lang,))
            return FakeEmbedder()
    else:
        def get_embedder(config, hub):  # type: ignore[no-untyped-def]
            calls.append(())
            return FakeEmbedder()
    module.get_embedder = get_embedder  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqcheck.models.embed", module)
    assert isinstance(source_model.embedder_for(Config(), None, "fr"), FakeEmbedder)
    assert calls == ([("fr",)] if takes_lang else [()])
