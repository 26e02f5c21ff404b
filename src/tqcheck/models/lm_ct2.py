"""The CTranslate2 language-model backend: int8 on CPU, float16 on GPU.

The Hugging Face folder is converted once into the cache (the same converted copy the translation
backend would use, :func:`tqcheck.models.ct2.convert`) and scored with
``ctranslate2.Generator.score_batch``, which returns each token's log-probability given the tokens
before it, exactly what :class:`tqcheck.models.lm.TransformersScorer` computes with torch. Tokens
come from the model's own fast tokenizer, so character offsets, the BOS prefix and the batching rules
are shared with the transformers backend (:class:`tqcheck.models.lm.SubwordScorer`).

Why it is the default when installed: scoring is one forward pass per text, compute-bound on a CPU,
so batching alone gains little there; int8 matrix products and batches run in parallel on separate
cores (``inter_threads``) are what make scoring many texts several times faster than one by one in
fp32 (``benchmarks/bench_fluency.py``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tqcheck.errors import ModelError
from tqcheck.models.lm import SubwordScorer, check_lm_folder, model_positions, quiet_transformers


def cpu_threads() -> tuple[int, int]:
    """(inter_threads, intra_threads) on CPU: several batches at once, each on a few cores.

    Short texts make small matrices that do not split well across cores, so parallel batches beat
    parallel matrix products; the total stays at the core count (``TQCHECK_CT2_THREADS`` caps it).
    """
    total = int(os.environ.get("TQCHECK_CT2_THREADS", "0") or 0) or os.cpu_count() or 1
    inter = max(1, min(total, 4))
    return inter, max(1, total // inter)


class CT2Scorer(SubwordScorer):
    """A causal LM converted for CTranslate2, scoring many texts in length-sorted batches."""

    backend = "ctranslate2"

    def __init__(self, path: str | Path, model_id: str, *, device: str = "cpu", dtype: str = "int8",
                 batch_size: int = 16, lang: str = "en", max_tokens: int = 1024,
                 cache_dir: str | os.PathLike[str] = "", revision: str = "") -> None:
        import ctranslate2

        from tqcheck.models.ct2 import compute_type, converted_dir, load_converted
        from tqcheck.models.resolve import ensure_offline
        from tqcheck.models.translate import model_revision

        ensure_offline()
        quiet_transformers()
        path = Path(path)
        check_lm_folder(path)
        try:
            model_config = json.loads((path / "config.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: config.json is unreadable ({exc.__class__.__name__})") from None
        if not isinstance(model_config, dict):
            raise ModelError(f"{path}: config.json is not a JSON object")
        if model_config.get("auto_map"):
            raise ModelError(f"{path}: model needs custom code (auto_map); tqcheck never runs remote code")
        self._init_tokenizer(path, model_id, lang=lang, batch_size=batch_size,
                             positions=model_positions(model_config), max_tokens=max_tokens)
        self.device = device
        self.dtype = compute_type(dtype, device)
        inter, intra = cpu_threads() if device == "cpu" else (1, 0)
        self.workers = inter
        self.generator = load_converted(path, converted_dir(path, revision or model_revision(path), cache_dir),
                                        lambda p: ctranslate2.Generator(p, device=device, compute_type=self.dtype,
                                                                        inter_threads=inter, intra_threads=intra))
        self._tokens_of_id: dict[int, str] = {}

    def _group_size(self) -> int:
        # CTranslate2 sorts a call's texts by length and cuts them into batch_size batches, run by
        # the parallel workers; a call waits for its slowest batch, so several batches per worker
        # keep the workers evenly busy (2 workers: a group of 32 took 1.6x as long as one of 256).
        return self.batch_size * self.workers * 8

    def _tokens(self, ids: list[int]) -> list[str]:
        cache = self._tokens_of_id
        missing = [i for i in ids if i not in cache]
        if missing:
            cache.update(zip(missing, self.tokenizer.convert_ids_to_tokens(missing), strict=True))
        return [cache[i] for i in ids]

    def _run(self, batch: list[int], encoded: list[tuple[list[int], list[tuple[int, int]]]],
             raw: list[list[float]]) -> None:
        rows = [i for i in batch if len(encoded[i][0]) >= 2]  # a lone BOS has nothing to score
        if not rows:
            return
        results: list[Any] = self.generator.score_batch(
            [self._tokens(encoded[i][0]) for i in rows], max_batch_size=self.batch_size,
            batch_type="examples", max_input_length=self.max_tokens,
        )
        for i, result in zip(rows, results, strict=True):
            raw[i] = list(result.log_probs)[: len(encoded[i][0]) - 1]


__all__ = ["CT2Scorer", "cpu_threads"]
