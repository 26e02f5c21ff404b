"""Model registry (pair -> model, codes) and the sqlite translation cache. No models loaded."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from tqcheck.config import Config
from tqcheck.errors import ConfigError
from tqcheck.models import cache as cache_mod
from tqcheck.models.cache import TranslationCache, cache_key
from tqcheck.models.registry import default_spec, family_codes, known_pairs, model_spec, opus_pairs


def test_opus_mt_is_the_default_where_the_pair_exists():
    spec = default_spec("en", "fr")
    assert spec.model == "Helsinki-NLP/opus-mt-en-fr"
    assert (spec.family, spec.src_code, spec.tgt_code, spec.origin) == ("marian", None, None, "default")


def test_pairs_without_opus_mt_use_the_multilingual_model_with_its_own_codes():
    spec = default_spec("en", "pt")
    assert spec.family == "nllb" and "nllb" in spec.model
    assert (spec.src_code, spec.tgt_code) == ("eng_Latn", "por_Latn")
    assert spec.origin == "multilingual"


def test_every_language_with_an_opus_pair_has_multilingual_codes():
    langs = {lang for pair in opus_pairs() for lang in pair.split("-")}
    for family in ("nllb", "m2m100"):
        assert langs <= set(family_codes(family)), family


def test_override_by_hub_id_guesses_family_and_codes():
    cfg = Config(mt_models={"en-fr": "facebook/m2m100_418M"})
    spec = model_spec(cfg, "en", "fr")
    assert (spec.family, spec.src_code, spec.tgt_code, spec.origin) == ("m2m100", "en", "fr", "configured")


def test_override_by_local_folder_reads_the_family_from_its_files(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "m2m_100"}))
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "NllbTokenizer"}))
    spec = model_spec(Config(mt_models={"fr-en": str(tmp_path)}), "fr", "en")
    assert (spec.family, spec.src_code, spec.tgt_code) == ("nllb", "fra_Latn", "eng_Latn")


def test_unknown_language_for_a_multilingual_model_is_a_clear_error():
    with pytest.raises(ConfigError, match="no nllb language code known for xx"):
        default_spec("en", "xx")


def test_known_pairs_include_overrides():
    assert "en-sv" in known_pairs(Config(mt_models={"en-sv": "/models/en-sv"}))


# -- cache --------------------------------------------------------------------------------------

def test_cache_round_trip_and_keys_depend_on_every_part(tmp_path):
    cache = TranslationCache.in_dir(tmp_path)
    k = cache_key("m", "rev1", {"beam_size": 4}, "Hello")
    cache.put_many([(k, ["Bonjour"])])
    assert cache.get_many([k]) == {k: ["Bonjour"]}
    others = {cache_key("m2", "rev1", {"beam_size": 4}, "Hello"),
              cache_key("m", "rev2", {"beam_size": 4}, "Hello"),
              cache_key("m", "rev1", {"beam_size": 5}, "Hello"),
              cache_key("m", "rev1", {"beam_size": 4}, "Hello!")}
    assert k not in others and len(others) == 4
    assert cache.get_many(list(others)) == {}
    assert (cache.hits, cache.misses) == (1, 4)
    # A new process (new object) sees the same entries.
    assert TranslationCache.in_dir(tmp_path).get_many([k]) == {k: ["Bonjour"]}


def test_corrupt_cache_file_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / cache_mod.FILE_NAME
    path.write_bytes(b"this is not a database" * 100)
    cache = TranslationCache(path)
    k = cache_key("m", "r", {}, "x")
    assert cache.get_many([k]) == {}
    cache.put_many([(k, ["y"])])
    assert cache.get_many([k]) == {k: ["y"]}
    assert cache.disabled is None
    assert list(tmp_path.glob(f"{cache_mod.FILE_NAME}.corrupt-*"))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM translations").fetchone()[0] == 1


def test_a_locked_cache_is_bypassed_not_fatal(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_mod, "BUSY_TIMEOUT_S", 0.05)
    cache = TranslationCache.in_dir(tmp_path)
    k = cache_key("m", "r", {}, "x")
    cache.put_many([(k, ["y"])])
    cache.close()
    blocker = sqlite3.connect(tmp_path / cache_mod.FILE_NAME, isolation_level=None)
    blocker.execute("PRAGMA locking_mode=EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        other = TranslationCache.in_dir(tmp_path)
        other.put_many([(cache_key("m", "r", {}, "z"), ["w"])])  # no exception
        assert other.get_many([k]) in ({}, {k: ["y"]})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert TranslationCache.in_dir(tmp_path).get_many([k]) == {k: ["y"]}


def test_unwritable_cache_directory_disables_the_cache(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = TranslationCache(blocker / "sub" / cache_mod.FILE_NAME)
    cache.put_many([("k", ["v"])])
    assert cache.get_many(["k"]) == {}
    assert cache.disabled


def test_cache_is_safe_across_threads(tmp_path):
    cache = TranslationCache.in_dir(tmp_path)

    def work(n: int) -> None:
        for i in range(20):
            cache.put_many([(f"{n}-{i}", [str(i)])])
            cache.get_many([f"{n}-{i}"])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 80
