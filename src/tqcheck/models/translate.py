"""Machine translation for tqcheck: one :class:`Translator` interface over two backends.

``get_translator(config, hub, src, tgt)`` resolves the pair's model (registry, overrides, local
cache only), checks the folder cheaply and returns a Translator. The model itself loads on the
first cache miss, once per process (through the shared :class:`ModelHub`), so a run over an
unchanged document touches no model at all.

Backends: ``transformers`` (``tqcheck.models.hf_translate``) and ``ctranslate2``
(``tqcheck.models.ct2``); ``auto`` picks CTranslate2 when it is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tqcheck.errors import ConfigError, DeviceError, ModelError
from tqcheck.models.cache import TranslationCache, cache_key
from tqcheck.models.registry import ModelSpec, family_of_folder, model_spec, with_codes
from tqcheck.models.resolve import ensure_offline, resolve_model
from tqcheck.signals.base import SignalUnavailable

if TYPE_CHECKING:
    from tqcheck.config import Config
    from tqcheck.models.hub import ModelHub

#: Files that hold weights we are willing to load (safetensors only; pickles can run code).
SAFE_WEIGHTS = ("model.safetensors", "model.safetensors.index.json")
#: What a Marian/NLLB/M2M100 folder needs besides weights to tokenize.
TOKENIZER_FILES = ("tokenizer_config.json", "source.spm", "sentencepiece.bpe.model", "tokenizer.json",
                   "spm.model")


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding settings; part of every cache key."""

    beam_size: int = 4
    #: Maximum number of generated tokens (and input tokens kept).
    max_length: int = 256
    #: Minimum number of generated tokens (0: none). Benchmarks force a fixed output length.
    min_length: int = 0
    batch_size: int = 16
    #: Outputs stop at ``length_ratio * longest input + length_margin`` tokens per batch, so a
    #: model stuck in a loop on one odd sentence does not generate ``max_length`` tokens.
    length_ratio: float = 2.0
    length_margin: int = 10

    def output_cap(self, longest_input: int) -> int:
        """Generated-token limit for a batch whose longest input has ``longest_input`` tokens."""
        cap = min(self.max_length, int(self.length_ratio * longest_input) + self.length_margin)
        return max(cap, self.min_length, 1)


class ModelUnavailable(SignalUnavailable):
    """A pair's model is not available locally; knows which model and pair, to combine fixes."""

    def __init__(self, model: str, pair: str) -> None:
        super().__init__(
            reason=f"translation model {model} ({pair}) is not available locally "
            "(tqcheck never downloads during a check)",
            fix=f"run 'tqcheck models pull {model}' on a connected machine, or pass --mt-model {pair}=DIR",
        )
        self.model = model
        self.pair = pair


class Backend(Protocol):
    """A loaded model that translates one list of texts (already sorted by length)."""

    name: str
    device: str
    compute_type: str

    def translate(self, texts: list[str], n_best: int, options: DecodeOptions,
                  spec: ModelSpec) -> list[list[str]]: ...


