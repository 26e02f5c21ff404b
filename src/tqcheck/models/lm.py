"""Language-model scoring: per-token log-probabilities mapped to exact character offsets.

Two backends share one interface (:class:`LMScorer`):

- :class:`TransformersScorer`: any local causal LM (``AutoModelForCausalLM``), batched, on the GPU
  when there is one; safetensors weights only, no remote code, never the network.
- :class:`tqcheck.models.lm_ct2.CT2Scorer`: the same models converted once for CTranslate2 (int8 on
  CPU, float16 on GPU); the default neural backend when ``ctranslate2`` is installed (``--backend``).
- :class:`tqcheck.models.ngram.NGramScorer`: the CMU US-English trigram model shipped inside the
  ``pocketsphinx`` wheel, with a ``wordfreq`` unigram back-off. Always available for English.

:func:`get_lm_scorer` picks one: the configured model for the language, else a default neural model
when it is already in the local cache, else (English) the embedded n-gram model.

Scores are natural logs. ``slor`` is the syntactic log-odds ratio (Pauls & Klein 2012; Lau et al.
2017): ``(log P_LM(s) - log P_unigram(s)) / n_tokens``, which does not punish a sentence for being
long or for containing rare words (names, acronyms), only for putting words where they do not fit;
the number to compare *different* sentences by. ``slor_total`` is the same difference before the
division, the number to compare *versions of one sentence* by (a deleted word is not rewarded for
having been less predictable than the sentence's average word).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tqcheck.errors import ModelError
from tqcheck.signals.base import SignalUnavailable

if TYPE_CHECKING:
    from tqcheck.config import Config
    from tqcheck.models.hub import ModelHub

#: Default neural model per language, used only when it is already in the local cache.
DEFAULT_LM_MODELS: dict[str, str] = {
    "en": "HuggingFaceTB/SmolLM2-135M",
    # GPT-2 small trained on French (its hub main branch ships safetensors, which tqcheck requires)
    "fr": "dbddv01/gpt2-french-small",
    "de": "dbmdz/german-gpt2",  # GPT-2 trained on German
    "*": "Qwen/Qwen2.5-0.5B",  # multilingual: es, it, pt, nl, ru, el, zh, ...
}
#: Unigram log-probability charged to a punctuation token by the neural backend (about 1 in 50).
PUNCT_UNIGRAM = math.log(0.02)
#: Words (letters, inner apostrophes) and numbers, for unigram look-ups; hyphens split words.
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,:/]\d+)*", re.UNICODE)


@dataclass
class TokenScores:
    """One text scored by a language model."""

    text: str
    #: (char start, char end, natural-log probability) per scored token, in text order. A zero-width
    #: token at the end (n-gram backend) is the end-of-sentence event.
    tokens: list[tuple[int, int, float]] = field(default_factory=list)
    #: Unigram (context-free, word-frequency) log-probability of each token, same order.
    unigram: list[float] = field(default_factory=list)
    model_id: str = ""
    #: Tokens the model cannot judge (names, acronyms, numbers): scored as their unigram.
    neutral: list[bool] = field(default_factory=list)
    #: Context-free log-probability of each token under the scoring model itself, when it has one
    #: (the n-gram model's own unigram); span detection compares against it. Empty: use ``unigram``.
    baseline: list[float] = field(default_factory=list)
    #: True where a token was scored without the tokens before it (a clause mark reset the context).
    fresh: list[bool] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.tokens)

    @property
    def logprob(self) -> float:
        return sum(t[2] for t in self.tokens)

    @property
    def unigram_logprob(self) -> float:
        return sum(self.unigram)

    @property
    def slor_total(self) -> float:
        """LM log-prob - unigram log-prob, not divided by the token count (Lau et al.'s NormLP-Sub;
        SLOR x n): what word order adds beyond word frequency, in nats. The number for comparing
        *versions of one sentence*: per-token division rewards deleting any word whose own share
        is below the sentence's average (a removed "and", "but", "during"); here a deleted word
        only takes its own share away. Not comparable across sentences of different lengths."""
        return self.logprob - self.unigram_logprob

    @property
    def slor(self) -> float:
        """(LM log-prob - unigram log-prob) per token; higher is more fluent. 0 for an empty text."""
        return self.slor_total / self.n if self.n else 0.0

    @property
    def perplexity(self) -> float:
        return math.exp(-self.logprob / self.n) if self.n else 1.0

    def excess(self) -> list[float]:
        """Per token: surprisal beyond what the word's own frequency explains (nats), i.e. the
        negative pointwise mutual information of the token and its context under the model."""
        base = self.baseline or self.unigram
        return [u - t[2] for t, u in zip(self.tokens, base, strict=True)]


class LMScorer(Protocol):
    model_id: str
    #: "transformers", "ctranslate2" or "ngram".
    backend: str

    def score(self, texts: list[str]) -> list[TokenScores]: ...


@lru_cache(maxsize=200_000)
def unigram_logprob(word: str, lang: str = "en", floor: float = -20.7) -> float:
    """Natural-log unigram probability of ``word`` from wordfreq (case-insensitive), floored."""
    from wordfreq import word_frequency

    f = word_frequency(word, lang)
    return max(math.log(f), floor) if f > 0 else floor


def word_unigrams(text: str, spans: Sequence[tuple[int, int]], lang: str) -> list[float]:
    """Unigram log-prob per token span: a word's log-prob shared evenly by the tokens inside it."""
    words = [(m.start(), m.end()) for m in WORD_RE.finditer(text)]
    owner: list[int | None] = []
    wi = 0
    for s, e in spans:
        while wi < len(words) and words[wi][1] <= s:
            wi += 1
        owner.append(wi if wi < len(words) and words[wi][0] < e else None)
    counts: dict[int, int] = {}
    for o in owner:
        if o is not None:
            counts[o] = counts.get(o, 0) + 1
    out = []
    for o in owner:
        if o is None:
            out.append(PUNCT_UNIGRAM)
        else:
            ws, we = words[o]
            out.append(unigram_logprob(text[ws:we].lower(), lang) / counts[o])
    return out


