"""Translators over real tiny Marian folders: both backends, batching, cache, offline, broken folders."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
from pathlib import Path

import pytest

from mt_fixtures import copy_model, tiny_pair
from tqcheck.cli import main
from tqcheck.config import Config
from tqcheck.errors import ModelError
from tqcheck.models import translate as tr
from tqcheck.models.hub import ModelHub
from tqcheck.models.translate import DecodeOptions, get_translator
from tqcheck.signals.base import SignalUnavailable

SENTENCES = [
    "The coalition meets in Paris on Tuesday.",
    "How to defeat the Islamic State?",
    "It is very important that all forces are under the command of the government.",
    "Numbers like 4,000 appear too.",
    "Le Premier ministre expliquera le plan aux membres.",
]


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> tuple[Path, Path]:
    return tiny_pair(tmp_path_factory.getbasetemp())


def config(models, tmp_path, **kw) -> Config:
    en_fr, fr_en = models
    base = {"mt_models": {"en-fr": str(en_fr), "fr-en": str(fr_en)}, "cache_dir": str(tmp_path / "cache"),
            "beam_size": 1, "max_length": 24}
    return Config(**{**base, **kw})


class EchoBackend:
    """Records every call; 'translates' by upper-casing, so order mistakes are visible."""

    name = "echo"
    device = "cpu"
    compute_type = "float32"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def translate(self, texts, n_best, options, spec):
        self.calls.append(list(texts))
        return [[f"{t.upper()}#{k}" for k in range(n_best)] for t in texts]


def test_output_length_is_capped_by_the_longest_input_of_the_batch():
    opts = DecodeOptions(max_length=256)
    assert opts.output_cap(10) == 30  # 2 x 10 + 10: a model stuck in a loop stops early
    assert opts.output_cap(500) == 256  # never beyond max_length
    assert DecodeOptions(max_length=32, min_length=32).output_cap(3) == 32  # forced lengths win


def test_batches_are_length_sorted_and_results_keep_input_order(models, tmp_path, monkeypatch):
    backend = EchoBackend()
    monkeypatch.setattr(tr, "load_backend", lambda *a, **k: backend)
    t = get_translator(config(models, tmp_path, use_cache=False), ModelHub(), "en", "fr")
    texts = [*SENTENCES, SENTENCES[1], "", "   "]
    out = t.translate(texts, n_best=2)
    assert out[:6] == [[f"{s.upper()}#0", f"{s.upper()}#1"] for s in [*SENTENCES, SENTENCES[1]]]
    assert out[6:] == [["", ""], ["", ""]]  # blank inputs never reach the model
    assert backend.calls == [sorted(SENTENCES, key=len)]  # deduplicated, shortest first
    assert t.model_texts == 5


def test_real_model_translates_and_a_second_run_is_served_from_the_cache(models, tmp_path):
    cfg = config(models, tmp_path)
    first = get_translator(cfg, ModelHub(), "en", "fr")
    out = first.translate(SENTENCES, n_best=2)
    assert len(out) == len(SENTENCES) and all(len(h) == 2 for h in out)
    assert all(isinstance(x, str) for h in out for x in h)
    assert first.model_texts == len(SENTENCES)
    # A fresh process-like setup (new hub, new translator): no model is even loaded.
    again = get_translator(cfg, ModelHub(), "en", "fr")
    assert again.translate(SENTENCES, n_best=2) == out
    assert again.model_texts == 0 and again._backend is None
    # Other options are other cache entries.
    assert get_translator(cfg, ModelHub(), "en", "fr").translate(SENTENCES[:1], n_best=1)[0][0] == out[0][0]


def test_no_cache_means_model_work_every_time(models, tmp_path):
    cfg = config(models, tmp_path, use_cache=False)
    hub = ModelHub()
    t = get_translator(cfg, hub, "en", "fr")
    t.translate(SENTENCES[:2])
    t.translate(SENTENCES[:2])
    assert t.model_texts == 4
    assert not (tmp_path / "cache" / "translations.sqlite").exists()


def test_ctranslate2_and_transformers_give_the_same_tokens_in_float32(models, tmp_path):
    hub = ModelHub()
    hf = get_translator(config(models, tmp_path, backend="transformers", dtype="float32"), hub, "en", "fr")
    ct = get_translator(config(models, tmp_path, backend="ctranslate2", dtype="float32"), hub, "en", "fr")
    opts = DecodeOptions(beam_size=1, max_length=16)
    hf_ids = hf.backend().generate_ids(SENTENCES, opts, hf.spec)
    ct_ids = ct.backend().generate_ids(SENTENCES, opts, ct.spec)
    # transformers forces </s> at the length limit (Marian's forced_eos_token_id), CTranslate2 does
    # not; compare the tokens both generated freely.
    assert [row[:15] for row in hf_ids] == [row[:15] for row in ct_ids]
    assert all(len(row) >= 15 for row in ct_ids)
    assert ct.signature()["backend"] == "ctranslate2" and hf.signature()["backend"] == "transformers"


def test_ctranslate2_conversion_happens_once_and_lives_in_the_cache_dir(models, tmp_path, monkeypatch):
    cfg = config(models, tmp_path, backend="ctranslate2", use_cache=False)
    t = get_translator(cfg, ModelHub(), "en", "fr")
    t.translate(SENTENCES[:1])
    converted = list((tmp_path / "cache" / "ct2").glob("*/model.bin"))
    assert len(converted) == 1 and t.revision in converted[0].parent.name
    import ctranslate2.converters

    def boom(*a, **k):
        raise AssertionError("converted twice")

    monkeypatch.setattr(ctranslate2.converters, "TransformersConverter", boom)
    t2 = get_translator(cfg, ModelHub(), "en", "fr")
    assert t2.translate(SENTENCES[:1]) == t.translate(SENTENCES[:1])
    assert t2.backend().compute_type == "int8"  # CPU default


def test_auto_backend_falls_back_to_transformers_when_conversion_fails(models, tmp_path, monkeypatch):
    import tqcheck.models.ct2 as ct2

    def fail(folder, dest):
        raise ModelError(f"{folder}: cannot convert for CTranslate2 (test)")

    monkeypatch.setattr(ct2, "convert", fail)
    t = get_translator(config(models, tmp_path, backend="auto", use_cache=False), ModelHub(), "en", "fr")
    assert t.translate(SENTENCES[:1])[0][0]
    sig = t.signature()
    assert sig["backend"] == "transformers" and "cannot convert" in sig["fallback"]
    with pytest.raises(ModelError, match="cannot convert"):
        get_translator(config(models, tmp_path, backend="ctranslate2", use_cache=False),
                       ModelHub(), "en", "fr").translate(SENTENCES[:1])


def test_hub_id_not_cached_is_unavailable_offline_without_network(tmp_path, monkeypatch):
    connects: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: connects.append(addr))
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connects.append(a))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    cfg = Config(cache_dir=str(tmp_path / "cache"))
    with pytest.raises(SignalUnavailable) as info:
        get_translator(cfg, ModelHub(), "en", "fr")
    assert "Helsinki-NLP/opus-mt-en-fr" in info.value.reason
    assert "tqcheck models pull Helsinki-NLP/opus-mt-en-fr" in info.value.fix
    assert "--mt-model en-fr=DIR" in info.value.fix
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert connects == []


@pytest.mark.parametrize("breakage, message", [
    ("bad-json", "config.json is not valid JSON"),
    ("pickle-only", "only pickle .bin weights"),
    ("no-tokenizer", "no tokenizer files"),
    ("corrupt-weights", "cannot load the translation model"),
])
def test_broken_model_folder_is_one_line_and_exit_2(models, tmp_path, capsys, breakage, message, seed_file):
    folder = copy_model(models[0], tmp_path / "broken")
    if breakage == "bad-json":
        (folder / "config.json").write_text("{not json")
    elif breakage == "pickle-only":
        (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    elif breakage == "no-tokenizer":
        for name in ("tokenizer_config.json", "source.spm"):
            (folder / name).unlink()
    else:
        (folder / "model.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(seed_file), "--source-lang", "fr", "--mt-model", f"en-fr={folder}",
              "--mt-model", f"fr-en={models[1]}", "--backend", "transformers", "--no-cache"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.count("\n") == 1 and err.startswith("tqcheck: error: ") and message in err
    assert "Traceback" not in err


@pytest.fixture
def seed_file(tmp_path) -> Path:
    p = tmp_path / "seed.txt"
    p.write_text("The coalition meets in Paris on Tuesday. How to defeat the Islamic State ?\n", "utf-8")
    return p


def test_model_folder_with_remote_code_is_refused(models, tmp_path):
    folder = copy_model(models[0], tmp_path / "remote")
    cfg = json.loads((folder / "config.json").read_text())
    cfg["auto_map"] = {"AutoModelForSeq2SeqLM": "modeling_evil.Model"}
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelError, match="custom code"):
        get_translator(Config(mt_models={"en-fr": str(folder)}, cache_dir=str(tmp_path)), ModelHub(),
                       "en", "fr")


@pytest.mark.parametrize(("fixture", "family", "pair", "tokens", "texts"), [
    ("tiny_m2m100", "m2m100", ("en", "fr"), ("__en__", "__fr__"), ["Hello there.", "The coalition meets."]),
    ("tiny_nllb", "nllb", ("fr", "en"), ("fra_Latn", "eng_Latn"),
     ["La coalition se réunit.", "Comment vaincre l'État islamique ?"]),
])
def test_multilingual_model_gets_its_language_codes_on_both_sides(fixture, family, pair, tokens, texts,
                                                                  tmp_path_factory, tmp_path, monkeypatch):
    import mt_fixtures

    folder = getattr(mt_fixtures, fixture)(tmp_path_factory.getbasetemp())
    src, tgt = pair
    cfg = Config(mt_models={f"{src}-{tgt}": str(folder)}, backend="transformers", use_cache=False, beam_size=1,
                 max_length=12, cache_dir=str(tmp_path))
    t = get_translator(cfg, ModelHub(), src, tgt)
    assert t.spec.family == family
    assert [t.spec.src_code, t.spec.tgt_code] == [tok.strip("_") for tok in tokens]
    backend = t.backend()
    seen = {}
    generate = backend.model.generate

    def spy(**kwargs):
        seen.update(kwargs)
        return generate(**kwargs)

    monkeypatch.setattr(backend.model, "generate", spy)
    out = t.translate(texts, n_best=2)
    tok = backend.tokenizer
    assert seen["forced_bos_token_id"] == tok.convert_tokens_to_ids(tokens[1])
    assert int(seen["input_ids"][0][0]) == tok.convert_tokens_to_ids(tokens[0])  # source language token first
    assert len(out) == 2 and all(len(hyps) == 2 for hyps in out)
    assert not any(code in h for hyps in out for h in hyps for code in tokens)  # codes never reach the text


def test_auto_backend_runs_a_multilingual_model_whatever_ctranslate2_makes_of_it(tmp_path_factory, tmp_path):
    from mt_fixtures import tiny_m2m100

    folder = tiny_m2m100(tmp_path_factory.getbasetemp())
    cfg = Config(mt_models={"en-fr": str(folder)}, use_cache=False, beam_size=1, max_length=12,
                 cache_dir=str(tmp_path))
    t = get_translator(cfg, ModelHub(), "en", "fr")
    out = t.translate(["Hello there."])
    assert len(out) == 1 and "__" not in out[0][0]
    sig = t.signature()
    # transformers v5 and CTranslate2 4.x disagree on M2M100's vocabulary size: then auto falls back.
    assert sig["backend"] == "ctranslate2" or "cannot convert" in sig["fallback"]


@pytest.mark.skipif(importlib.util.find_spec("ctranslate2") is None, reason="ctranslate2 not installed")
def test_nllb_runs_on_ctranslate2_with_the_target_code_as_prefix(tmp_path_factory, tmp_path, monkeypatch):
    from mt_fixtures import tiny_nllb

    folder = tiny_nllb(tmp_path_factory.getbasetemp())
    cfg = Config(mt_models={"en-fr": str(folder)}, backend="ctranslate2", use_cache=False, beam_size=2,
                 max_length=12, cache_dir=str(tmp_path))
    t = get_translator(cfg, ModelHub(), "en", "fr")
    assert (t.spec.family, t.spec.src_code, t.spec.tgt_code) == ("nllb", "eng_Latn", "fra_Latn")
    backend = t.backend()
    seen: dict = {}
    translate_batch = backend.translator.translate_batch

    class Spy:  # ctranslate2.Translator's attributes are read-only: wrap it
        def translate_batch(self, source, **kwargs):
            seen.update(kwargs, source=source)
            return translate_batch(source, **kwargs)

    monkeypatch.setattr(backend, "translator", Spy())
    out = t.translate(["The coalition meets in Paris.", "How to defeat the Islamic State?"], n_best=2)
    assert t.signature()["backend"] == "ctranslate2" and not t.signature().get("fallback")
    assert seen["target_prefix"] == [["fra_Latn"]] * 2
    assert all(src[0] == "eng_Latn" and src[-1] == "</s>" for src in seen["source"])
    assert len(out) == 2 and all(1 <= len(hyps) <= 2 for hyps in out)
    assert all("_Latn" not in h for hyps in out for h in hyps)


@pytest.mark.skipif(importlib.util.find_spec("ctranslate2") is None, reason="ctranslate2 not installed")
def test_a_damaged_ctranslate2_copy_of_a_translation_model_is_converted_again(tmp_path_factory, tmp_path):
    from mt_fixtures import tiny_nllb

    folder = tiny_nllb(tmp_path_factory.getbasetemp())
    cfg = Config(mt_models={"fr-en": str(folder)}, backend="ctranslate2", use_cache=False, beam_size=1,
                 max_length=12, cache_dir=str(tmp_path))
    first = get_translator(cfg, ModelHub(), "fr", "en").translate(["La coalition se réunit."])
    (copy,) = (tmp_path / "ct2").glob("*/model.bin")
    copy.write_bytes(b"\0" * 64)
    t = get_translator(cfg, ModelHub(), "fr", "en")
    assert t.translate(["La coalition se réunit."]) == first
    assert t.signature()["backend"] == "ctranslate2" and copy.stat().st_size > 64