class Translator:
    """Translates lists of texts ``spec.src -> spec.tgt``: cached, deduplicated, length-sorted batches.

    ``translate(texts, n_best)`` returns one list of ``n_best`` hypotheses per input, in input order.
    """

    def __init__(self, spec: ModelSpec, folder: Path, *, backend: str, device: str, dtype: str,
                 options: DecodeOptions, hub: ModelHub, cache: TranslationCache | None,
                 cache_dir: str, allow_fallback: bool = False) -> None:
        self.spec = spec
        self.folder = folder
        self.backend_name = backend
        self.device = device
        self.dtype = dtype
        self.options = options
        self.hub = hub
        self.cache = cache
        self.cache_dir = cache_dir
        self.revision = model_revision(folder)
        #: backend=auto: a model CTranslate2 cannot convert still runs, on transformers.
        self.allow_fallback = allow_fallback
        #: Why the fallback happened, for the report.
        self.fallback_reason: str | None = None
        #: Texts sent to the model and batches run, for tests and benchmarks.
        self.model_texts = 0
        self.model_batches = 0
        #: Set when out-of-memory errors made the batch size shrink (reported in the signature).
        self.batch_size_reduced_from: int | None = None
        self._backend: Backend | None = None

    @property
    def model_id(self) -> str:
        return self.spec.model

    def backend(self) -> Backend:
        """The loaded backend (loads on first use; shared through the hub)."""
        if self._backend is None:
            try:
                self._backend = load_backend(self.backend_name, self.folder, self.revision,
                                             device=self.device, dtype=self.dtype, hub=self.hub,
                                             cache_dir=self.cache_dir)
            except ModelError as exc:
                if not (self.allow_fallback and self.backend_name == "ctranslate2"):
                    raise
                self.fallback_reason = str(exc)
                self.device = choose_device("cpu" if self.device == "cpu" else "auto", "transformers")
                self.dtype = choose_dtype("auto" if self.dtype == "int8" else self.dtype, "transformers",
                                          self.device)
                self._backend = load_backend("transformers", self.folder, self.revision, device=self.device,
                                             dtype=self.dtype, hub=self.hub, cache_dir=self.cache_dir)
                self.backend_name = "transformers"
        return self._backend

    def _key_options(self, n_best: int) -> dict[str, Any]:
        # Backend and dtype change the output (int8 vs float32), so they are part of the key;
        # the batch size does not.
        opts = {k: v for k, v in asdict(self.options).items() if k != "batch_size"}
        return {**opts, "n_best": n_best, "backend": self.backend_name, "device": self.device,
                "dtype": self.dtype, "src": self.spec.src_code, "tgt": self.spec.tgt_code}

    def translate(self, texts: Sequence[str], n_best: int = 1) -> list[list[str]]:
        if n_best < 1:
            raise ValueError("n_best must be at least 1")
        texts = list(texts)
        unique = [t for t in dict.fromkeys(texts) if t.strip()]
        results: dict[str, list[str]] = {}
        keys: dict[str, str] = {}
        if self.cache is not None and unique:
            opts = self._key_options(n_best)
            keys = {t: cache_key(self.model_id, self.revision, opts, t) for t in unique}
            found = self.cache.get_many(list(keys.values()))
            for t, k in keys.items():
                value = found.get(k)
                if isinstance(value, list) and len(value) == n_best and all(isinstance(v, str)
                                                                            for v in value):
                    results[t] = value
        todo = [t for t in unique if t not in results]
        if todo:
            fresh = self._run_model(todo, n_best)
            results.update(fresh)
            if self.cache is not None:
                self.cache.put_many((keys[t], fresh[t]) for t in todo)
        return [results.get(t, [""] * n_best) if t.strip() else [""] * n_best for t in texts]

    def _run_model(self, texts: list[str], n_best: int) -> dict[str, list[str]]:
        """Translate in batches of similar length (less padding), then restore the mapping."""
        backend = self.backend()
        ordered = sorted(texts, key=len)
        out: dict[str, list[str]] = {}
        from tqcheck.models.memory import is_out_of_memory, run_adaptive

        def run(chunk: list[str], size: int) -> list[list[str]]:
            self.model_batches += -(-len(chunk) // size)
            return backend.translate(chunk, n_best, replace(self.options, batch_size=size), self.spec)

        try:
            with self.hub.use_lock:
                hyps, size = run_adaptive(ordered, self.options.batch_size, run)
        except (RuntimeError, ValueError, IndexError, MemoryError) as exc:
            from tqcheck.models.hf_translate import _one_line

            what = "out of memory even one sentence at a time" if is_out_of_memory(exc) else _one_line(exc)
            raise ModelError(f"{self.model_id}: translation failed ({what})") from None
        if size < self.options.batch_size:
            # Memory pressure: later calls start from the batch size that fitted.
            self.batch_size_reduced_from = self.batch_size_reduced_from or self.options.batch_size
            self.options = replace(self.options, batch_size=size)
        self.model_texts += len(ordered)
        for text, h in zip(ordered, hyps, strict=False):
            out[text] = list(h)
        return out

    def signature(self) -> dict[str, Any]:
        """What makes this translator's output reproducible."""
        return {
            "model": self.model_id,
            "revision": self.revision,
            "family": self.spec.family,
            "pair": self.spec.pair,
            "backend": self.backend_name,
            "device": self.device,
            "dtype": self.dtype,
            "beam_size": self.options.beam_size,
            "max_length": self.options.max_length,
            **({"fallback": self.fallback_reason} if self.fallback_reason else {}),
            **({"batch_size": self.options.batch_size, "batch_size_reduced_from": self.batch_size_reduced_from}
               if self.batch_size_reduced_from else {}),
        }


# -- choosing and loading ---------------------------------------------------------------------

def ctranslate2_installed() -> bool:
    return importlib.util.find_spec("ctranslate2") is not None


def choose_backend(name: str) -> str:
    if name == "auto":
        return "ctranslate2" if ctranslate2_installed() else "transformers"
    if name == "ctranslate2" and not ctranslate2_installed():
        raise ConfigError("backend 'ctranslate2' is not installed; pip install 'tqcheck[fast]' "
                          "or use --backend transformers")
    return name


def choose_device(name: str, backend: str) -> str:
    """auto: the GPU when the backend sees one, else the CPU. A device asked for by name must exist:
    a missing GPU is one clear configuration error (exit 2), not a traceback from deep in torch."""
    if name == "cpu":
        return name
    if backend == "ctranslate2":
        import ctranslate2

        gpus = ctranslate2.get_cuda_device_count()
        if name == "auto":
            return "cuda" if gpus > 0 else "cpu"
        if name != "cuda":
            raise DeviceError(f"device '{name}' is not supported by CTranslate2 (cpu or cuda); "
                              "use --backend transformers for it")
        if gpus == 0:
            raise DeviceError("--device cuda: CTranslate2 sees no CUDA GPU here; use --device auto or cpu")
        return name
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    mps = getattr(torch.backends, "mps", None)
    available = torch.cuda.is_available() if name == "cuda" else bool(mps and mps.is_available())
    if not available:
        raise DeviceError(f"--device {name}: torch sees no {name.upper()} device here "
                          f"(torch {torch.__version__}); use --device auto or cpu")
    return name


def choose_dtype(name: str, backend: str, device: str) -> str:
    """auto: int8 for CTranslate2 on CPU, float16 on GPU, float32 for transformers on CPU."""
    if name == "auto":
        if device == "cpu":
            return "int8" if backend == "ctranslate2" else "float32"
        return "float16"
    if name == "int8" and backend == "transformers":
        raise ConfigError("dtype int8 needs the ctranslate2 backend (--backend ctranslate2)")
    return name


def check_model_folder(folder: Path, spec: ModelSpec) -> dict[str, Any]:
    """Cheap checks before any heavy import, so a broken folder is one clear line (exit 2)."""
    try:
        config = json.loads((folder / "config.json").read_text("utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{folder}: not a model folder (no config.json)") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{folder}: config.json is not valid JSON ({exc.__class__.__name__})") from None
    if not isinstance(config, dict) or "model_type" not in config:
        raise ModelError(f"{folder}: config.json has no model_type; not a Hugging Face model folder")
    if config.get("auto_map"):
        raise ModelError(f"{folder}: model needs custom code (auto_map); tqcheck never runs remote code")
    if not any((folder / name).is_file() for name in SAFE_WEIGHTS):
        has_bin = any(folder.glob("*.bin"))
        raise ModelError(
            f"{folder}: no model.safetensors"
            + (" (only pickle .bin weights, which tqcheck does not load; "
               "re-save with safe_serialization=True)" if has_bin else "")
        )
    weights = folder / "model.safetensors"
    if weights.is_file() and weights.stat().st_size < 16:
        raise ModelError(f"{folder}: model.safetensors is truncated ({weights.stat().st_size} bytes)")
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise ModelError(f"{folder}: no tokenizer files (tokenizer_config.json, source.spm, ...)")
    return config


def model_revision(folder: Path) -> str:
    """The hub commit for a cached snapshot; otherwise a fingerprint of the folder's files.

    The fingerprint hashes config.json and each weight file's size, mtime and first 64 KiB, so a
    rebuilt or edited local model never reuses stale cached translations.
    """
    parts = folder.resolve().parts
    if len(parts) >= 2 and parts[-2] == "snapshots" and re.fullmatch(r"[0-9a-f]{40}", parts[-1]):
        return parts[-1]
    h = hashlib.sha256()
    for name in ("config.json", "generation_config.json", "vocab.json", *SAFE_WEIGHTS):
        p = folder / name
        if not p.is_file():
            continue
        st = p.stat()
        h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        with p.open("rb") as fh:
            h.update(fh.read(65536))
    return "local-" + h.hexdigest()[:16]


def load_backend(backend: str, folder: Path, revision: str, *, device: str, dtype: str, hub: ModelHub,
                 cache_dir: str) -> Backend:
    key = ("mt", backend, str(folder), revision, device, dtype)
    if backend == "ctranslate2":
        from tqcheck.models.ct2 import CT2Backend

        return hub.get(key, lambda: CT2Backend.load(folder, revision, device=device, dtype=dtype,
                                                    cache_dir=cache_dir))
    from tqcheck.models.hf_translate import HFBackend

    return hub.get(key, lambda: HFBackend.load(folder, device=device, dtype=dtype))


def resolve_spec(config: Config, src: str, tgt: str) -> tuple[ModelSpec, Path]:
    """The pair's spec and local folder, never touching the network."""
    spec = model_spec(config, src, tgt)
    option = f"--mt-model {spec.pair}=DIR"
    try:
        folder = resolve_model(spec.model, purpose=f"translation ({spec.pair})", option=option)
    except SignalUnavailable as exc:
        raise ModelUnavailable(spec.model, spec.pair) from exc
    family = family_of_folder(folder)
    if family != spec.family:
        spec = with_codes(spec, family)
    return spec, folder


def get_translator(config: Config, hub: ModelHub, src: str, tgt: str) -> Translator:
    """The translator for ``src -> tgt``.

    Raises :class:`SignalUnavailable` (reason, fix) when no model is available locally and
    :class:`ModelError` for a folder that exists but is not a usable model.
    """
    ensure_offline()
    spec, folder = resolve_spec(config, src, tgt)
    model_config = check_model_folder(folder, spec)
    # Inputs and outputs must fit the model's position table (tiny test models have 128).
    positions = model_config.get("max_position_embeddings")
    max_length = config.max_length
    if isinstance(positions, int) and positions > 8:
        max_length = min(max_length, positions - 2)
    backend = choose_backend(config.backend)
    device = choose_device(config.device, backend)
    dtype = choose_dtype(config.dtype, backend, device)
    options = DecodeOptions(beam_size=max(config.beam_size, 1), max_length=max_length,
                            batch_size=config.batch_size)
    cache = None
    if config.use_cache:
        cache = hub.get(("translation-cache", str(Path(config.cache_dir).expanduser())),
                        lambda: TranslationCache.in_dir(config.cache_dir))
    key = ("translator", spec, str(folder), backend, device, dtype, options, config.use_cache,
           config.cache_dir)

    def build() -> Translator:
        return Translator(spec, folder, backend=backend, device=device, dtype=dtype, options=options,
                          hub=hub, cache=cache, cache_dir=config.cache_dir,
                          allow_fallback=config.backend == "auto")

    return hub.get(key, build)