def char_aligned(text: str, offsets: Sequence[tuple[int, int]], logprobs: Sequence[float]
                 ) -> list[tuple[int, int, float]]:
    """Merge raw tokenizer offsets into character-exact tokens.

    Byte-level BPE splits a multi-byte character across tokens that all report the same character
    span: they are merged (log-probs add). Leading spaces belong to the word, not the span, so they
    are trimmed; a whitespace-only token adds its log-prob to the next token (or the last one).
    """
    out: list[list[Any]] = []
    carry = 0.0
    for (s, e), lp in zip(offsets, logprobs, strict=True):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            carry += lp
            continue
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
            out[-1][2] += lp + carry
        else:
            out.append([s, e, lp + carry])
        carry = 0.0
    if carry and out:
        out[-1][2] += carry
    return [(int(s), int(e), float(lp)) for s, e, lp in out]


class SubwordScorer:
    """What the neural backends share: the model's fast tokenizer (for character offsets), a BOS
    prefix, length-sorted batches bounded by count and padded tokens, batches split in halves on
    out-of-memory, and the assembly of :class:`TokenScores`. A backend implements :meth:`_run`."""

    backend = ""

    def _init_tokenizer(self, path: Path, model_id: str, *, lang: str, batch_size: int, positions: int | None,
                        max_tokens: int) -> None:
        from transformers import AutoTokenizer

        self.model_id = model_id
        self.lang = lang
        self.batch_size = batch_size
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True, trust_remote_code=False)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{path}: cannot load the language model's tokenizer ({exc})") from None
        if not self.tokenizer.is_fast:
            raise ModelError(f"{path}: the tokenizer has no fast (Rust) version, which tqcheck needs "
                             "to map token scores to character offsets")
        tok = self.tokenizer
        self.bos_id = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else (self.bos_id or 0)
        self.max_tokens = min(max_tokens, int(positions or max_tokens))

    def _encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        # Masked inline markup (U+FFFC) reads as a space; same length, so offsets still hold.
        enc = self.tokenizer(text.replace("\ufffc", " "), add_special_tokens=False,
                             return_offsets_mapping=True)
        ids = list(enc["input_ids"])
        offsets = [tuple(o) for o in enc["offset_mapping"]]
        prefix = [self.bos_id] if self.bos_id is not None else []
        keep = self.max_tokens - len(prefix)
        return prefix + ids[:keep], offsets[:keep]  # type: ignore[return-value]

    def _group_size(self) -> int:
        """Texts handed to one :meth:`_run` call."""
        return self.batch_size

    def score(self, texts: list[str]) -> list[TokenScores]:
        encoded = [self._encode(t) for t in texts]
        raw: list[list[float]] = [[] for _ in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i][0]))
        # Groups bounded by count and by padded tokens, so a few long texts cannot blow memory.
        size = self._group_size()
        budget = max(size * 64, self.max_tokens)
        batch: list[int] = []
        for i in order:
            longest = len(encoded[i][0])
            if batch and (len(batch) >= size or longest * (len(batch) + 1) > budget):
                self._run_fitting(batch, encoded, raw)
                batch = []
            batch.append(i)
        if batch:
            self._run_fitting(batch, encoded, raw)
        out = []
        offset_of_first = 1 if self.bos_id is not None else 0
        for text, (_ids, offsets), lps in zip(texts, encoded, raw, strict=True):
            # Without a BOS token the first token has no context and no score.
            offs = offsets if offset_of_first else offsets[1:]
            tokens = char_aligned(text, offs, lps)
            out.append(TokenScores(
                text=text, tokens=tokens, model_id=self.model_id,
                unigram=word_unigrams(text, [(s, e) for s, e, _ in tokens], self.lang),
                neutral=[False] * len(tokens),
            ))
        return out

    def _run_fitting(self, batch: list[int], encoded: list[tuple[list[int], list[tuple[int, int]]]],
                     raw: list[list[float]]) -> None:
        """Run a batch; on out-of-memory, split it in halves and keep the smaller batch size."""
        from tqcheck.models.memory import is_out_of_memory, release_cached_memory

        try:
            self._run(batch, encoded, raw)
        except BaseException as exc:
            if not is_out_of_memory(exc) or len(batch) == 1:
                raise
            release_cached_memory()
            half = len(batch) // 2
            self.batch_size = max(1, min(self.batch_size, half))
            self._run_fitting(batch[:half], encoded, raw)
            self._run_fitting(batch[half:], encoded, raw)

    def _run(self, batch: list[int], encoded: list[tuple[list[int], list[tuple[int, int]]]],
             raw: list[list[float]]) -> None:
        """Fill ``raw[i]`` with the log-probabilities of ``encoded[i]``'s tokens after the first."""
        raise NotImplementedError


