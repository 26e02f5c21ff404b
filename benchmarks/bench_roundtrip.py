"""Round-trip translation throughput: naive transformers vs our backends vs raw CTranslate2 vs cache.

An opus-mt-en-fr-sized Marian (vocabulary 59,514, d_model 512, 6+6 layers, 8 heads, FFN 2048)
with random weights and a real SentencePiece tokenizer (trained here on the seed text, its ids
mapped into the 59k vocabulary) translates 256 sentences, each forced to exactly 32 output
tokens (transformers: min_new_tokens = max_new_tokens = 32; CTranslate2: min/max_decoding_length),
so every contender does the same work whatever the random weights predict.

Measured side by side in one run, as sentences per second and as a ratio to naive:
  naive         one sentence at a time through transformers' generate (on a subset, per sentence)
  transformers  tqcheck's transformers backend (length-sorted batches, inference_mode)
  ctranslate2   tqcheck's CTranslate2 backend (int8 on CPU, float16 on GPU)
  raw ct2       ctranslate2.Translator.translate_batch on pre-tokenized input (the limit)
  warm cache    the CTranslate2 run again from the sqlite cache (fresh translator, no model load)

Usage: python benchmarks/bench_roundtrip.py [--sentences 256] [--naive 16] [--device cuda --dtype float16]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

VOCAB = 59514  # Helsinki-NLP/opus-mt-en-fr
OUT_TOKENS = 32
MODEL_VERSION = "v1"


def sentences(n: int) -> list[str]:
    """n distinct English sentences of 8-30 words, cut from the seed article."""
    seeds = ROOT / "seeds"
    text = " ".join((seeds / p).read_text("utf-8") for p in sorted(os.listdir(seeds)))
    words = re.findall(r"\S+", text)
    out: list[str] = []
    i = 0
    while len(out) < n:
        length = 8 + (i * 7) % 23
        start = (i * 13) % max(1, len(words) - length)
        s = " ".join(words[start : start + length]).rstrip(",;:") + "."
        if s not in out:
            out.append(s[0].upper() + s[1:])
        i += 1
    return out


def build_model(folder: Path) -> Path:
    """The opus-mt-sized random Marian; built once and reused (about 300 MB)."""
    if (folder / "model.safetensors").is_file():
        return folder
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel

    folder.mkdir(parents=True, exist_ok=True)
    corpus = sentences(400) + [w for s in sentences(400) for w in s.split()]
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus), model_prefix=str(folder / "spm"), vocab_size=2000,
        model_type="unigram", character_coverage=1.0, minloglevel=2, bos_id=-1, eos_id=1, unk_id=2,
        pad_id=0, hard_vocab_limit=False,
    )
    (folder / "spm.model").rename(folder / "source.spm")
    (folder / "target.spm").write_bytes((folder / "source.spm").read_bytes())
    sp = spm.SentencePieceProcessor(model_file=str(folder / "source.spm"))
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(sp.get_piece_size()):
        piece = sp.id_to_piece(i)
        if piece != "<pad>":
            vocab.setdefault(piece, len(vocab))
    while len(vocab) < VOCAB - 1:  # the rest of a 59k vocabulary: never produced by this tokenizer
        vocab[f"<extra_{len(vocab)}>"] = len(vocab)
    vocab["<pad>"] = VOCAB - 1
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"tokenizer_class": "MarianTokenizer", "source_lang": "en", "target_lang": "fr",
         "model_max_length": 512, "separate_vocabs": False}), "utf-8")
    torch.manual_seed(0)
    config = MarianConfig(
        vocab_size=VOCAB, d_model=512, encoder_layers=6, decoder_layers=6, encoder_attention_heads=8,
        decoder_attention_heads=8, encoder_ffn_dim=2048, decoder_ffn_dim=2048, max_position_embeddings=512,
        pad_token_id=VOCAB - 1, eos_token_id=0, decoder_start_token_id=VOCAB - 1, forced_eos_token_id=0,
        bos_token_id=0, share_encoder_decoder_embeddings=True, scale_embedding=True,
    )
    model = MarianMTModel(config).eval()
    model.generation_config.bad_words_ids = [[VOCAB - 1]]
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=256)
    ap.add_argument("--naive", type=int, default=16, help="sentences for the naive baseline (extrapolated)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--beam-size", type=int, default=1)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--dtype", default="auto", help="auto (int8 CPU / float16 GPU for CT2), float32, float16")
    ap.add_argument("--threads", type=int, default=1,
                    help="CPU threads for torch and CTranslate2 alike (default 1: on a shared, busy machine "
                    "oversubscribed torch threads run many times slower, which would flatter the ratios)")
    default_work = Path(tempfile.gettempdir()) / f"tqcheck-bench-rt-{MODEL_VERSION}"
    ap.add_argument("--workdir", default=str(default_work),
                    help="where the model is built once and kept")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = ap.parse_args()

    os.environ["TQCHECK_CT2_THREADS"] = str(args.threads)
    import torch
    import transformers

    torch.set_num_threads(args.threads)

    from tqcheck.config import Config
    from tqcheck.models.hf_translate import quiet_transformers
    from tqcheck.models.hub import ModelHub
    from tqcheck.models.translate import get_translator

    quiet_transformers()
    work = Path(args.workdir)
    build_s, model_dir = timed(lambda: build_model(work / "model"))
    texts = sentences(args.sentences)
    cache_dir = Path(tempfile.mkdtemp(prefix="cache-", dir=work))
    hf_dtype = "float32" if args.dtype in ("auto", "int8") and args.device == "cpu" else (
        "float16" if args.dtype == "auto" else args.dtype)
    results: dict[str, float] = {}

    # 1. naive: one sentence at a time, straight transformers.
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForSeq2SeqLM.from_pretrained(str(model_dir), use_safetensors=True,
                                                  dtype=getattr(torch, hf_dtype)).to(args.device).eval()
    gen = {"num_beams": args.beam_size, "do_sample": False, "min_new_tokens": OUT_TOKENS,
           "max_new_tokens": OUT_TOKENS, "max_length": None}

    def naive() -> None:
        # Sentences from the end of the list, so the batched runs below see nothing pre-warmed.
        for s in texts[-args.naive :]:
            enc = tok([s], return_tensors="pt").to(args.device)
            with torch.inference_mode():
                out = model.generate(**enc, **gen)
            assert out.shape[1] >= OUT_TOKENS
            tok.batch_decode(out, skip_special_tokens=True)

    with torch.inference_mode():  # warm-up: one-off allocations, not per-sentence work
        model.generate(**tok(["Warm up."], return_tensors="pt").to(args.device), max_new_tokens=2)
    secs, _ = timed(naive)
    results["naive"] = args.naive / secs

    def translator(backend: str, use_cache: bool):  # type: ignore[no-untyped-def]
        dtype = hf_dtype if backend == "transformers" else args.dtype
        cfg = Config(mt_models={"en-fr": str(model_dir)}, backend=backend, device=args.device, dtype=dtype,
                     beam_size=args.beam_size, batch_size=args.batch_size, cache_dir=str(cache_dir),
                     use_cache=use_cache)
        t = get_translator(cfg, ModelHub(), "en", "fr")
        t.options = replace(t.options, min_length=OUT_TOKENS, max_length=OUT_TOKENS)
        t.backend()  # load (and convert) outside the timed region
        return t

    # 2. our transformers backend.
    hf = translator("transformers", use_cache=False)
    secs, _ = timed(lambda: hf.translate(texts))
    results["transformers"] = len(texts) / secs

    # 3. our CTranslate2 backend (cold: writes the cache), 4. raw translate_batch on the same model.
    ct = translator("ctranslate2", use_cache=True)
    ct.backend().translator.translate_batch([["▁a", "</s>"]], max_decoding_length=4)  # warm-up
    cold_s, cold = timed(lambda: ct.translate(texts))
    results["ctranslate2"] = len(texts) / cold_s
    raw = ct.backend().translator
    tokens = ct.backend().tokenize(texts, ct.spec, 512)
    secs, _ = timed(lambda: raw.translate_batch(
        tokens, beam_size=args.beam_size, max_batch_size=args.batch_size, batch_type="examples",
        min_decoding_length=OUT_TOKENS, max_decoding_length=OUT_TOKENS))
    results["raw_ct2"] = len(texts) / secs

    # 5. warm re-run: a fresh translator (new hub: nothing loaded) over the same sentences.
    def warm() -> list[list[str]]:
        cfg = Config(mt_models={"en-fr": str(model_dir)}, backend="ctranslate2", device=args.device,
                     dtype=args.dtype, beam_size=args.beam_size, batch_size=args.batch_size,
                     cache_dir=str(cache_dir))
        t = get_translator(cfg, ModelHub(), "en", "fr")
        t.options = replace(t.options, min_length=OUT_TOKENS, max_length=OUT_TOKENS)
        out = t.translate(texts)
        assert t.model_texts == 0 and t._backend is None
        return out

    warm_s, again = timed(warm)
    assert again == cold
    results["warm_cache"] = len(texts) / warm_s

    summary = {
        "device": args.device, "dtype": args.dtype, "beam_size": args.beam_size,
        "batch_size": args.batch_size,
        "sentences": len(texts), "naive_sentences": args.naive, "out_tokens": OUT_TOKENS,
        "threads": torch.get_num_threads(), "cpus": os.cpu_count(), "transformers": transformers.__version__,
        "ctranslate2": __import__("ctranslate2").__version__, "build_s": round(build_s, 1),
        "sentences_per_s": {k: round(v, 2) for k, v in results.items()},
        "ratio_to_naive": {k: round(v / results["naive"], 1) for k, v in results.items()},
        "ct2_backend_vs_raw": round(results["raw_ct2"] / results["ctranslate2"], 3),
        "warm_vs_cold": round(results["warm_cache"] / results["ctranslate2"], 1),
    }
    if args.json:
        print(json.dumps(summary))
        return
    print(f"Round trip benchmark: opus-mt-en-fr-sized Marian, {len(texts)} sentences x {OUT_TOKENS} "
          f"tokens, beam {args.beam_size}, batch {args.batch_size}, device {args.device}, "
          f"dtype {args.dtype}, {args.threads} thread(s)")
    print(f"{'contender':<14} {'sent/s':>10} {'x naive':>9}")
    for k, v in results.items():
        print(f"{k:<14} {v:>10.2f} {v / results['naive']:>9.1f}")
    print(f"naive measured on {args.naive} sentences (per-sentence rate); others on all {len(texts)}")
    print(f"CTranslate2 backend vs raw translate_batch: raw is {summary['ct2_backend_vs_raw']:.3f}x "
          f"(target <= 1.2); CTranslate2 backend is {summary['ratio_to_naive']['ctranslate2']}x naive "
          f"(target >= 25); warm re-run {summary['warm_vs_cold']}x faster than cold (target >= 100)")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
