#!/usr/bin/env python
"""Fluency scoring speed.

1. Neural backend: a GPT-2-small-sized model (12 layers, 768 wide, 50,257-token vocabulary; random
   weights, a byte-level BPE tokenizer trained on English eval text at run time) loaded through the
   real code paths (``TransformersScorer`` fp32 and ``CT2Scorer`` int8), scoring the seed's sentences
   batched vs one call per sentence, all four modes side by side in alternating rounds.
2. Embedded n-gram backend: words per second on the seed repeated 100 times (scorer alone, and
   the whole fluency signal: scoring, statistics, span detection).

Usage:
    python benchmarks/bench_fluency.py [--sentences 96] [--batch-size 16] [--device cpu|cuda]
                                       [--dtype float32|float16|bfloat16] [--skip neural,ngram,ct2]
Prints a Markdown table; no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SEED_DIR = ROOT.parent / "shared" / "seeds"


def seed_text() -> str:
    files = sorted(SEED_DIR.glob("*.txt"))
    if not files:
        raise SystemExit(f"no seed in {SEED_DIR}")
    return files[0].read_text("utf-8")


def seed_sentences() -> list[str]:
    from tqcheck.formats import document_from_text
    from tqcheck.segment import segment

    doc = segment(document_from_text(seed_text()))
    return [s.text for s in doc.segments if any(c.isalpha() for c in s.text)]


EVAL_TEXT = ROOT.parent / "shared" / "eval" / "lig-fr-en" / "postedit.en"
GPT2_VOCAB = 50257


def build_gpt2_small(folder: Path) -> Path:
    """GPT-2 small's shape (124M parameters, 50,257-token vocabulary) with random weights.

    Its byte-level BPE tokenizer is trained here on English text (the LIG post-edits, read from
    ../shared/eval and never copied; the seed when they are absent), so sentences split into about
    as many tokens as GPT-2's own tokenizer makes; unused slots up to 50,257 are filled with
    special tokens, so the vocabulary matches the model's output layer (CTranslate2 checks that).
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    corpus = EVAL_TEXT.read_text("utf-8").splitlines() if EVAL_TEXT.is_file() else seed_sentences()
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=GPT2_VOCAB, special_tokens=["<|endoftext|>"], show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.add_special_tokens([f"<|unused{i}|>" for i in range(GPT2_VOCAB - tok.get_vocab_size())])
    PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                            unk_token="<|endoftext|>").save_pretrained(folder)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=GPT2_VOCAB, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                        bos_token_id=0, eos_token_id=0)
    GPT2LMHeadModel(config).eval().save_pretrained(folder, safe_serialization=True)
    return folder


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


MODES = {  # name -> (engine, batched)
    "transformers, one call per sentence": ("transformers", False),
    "transformers, batched": ("transformers", True),
    "ctranslate2, one call per sentence": ("ctranslate2", False),
    "ctranslate2, batched": ("ctranslate2", True),
}


def bench_texts(n: int) -> list[str]:
    sentences = seed_sentences()
    return (sentences * (n // len(sentences) + 1))[:n]


def load_scorer(engine: str, folder: Path, args: argparse.Namespace, cache: Path):  # type: ignore[no-untyped-def]
    if engine == "ctranslate2":
        from tqcheck.models.lm_ct2 import CT2Scorer

        return CT2Scorer(folder, "gpt2-small-random", device=args.device, batch_size=args.batch_size,
                         dtype="int8" if args.device == "cpu" else "float16", cache_dir=cache)
    from tqcheck.models.lm import TransformersScorer

    return TransformersScorer(folder, "gpt2-small-random", device=args.device, dtype=args.dtype,
                              batch_size=args.batch_size)


def worker(args: argparse.Namespace) -> int:
    """One timed mode in a process of its own; prints one JSON line.

    A process per mode because torch and CTranslate2 each bring their own OpenMP runtime: run in one
    process, whichever ran last leaves spinning threads that slow the other down on 2 cores."""
    import json

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    engine, batched = MODES[args.worker]
    folder = Path(args.folder)
    scorer = load_scorer(engine, folder, args, folder.parent / "cache")
    texts = bench_texts(args.sentences)
    scorer.score(texts[:4])  # warm-up (kernels, allocator)

    def sync() -> None:
        if args.device == "cuda":
            torch.cuda.synchronize()

    t0 = time.perf_counter()
    if batched:
        scorer.score(texts)
    else:
        for t in texts:
            scorer.score([t])
    sync()
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "dtype": scorer.dtype, "threads": torch.get_num_threads(),
                      "tokens": sum(len(scorer._encode(t)[0]) for t in texts)}))
    return 0