def check_lm_folder(path: Path) -> None:
    """Cheap checks before loading anything: safetensors weights only."""
    if not any(path.glob("*.safetensors")):
        raise ModelError(f"{path}: no *.safetensors weights; tqcheck loads language models "
                         "from safetensors only (convert the checkpoint first)")


def model_positions(model_config: Any) -> int | None:
    """The longest sequence the model takes (position table), from a config object or dict."""
    get = model_config.get if isinstance(model_config, dict) else lambda k: getattr(model_config, k, None)
    for key in ("max_position_embeddings", "n_positions"):
        value = get(key)
        if isinstance(value, int) and value > 0:
            return value
    return None


class TransformersScorer(SubwordScorer):
    """A local causal LM (transformers, torch) scoring many texts in length-sorted batches."""

    backend = "transformers"

    def __init__(self, path: str | Path, model_id: str, *, device: str = "auto", dtype: str = "auto",
                 batch_size: int = 16, lang: str = "en", max_tokens: int = 1024) -> None:
        import torch
        from transformers import AutoModelForCausalLM

        from tqcheck.models.resolve import ensure_offline

        ensure_offline()
        quiet_transformers()
        path = Path(path)
        check_lm_folder(path)
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        if dtype in ("auto", "int8"):
            torch_dtype = torch.float16 if self.device.type == "cuda" else torch.float32
        else:
            torch_dtype = getattr(torch, dtype)
        try:
            self.model = AutoModelForCausalLM.from_pretrained(
                path, local_files_only=True, trust_remote_code=False, use_safetensors=True, dtype=torch_dtype,
            ).to(self.device).eval()
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{path}: cannot load the language model ({exc})") from None
        self._init_tokenizer(path, model_id, lang=lang, batch_size=batch_size,
                             positions=model_positions(self.model.config), max_tokens=max_tokens)
        self.dtype = str(torch_dtype).replace("torch.", "")

    def _run(self, batch: list[int], encoded: list[tuple[list[int], list[tuple[int, int]]]],
             raw: list[list[float]]) -> None:
        import torch

        width = max(len(encoded[i][0]) for i in batch)
        if width < 2:
            return
        ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, i in enumerate(batch):
            seq = encoded[i][0]
            ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
            mask[row, : len(seq)] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        with torch.inference_mode():
            logits = self.model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
            target = ids[:, 1:]
            picked = logits.gather(-1, target.unsqueeze(-1)).squeeze(-1)
            lps = (picked - torch.logsumexp(logits, dim=-1)).cpu().tolist()
        for row, i in enumerate(batch):
            raw[i] = lps[row][: len(encoded[i][0]) - 1]


