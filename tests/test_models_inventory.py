"""``tqcheck models list --kind lm|embed``: which language and embedding model each language would use,
through the CLI with real model folders, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lm_fixtures import tiny_gpt2_dir  # noqa: F401  (session fixture)
from tests.conftest import run_tqcheck


def _rows(*args: str, tmp_path: Path) -> list[dict]:
    proc = run_tqcheck("models", "list", *args, "--format", "json", cwd=tmp_path,
                       env={"HF_HOME": str(tmp_path / "hf-empty"), "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_lm_defaults_offline_say_what_fluency_will_use(tmp_path: Path) -> None:
    rows = {r["lang"]: r for r in _rows("--kind", "lm", tmp_path=tmp_path)}
    assert {"en", "fr", "de", "*"} <= set(rows)
    assert rows["en"]["model"] == "HuggingFaceTB/SmolLM2-135M" and not rows["en"]["available"]
    assert rows["en"]["used"].startswith("embedded CMU trigram")  # English always has a fluency signal
    assert rows["fr"]["used"] is None and rows["fr"]["note"] == "not downloaded"


def test_a_configured_lm_folder_is_listed_as_used(tmp_path: Path, tiny_gpt2_dir: Path) -> None:  # noqa: F811
    (row,) = _rows("--kind", "lm", "en", "--lm-model", f"en={tiny_gpt2_dir}", tmp_path=tmp_path)
    assert row["origin"] == "configured" and row["available"] and row["path"] == str(tiny_gpt2_dir)
    assert row["used"] == str(tiny_gpt2_dir) and row["ctranslate2_converted"] is False


def test_embedding_models_packaged_english_and_multilingual(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    from tqcheck.models.embed import default_model_dir

    rows = {r["lang"]: r for r in _rows("--kind", "embed", tmp_path=tmp_path)}
    assert rows["en"]["origin"] == "packaged"
    assert rows["en"]["available"] == (default_model_dir() is not None)
    assert rows["*"]["model"].endswith("paraphrase-multilingual-MiniLM-L12-v2") and not rows["*"]["available"]


def test_text_listing_and_a_bad_kind(tmp_path: Path) -> None:
    env = {"HF_HOME": str(tmp_path / "hf-empty"), "HF_HUB_OFFLINE": "1"}
    proc = run_tqcheck("models", "list", "--kind", "lm", cwd=tmp_path, env=env)
    assert proc.returncode == 0 and "en: fluency is scored by embedded CMU trigram" in proc.stdout
    bad = run_tqcheck("models", "list", "--kind", "tts", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "tqcheck: error: unknown kind 'tts'; use mt, lm or embed"]