def compare_engines(folder: Path, args: argparse.Namespace) -> list[str]:
    """How far batched is from one by one, and int8 CTranslate2 from float32 transformers."""
    texts = bench_texts(16)
    hf = load_scorer("transformers", folder, args, folder.parent / "cache")
    ref = hf.score(texts)
    same = max(abs(a.logprob - b.logprob) for a, b in zip(ref, [hf.score([t])[0] for t in texts], strict=True))
    lines = [f"transformers batched vs one by one: largest log-prob difference {same:.1e} nats (16 sentences)."]
    if "ctranslate2" in args.engines:
        ct2 = load_scorer("ctranslate2", folder, args, folder.parent / "cache")
        got = ct2.score(texts)
        per_token = [abs(a[2] - b[2]) for x, y in zip(ref, got, strict=True)
                     for a, b in zip(x.tokens, y.tokens, strict=True)]
        rel = max(abs(x.logprob - y.logprob) / abs(x.logprob) for x, y in zip(ref, got, strict=True))
        lines.append(f"CTranslate2 {ct2.dtype} vs transformers {hf.dtype}: mean per-token difference "
                     f"{statistics.fmean(per_token):.3f} nats, largest sentence log-prob difference {rel:.2%} "
                     "(16 sentences).")
    return lines


def bench_neural(args: argparse.Namespace) -> list[str]:
    """Every mode in its own process, in rotating order round after round (the machine's load hits
    all alike); the median per mode."""
    import importlib.util
    import json
    import subprocess

    args.engines = ["transformers"]
    if importlib.util.find_spec("ctranslate2") and "ct2" not in args.skip:
        args.engines.append("ctranslate2")
    modes = [m for m, (engine, _) in MODES.items() if engine in args.engines]
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_gpt2_small(Path(tmp) / "gpt2-small-random")
        times: dict[str, list[float]] = {m: [] for m in modes}
        info: dict[str, dict] = {}
        for r in range(args.repeat):
            for mode in modes[r % len(modes):] + modes[: r % len(modes)]:
                cmd = [sys.executable, __file__, "--worker", mode, "--folder", str(folder),
                       "--sentences", str(args.sentences), "--batch-size", str(args.batch_size),
                       "--device", args.device, "--dtype", args.dtype, "--threads", str(args.threads)]
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                info[mode] = json.loads(out.strip().splitlines()[-1])
                times[mode].append(info[mode]["seconds"])
        compared = compare_engines(folder, args)
    secs = {m: statistics.median(ts) for m, ts in times.items()}
    base = secs["transformers, one call per sentence"]
    tokens = info[modes[0]]["tokens"]
    lines = [
        f"Neural backend, GPT-2-small-sized random model ({args.device}, {args.sentences} seed sentences, "
        f"{tokens} tokens incl. BOS, batch size {args.batch_size}), each mode in its own process, median of "
        f"{args.repeat} rounds run side by side:", "",
        "| engine, mode | dtype | seconds | sentences/s | tokens/s | vs transformers one by one |",
        "|---|---|---|---|---|---|",
    ]
    for mode, t in secs.items():
        lines.append(f"| {mode} | {info[mode]['dtype']} | {t:.2f} | {args.sentences / t:.1f} | {tokens / t:.0f} | "
                     f"**{base / t:.1f}x** |")
    lines += ["", *compared]
    if "ctranslate2" in args.engines:
        within = secs["ctranslate2, one call per sentence"] / secs["ctranslate2, batched"]
        lines.append(f"Batching alone: {within:.1f}x within CTranslate2, "
                     f"{base / secs['transformers, batched']:.1f}x within transformers.")
    return [*lines, ""]


def bench_ngram(args: argparse.Namespace) -> list[str]:
    from tqcheck.api import Checker
    from tqcheck.config import Config
    from tqcheck.formats import document_from_text
    from tqcheck.models.ngram import NGramScorer
    from tqcheck.segment import word_count

    sentences = seed_sentences()
    texts = sentences * 100
    words = sum(word_count(t) for t in texts)
    scorer = NGramScorer()
    scorer.score(sentences)  # warm the word caches once, as a long run would be
    t_scorer = timed(lambda: scorer.score(texts), args.repeat)
    checker = Checker(Config(signals=["fluency"]))
    big = "\n\n".join([seed_text()] * 100)
    doc = checker.prepare(document_from_text(big))
    signal = checker.signals[0]
    t_signal = timed(lambda: signal.run([doc]), args.repeat)
    t_check = timed(lambda: checker.check_documents([document_from_text(big)]), 1)
    return [
        f"Embedded n-gram backend, the seed repeated 100 times ({len(texts)} segments, {words} words), "
        f"median of {args.repeat}:", "",
        "| stage | seconds | words/s |", "|---|---|---|",
        f"| n-gram scorer alone | {t_scorer:.2f} | {words / t_scorer:,.0f} |",
        f"| fluency signal (scoring + statistics + spans) | {t_signal:.2f} | {words / t_signal:,.0f} |",
        f"| whole check (segmentation, rules, fluency, scoring) | {t_check:.2f} | {words / t_check:,.0f} |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Fluency scoring speed.")
    ap.add_argument("--sentences", type=int, default=96)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip", default="")
    ap.add_argument("--worker", choices=sorted(MODES), help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args)
    skip = set(args.skip.split(","))
    lines: list[str] = []
    if "ngram" not in skip:
        lines += bench_ngram(args)
    if "neural" not in skip:
        lines += bench_neural(args)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
