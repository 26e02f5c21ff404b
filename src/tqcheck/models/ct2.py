"""The CTranslate2 backend: int8 on CPU, float16 on GPU.

A Hugging Face folder is converted once (``ctranslate2.converters.TransformersConverter``) into
``<cache_dir>/ct2/<model>-<revision>`` and reused; the conversion is written to a temporary
folder and renamed into place, so a crash or a second process never sees half a model.
Tokenization uses the model's own Hugging Face tokenizer, so both backends read the same tokens.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tqcheck.errors import ModelError
from tqcheck.models.hf_translate import _one_line, decode, load_tokenizer, quiet_transformers, source_ids
from tqcheck.models.registry import ModelSpec
from tqcheck.models.resolve import ensure_offline

T = TypeVar("T")


def converted_dir(folder: Path, revision: str, cache_dir: str | os.PathLike[str]) -> Path:
    """Where the CTranslate2 copy of ``folder`` at ``revision`` lives."""
    parts = folder.resolve().parts
    # A hub snapshot's folder name is the commit; its repository folder names the model.
    name = parts[-3] if len(parts) >= 3 and parts[-2] == "snapshots" else folder.name
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[-80:] or "model"
    return Path(cache_dir).expanduser() / "ct2" / f"{slug}-{revision}"


def convert(folder: Path, dest: Path) -> Path:
    """Convert once; concurrent converters race harmlessly (the first rename wins)."""
    if (dest / "model.bin").is_file():
        return dest
    ensure_offline()
    from ctranslate2.converters import TransformersConverter

    quiet_transformers()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    except OSError as exc:  # a read-only or misplaced cache_dir: the model can still run on transformers
        raise ModelError(f"{dest.parent}: cannot write the CTranslate2 copy of {folder.name} "
                         f"({exc.strerror or exc.__class__.__name__}); check cache_dir") from None
    try:
        TransformersConverter(str(folder), trust_remote_code=False).convert(str(tmp / "m"), force=True)
        try:
            os.replace(tmp / "m", dest)
        except OSError:
            if not (dest / "model.bin").is_file():
                raise
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"{folder}: cannot convert for CTranslate2 ({_one_line(exc)})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def off_thread(make: Callable[[], T]) -> T:
    """Run ``make`` in a short-lived thread and return its result (or raise its error).

    Loading a CTranslate2 model sets the OpenMP thread count of the thread that loads it (to
    ``intra_threads``); done on the main thread, that would quietly leave torch (the embedder, a
    transformers model) on one core for the rest of the process.
    """
    box: list[Any] = []

    def run() -> None:
        try:
            box.append((True, make()))
        except BaseException as exc:  # handed to the caller below
            box.append((False, exc))

    worker = threading.Thread(target=run, name="tqcheck-ct2-load")
    worker.start()
    worker.join()
    ok, value = box[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def load_converted(folder: Path, dest: Path, make: Callable[[str], T]) -> T:
    """Convert ``folder`` into ``dest`` (once) and load it with ``make(path)`` on a thread of its own.

    A copy already in the cache that no longer loads (truncated by a full disk, damaged by hand) is
    ours to replace: it is removed and converted again, once, instead of failing every run after."""
    cached = (dest / "model.bin").is_file()
    for attempt in (1, 2):
        path = str(convert(folder, dest))
        try:
            return off_thread(lambda p=path: make(p))  # type: ignore[misc]
        except Exception as exc:
            if not cached or attempt == 2:
                raise ModelError(f"{path}: cannot load the CTranslate2 model ({_one_line(exc)})") from None
            shutil.rmtree(dest, ignore_errors=True)
    raise AssertionError("unreachable")  # pragma: no cover


def compute_type(dtype: str, device: str) -> str:
    if dtype == "int8" and device == "cuda":
        return "int8_float16"
    return dtype


class CT2Backend:
    name = "ctranslate2"

    def __init__(self, translator: Any, tokenizer: Any, device: str, compute_type: str, path: Path) -> None:
        self.translator = translator
        self.tokenizer = tokenizer
        self.device = device
        self.compute_type = compute_type
        self.path = path

    @classmethod
    def load(cls, folder: Path, revision: str, *, device: str, dtype: str,
             cache_dir: str | os.PathLike[str]) -> CT2Backend:
        import ctranslate2

        path = converted_dir(folder, revision, cache_dir)
        ctype = compute_type(dtype, device)
        # 0 lets CTranslate2 choose; set TQCHECK_CT2_THREADS to pin it (shared or busy machines).
        threads = int(os.environ.get("TQCHECK_CT2_THREADS", "0") or 0)
        translator = load_converted(folder, path, lambda p: ctranslate2.Translator(
            p, device=device, compute_type=ctype, intra_threads=threads))
        return cls(translator, load_tokenizer(folder), device, ctype, path)

    def tokenize(self, texts: list[str], spec: ModelSpec, max_length: int) -> list[list[str]]:
        tok = self.tokenizer
        source_ids(tok, spec)
        ids = tok(texts, truncation=True, max_length=max_length)["input_ids"]
        return [tok.convert_ids_to_tokens(row) for row in ids]

    def target_prefix(self, spec: ModelSpec, n: int) -> list[list[str]] | None:
        if spec.family == "nllb" and spec.tgt_code:
            return [[spec.tgt_code]] * n
        if spec.family == "m2m100" and spec.tgt_code:
            token = self.tokenizer.convert_ids_to_tokens(self.tokenizer.get_lang_id(spec.tgt_code))
            return [[token]] * n
        return None

    def _run(self, texts: list[str], n_best: int, options: Any, spec: ModelSpec) -> list[Any]:
        """Texts arrive sorted by length; each batch gets its own output-length cap."""
        source = self.tokenize(texts, spec, options.max_length)
        extra = 1 if spec.family in ("nllb", "m2m100") else 0  # the language token counts too
        results: list[Any] = []
        for i in range(0, len(source), options.batch_size):
            batch = source[i : i + options.batch_size]
            kwargs: dict[str, Any] = {
                "beam_size": max(options.beam_size, n_best), "num_hypotheses": n_best,
                "max_decoding_length": options.output_cap(max(len(s) for s in batch)) + extra,
                "max_input_length": options.max_length, "max_batch_size": options.batch_size,
                "batch_type": "examples",
            }
            if options.min_length:
                kwargs["min_decoding_length"] = options.min_length + extra
            prefix = self.target_prefix(spec, len(batch))
            if prefix:
                kwargs["target_prefix"] = prefix
            results.extend(self.translator.translate_batch(batch, **kwargs))
        return results

    def translate(self, texts: list[str], n_best: int, options: Any, spec: ModelSpec) -> list[list[str]]:
        tok = self.tokenizer
        out: list[list[str]] = []
        for result in self._run(texts, n_best, options, spec):
            hyps = [decode(tok, tok.convert_tokens_to_ids(h), spec) for h in result.hypotheses[:n_best]]
            out.append(hyps + [""] * (n_best - len(hyps)))
        return out

    def generate_ids(self, texts: list[str], options: Any, spec: ModelSpec) -> list[list[int]]:
        """Best-hypothesis token ids without special tokens (used to compare backends in tests)."""
        special = set(self.tokenizer.all_special_ids)
        results = self._run(texts, 1, options, spec)
        rows = [self.tokenizer.convert_tokens_to_ids(r.hypotheses[0]) for r in results]
        return [[int(i) for i in row if int(i) not in special] for row in rows]
