"""Model defaults per language: translation pairs (opus-mt where Helsinki-NLP publishes the pair,
NLLB-200 otherwise, with the right language codes), language models and embedders."""

from __future__ import annotations

import itertools

import pytest

from tqcheck.config import Config
from tqcheck.errors import ConfigError
from tqcheck.models.hub import ModelHub
from tqcheck.models.registry import default_spec, family_codes, model_spec, with_codes
from tqcheck.signals.base import SignalUnavailable

LANGS = ("en", "fr", "de", "es", "it", "pt")

# Helsinki-NLP/opus-mt-{src}-{tgt} models that exist on the hub among these languages (checked
# against the hub's model pages; fr-it is only "opus-tatoeba-fr-it", Portuguese has no bilingual
# opus-mt model with these languages, only the multi-target ROMANCE ones).
OPUS = {
    "en-fr", "fr-en", "en-de", "de-en", "en-es", "es-en", "en-it", "it-en",
    "fr-de", "de-fr", "fr-es", "es-fr", "de-es", "es-de", "it-fr", "es-it", "it-es",
    "de-it", "it-de",
}
NLLB = {"en": "eng_Latn", "fr": "fra_Latn", "de": "deu_Latn", "es": "spa_Latn", "it": "ita_Latn",
        "pt": "por_Latn", "nl": "nld_Latn", "ru": "rus_Cyrl", "el": "ell_Grek"}


@pytest.mark.parametrize(("src", "tgt"), list(itertools.permutations(LANGS, 2)))
def test_every_pair_has_a_default_with_the_right_codes(src: str, tgt: str) -> None:
    spec = default_spec(src, tgt)
    assert (spec.src, spec.tgt) == (src, tgt)
    if f"{src}-{tgt}" in OPUS:
        assert spec.family == "marian" and spec.model == f"Helsinki-NLP/opus-mt-{src}-{tgt}"
        assert spec.src_code is None and spec.tgt_code is None
    else:
        assert spec.family == "nllb" and spec.model == "facebook/nllb-200-distilled-600M"
        assert (spec.src_code, spec.tgt_code) == (NLLB[src], NLLB[tgt])


def test_opus_table_is_exactly_the_published_pairs_among_our_languages() -> None:
    from tqcheck.models.registry import opus_pairs

    ours = {p for p in opus_pairs() if set(p.split("-")) <= set(LANGS)}
    assert ours == OPUS


@pytest.mark.parametrize("lang", ["nl", "ru", "el"])
def test_non_latin_and_other_languages_go_through_nllb(lang: str) -> None:
    spec = default_spec("en", lang)
    assert spec.family == "nllb" and spec.tgt_code == NLLB[lang]
    back = default_spec(lang, "en")
    assert back.src_code == NLLB[lang]


def test_m2m100_codes_cover_every_language() -> None:
    codes = family_codes("m2m100")
    for lang in (*LANGS, "nl", "ru", "el"):
        assert codes[lang] == lang
    spec = with_codes(default_spec("pt", "fr"), "m2m100")
    assert (spec.src_code, spec.tgt_code) == ("pt", "fr")


def test_override_to_a_multilingual_hub_id_gets_its_codes() -> None:
    cfg = Config(mt_models={"de-en": "facebook/m2m100_418M", "en-de": "facebook/nllb-200-distilled-600M"})
    assert model_spec(cfg, "de", "en").src_code == "de"
    assert model_spec(cfg, "en", "de").tgt_code == "deu_Latn"


def test_a_language_without_a_code_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="no nllb language code known for xx"):
        default_spec("en", "xx")


# ----------------------------------------------------------------------------- language models


def test_lm_defaults_are_per_language_with_a_multilingual_fallback() -> None:
    pytest.importorskip("tqcheck.models.lm", reason="the fluency issue is not merged yet")
    from tqcheck.models.lm import DEFAULT_LM_MODELS

    if "fr" not in DEFAULT_LM_MODELS:
        pytest.skip("per-language LM defaults are added right after the fluency issue lands")
    assert DEFAULT_LM_MODELS["en"] != DEFAULT_LM_MODELS["*"]
    for lang in ("fr", "de"):
        assert DEFAULT_LM_MODELS[lang] not in (DEFAULT_LM_MODELS["en"], DEFAULT_LM_MODELS["*"])
    assert "Qwen" in DEFAULT_LM_MODELS["*"]  # multilingual, for es, it, pt, ru, el, ...


def test_non_english_fluency_is_skipped_with_the_language_default_in_the_fix() -> None:
    pytest.importorskip("tqcheck.models.lm", reason="the fluency issue is not merged yet")
    from tqcheck.models.lm import DEFAULT_LM_MODELS, get_lm_scorer

    if "fr" not in DEFAULT_LM_MODELS:
        pytest.skip("per-language LM defaults are added right after the fluency issue lands")
    for lang, expected in (("fr", DEFAULT_LM_MODELS["fr"]), ("ru", DEFAULT_LM_MODELS["*"])):
        with pytest.raises(SignalUnavailable) as info:
            get_lm_scorer(Config(), ModelHub(), lang)
        assert f"--lm-model {lang}=" in info.value.fix and expected in info.value.fix


def test_english_fluency_falls_back_to_the_embedded_ngram_model() -> None:
    pytest.importorskip("tqcheck.models.lm", reason="the fluency issue is not merged yet")
    from tqcheck.models.lm import get_lm_scorer

    assert get_lm_scorer(Config(), ModelHub(), "en").backend == "ngram"


# ----------------------------------------------------------------------------- embeddings


def test_non_english_similarity_wants_the_multilingual_embedder() -> None:
    embed = pytest.importorskip("tqcheck.models.embed", reason="the fluency issue is not merged yet")
    if not hasattr(embed, "MULTILINGUAL_EMBED_ID"):
        pytest.skip("the multilingual embedder default is added right after the fluency issue lands")
    from tqcheck.models.embed import MULTILINGUAL_EMBED_ID, get_embedder

    with pytest.raises(SignalUnavailable) as info:
        get_embedder(Config(), ModelHub(), "fr")
    assert MULTILINGUAL_EMBED_ID in info.value.reason + info.value.fix
    assert "--embed-model" in info.value.fix


def test_similarity_skips_only_the_documents_without_a_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    embed = pytest.importorskip("tqcheck.models.embed", reason="the fluency issue is not merged yet")
    if not hasattr(embed, "MULTILINGUAL_EMBED_ID"):
        pytest.skip("per-language embedders are added right after the fluency issue lands")
    from tqcheck.formats import document_from_text
    from tqcheck.segment import segment
    from tqcheck.signals.similarity import SimilaritySignal

    docs = []
    for lang, text in (("en", "The council met on Monday."), ("fr", "Le conseil s’est réuni lundi.")):
        d = document_from_text(text)
        d.language = lang
        d = segment(d)
        d.segments[0].signals["roundtrip"] = {"text": text}
        docs.append(d)
    signal = SimilaritySignal(Config(signals=["roundtrip", "similarity"]), ModelHub())
    signal.prepare()
    en, fr = signal.run(docs)
    assert en.segments[0]["cosine"] > 0.99 and not en.skipped
    assert fr.segments == {} and "sentence-embedding" in fr.skipped[0][0]
