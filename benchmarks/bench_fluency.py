#!/usr/bin/env python
"""Fluency scoring speed.

1. Neural backend: a GPT-2-small-sized model (12 layers, 768 wide, 50,257-token vocabulary; random
   weights, byte-level BPE tokenizer from tests/tiny_models.py) loaded through the real code path
   (``TransformersScorer``), scoring the seed's sentences batched vs one call per sentence.
2. Embedded n-gram backend: words per second on the seed repeated 100 times (scorer alone, and
   the whole fluency signal: scoring, statistics, span detection).

Usage:
    python benchmarks/bench_fluency.py [--sentences 96] [--batch-size 16] [--device cpu|cuda]
                                       [--dtype float32|float16|bfloat16] [--skip neural,ngram]
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


def build_gpt2_small(folder: Path) -> Path:
    """GPT-2 small's shape (124M parameters) with random weights and the tiny test tokenizer."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from tiny_models import build_tiny_gpt2

    build_tiny_gpt2(folder)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
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


def bench_neural(args: argparse.Namespace) -> list[str]:
    import torch

    from tqcheck.models.lm import TransformersScorer

    if args.threads:
        torch.set_num_threads(args.threads)
    sentences = seed_sentences()
    texts = (sentences * (args.sentences // len(sentences) + 1))[: args.sentences]
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_gpt2_small(Path(tmp) / "gpt2-small-random")
        scorer = TransformersScorer(folder, "gpt2-small-random", device=args.device, dtype=args.dtype,
                                    batch_size=args.batch_size)
        tokens = sum(len(scorer._encode(t)[0]) for t in texts)
        scorer.score(texts[:4])  # warm-up (kernels, allocator)

        def sync() -> None:
            if scorer.device.type == "cuda":
                torch.cuda.synchronize()

        def batched() -> None:
            scorer.score(texts)
            sync()

        def one_by_one() -> None:
            for t in texts:
                scorer.score([t])
            sync()

        t_batch = timed(batched, args.repeat)
        t_single = timed(one_by_one, args.repeat)
        same = max(abs(a.logprob - b.logprob) for a, b in
                   zip(scorer.score(texts[:8]), [scorer.score([t])[0] for t in texts[:8]], strict=True))
    return [
        f"Neural backend, GPT-2-small-sized random model ({scorer.device.type}, {scorer.dtype}, "
        f"{torch.get_num_threads()} threads), {len(texts)} seed sentences ({tokens} tokens), median of "
        f"{args.repeat}:", "",
        "| mode | seconds | sentences/s | tokens/s |", "|---|---|---|---|",
        f"| one call per sentence | {t_single:.2f} | {len(texts) / t_single:.1f} | {tokens / t_single:.0f} |",
        f"| batched (batch size {args.batch_size}) | {t_batch:.2f} | {len(texts) / t_batch:.1f} | "
        f"{tokens / t_batch:.0f} |",
        "", f"Speed-up of batching: **{t_single / t_batch:.1f}x** (max log-prob difference batched vs one "
        f"by one on 8 sentences: {same:.2e} nats).", "",
    ]


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
    args = ap.parse_args(argv)
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
