"""The transformers backend: ``AutoModelForSeq2SeqLM`` (Marian/opus-mt, NLLB-200, M2M100).

Safetensors only, never remote code, offline only; batches arrive sorted by length from the
Translator and run under ``torch.inference_mode``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tqcheck.errors import ModelError
from tqcheck.models.registry import ModelSpec
from tqcheck.models.resolve import ensure_offline

_DTYPES = {"float32": "float32", "float16": "float16", "bfloat16": "bfloat16"}


def quiet_transformers() -> None:
    """No progress bars or advisory warnings on stderr: the CLI owns the terminal."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def load_tokenizer(folder: Path) -> Any:
    ensure_offline()
    from transformers import AutoTokenizer

    quiet_transformers()
    try:
        return AutoTokenizer.from_pretrained(str(folder), local_files_only=True, trust_remote_code=False)
    except Exception as exc:  # transformers raises many types for a bad folder
        raise ModelError(f"{folder}: cannot load the tokenizer ({_one_line(exc)})") from None


#: Language-code tokens of multilingual models: M2M100 ``__fr__``, NLLB ``fra_Latn``.
_LANG_TOKEN = re.compile(r"^(__[a-z]{2,3}__|[a-z]{3}_[A-Z][a-z]{3})$")


def decode(tokenizer: Any, ids: Any, spec: ModelSpec) -> str:
    """Text of generated ids without special tokens or language codes.

    transformers v5 does not count M2M100's language tokens as special, so ``skip_special_tokens``
    alone would leave ``__fr__`` in the text.
    """
    ids = [int(i) for i in ids]
    if spec.family in ("nllb", "m2m100"):
        tokens = tokenizer.convert_ids_to_tokens(ids)
        ids = [i for i, t in zip(ids, tokens, strict=True) if not (isinstance(t, str) and _LANG_TOKEN.match(t))]
    return str(tokenizer.decode(ids, skip_special_tokens=True)).strip()


def source_ids(tokenizer: Any, spec: ModelSpec) -> None:
    """Point a multilingual tokenizer at the source language (adds its language token)."""
    if spec.family in ("nllb", "m2m100") and spec.src_code:
        tokenizer.src_lang = spec.src_code


def target_token_id(tokenizer: Any, spec: ModelSpec) -> int | None:
    """The forced first target token of multilingual models (the target language code)."""
    if spec.family == "nllb" and spec.tgt_code:
        return int(tokenizer.convert_tokens_to_ids(spec.tgt_code))
    if spec.family == "m2m100" and spec.tgt_code:
        return int(tokenizer.get_lang_id(spec.tgt_code))
    return None


class HFBackend:
    name = "transformers"

    def __init__(self, model: Any, tokenizer: Any, device: str, compute_type: str) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.device = device
        self.compute_type = compute_type

    @classmethod
    def load(cls, folder: Path, *, device: str, dtype: str) -> HFBackend:
        ensure_offline()
        import torch
        from transformers import AutoModelForSeq2SeqLM

        quiet_transformers()
        tokenizer = load_tokenizer(folder)
        try:
            model = AutoModelForSeq2SeqLM.from_pretrained(
                str(folder), local_files_only=True, use_safetensors=True, trust_remote_code=False,
                dtype=getattr(torch, _DTYPES.get(dtype, "float32")),
            )
        except Exception as exc:
            raise ModelError(f"{folder}: cannot load the translation model ({_one_line(exc)})") from None
        try:
            model = model.to(device).eval()
        except Exception as exc:
            raise ModelError(f"cannot move the translation model to '{device}' ({_one_line(exc)})") from None
        return cls(model, tokenizer, device, dtype)

    def translate(self, texts: list[str], n_best: int, options: Any, spec: ModelSpec) -> list[list[str]]:
        import torch

        tok = self.tokenizer
        source_ids(tok, spec)
        forced = target_token_id(tok, spec)
        out: list[list[str]] = []
        beams = max(options.beam_size, n_best)
        for i in range(0, len(texts), options.batch_size):
            batch = texts[i : i + options.batch_size]
            enc = tok(batch, return_tensors="pt", padding=True, truncation=True,
                      max_length=options.max_length)
            enc = {k: v.to(self.device) for k, v in enc.items()}
            kwargs: dict[str, Any] = {
                "num_beams": beams, "num_return_sequences": n_best, "do_sample": False,
                "max_new_tokens": options.output_cap(int(enc["input_ids"].shape[1])), "max_length": None,
            }
            if options.min_length:
                kwargs["min_new_tokens"] = options.min_length
            if forced is not None:
                kwargs["forced_bos_token_id"] = forced
            with torch.inference_mode():
                generated = self.model.generate(**enc, **kwargs)
            decoded = [decode(tok, row, spec) for row in generated.tolist()]
            for j in range(len(batch)):
                out.append(decoded[j * n_best : (j + 1) * n_best])
        return out

    def generate_ids(self, texts: list[str], options: Any, spec: ModelSpec) -> list[list[int]]:
        """Greedy/beam token ids without special tokens (used to compare backends in tests)."""
        import torch

        tok = self.tokenizer
        source_ids(tok, spec)
        enc = tok(texts, return_tensors="pt", padding=True, truncation=True, max_length=options.max_length)
        enc = {k: v.to(self.device) for k, v in enc.items()}
        with torch.inference_mode():
            cap = options.output_cap(int(enc["input_ids"].shape[1]))
            generated = self.model.generate(**enc, num_beams=options.beam_size, do_sample=False,
                                            max_new_tokens=cap, max_length=None)
        special = set(tok.all_special_ids)
        return [[int(t) for t in row if int(t) not in special] for row in generated]


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else exc.__class__.__name__
    return first[:300]