def quiet_transformers() -> None:
    """No progress bars or load chatter on stderr: a check prints only its report."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def _load_neural(hub: ModelHub, path: Path, model_id: str, config: Config, lang: str) -> SubwordScorer:
    """The configured backend for a neural LM: CTranslate2 when installed (``backend = auto``),
    else transformers. With ``auto``, a model CTranslate2 cannot convert still runs on transformers."""
    from tqcheck.models.translate import choose_backend, choose_device, choose_dtype

    backend = choose_backend(config.backend)
    if backend == "ctranslate2":
        device = choose_device(config.device, backend)
        dtype = choose_dtype(config.dtype, backend, device)
        key = ("lm", "ctranslate2", str(path), device, dtype)
        try:
            from tqcheck.models.lm_ct2 import CT2Scorer

            return hub.get(key, lambda: CT2Scorer(path, model_id, device=device, dtype=dtype,
                                                  batch_size=config.batch_size, lang=lang,
                                                  cache_dir=config.cache_dir))
        except ModelError:
            # The evidence names the backend that scored, as for the round trip's fallback.
            if config.backend != "auto" or not any(path.glob("*.safetensors")):
                raise
    device = choose_device(config.device, "transformers")
    key = ("lm", "transformers", str(path), device, config.dtype)
    return hub.get(key, lambda: TransformersScorer(path, model_id, device=device, dtype=config.dtype,
                                                   batch_size=config.batch_size, lang=lang))


def get_lm_scorer(config: Config, hub: ModelHub, lang: str,
                  notes: list[tuple[str, str]] | None = None) -> LMScorer:
    """The language model to score ``lang`` text with.

    The configured model (``lm_models[lang]``, or ``lm_models["*"]``) when given; else a default
    neural model if it is already in the local cache; else, for English, the embedded n-gram model.
    A configured model that is not cached falls back to the n-gram model for English (the reason
    goes to ``notes`` as (reason, fix)); otherwise :class:`SignalUnavailable` is raised.
    A folder that exists but is not a usable model raises :class:`ModelError` (exit 2).
    """
    from tqcheck.models.resolve import resolve_model

    lang = (lang or "en").split("-")[0].lower()
    explicit = config.lm_models.get(lang) or config.lm_models.get("*")
    if explicit:
        try:
            path = resolve_model(explicit, purpose=f"'{lang}' language", option="--lm-model")
            return _load_neural(hub, path, explicit, config, lang)
        except SignalUnavailable as exc:
            if lang != "en":
                raise
            if notes is not None:
                notes.append((exc.reason + "; scored with the embedded n-gram model instead", exc.fix))
    else:
        default = DEFAULT_LM_MODELS.get(lang, DEFAULT_LM_MODELS["*"])
        try:
            path = resolve_model(default, purpose=f"'{lang}' language", option="--lm-model")
        except (SignalUnavailable, ModelError):
            path = None
        if path is not None:
            return _load_neural(hub, path, default, config, lang)
    if lang == "en":
        from tqcheck.models.ngram import NGramScorer

        return hub.get(("lm", "ngram-en"), NGramScorer)
    default = DEFAULT_LM_MODELS.get(lang, DEFAULT_LM_MODELS["*"])
    raise SignalUnavailable(
        reason=f"no language model for '{lang}' text (the embedded n-gram model is English only)",
        fix=f"pass --lm-model {lang}=ID_OR_PATH (a causal LM such as {default}; "
        f"'tqcheck models pull {default}' on a connected machine) or set lm_models in tqcheck.toml",
    )


__all__ = ["DEFAULT_LM_MODELS", "LMScorer", "SubwordScorer", "TokenScores", "TransformersScorer", "char_aligned",
           "get_lm_scorer", "unigram_logprob", "word_unigrams"]
