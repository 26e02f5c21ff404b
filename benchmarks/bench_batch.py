"""Batch benchmarks, each side by side in one run so the ratios share the machine's load.

Sections (all by default; pick with ``--only``):

* ``pooling``: ~200 documents of real machine-translated English (``../shared/eval/lig-fr-en``) scored
  by a real-size random-weight GPT-2 small (124M parameters, 12 layers, 768 wide, 50,257-word LM
  head) through transformers: per-document batches (each document's sentences in one batch, as a
  per-document loop does) against pooled batches (the sentences of a 32-document chunk, sorted by
  length, in batches of 16, as the batch engine feeds the signals). Checks that both give the same
  per-sentence scores. ``--device cuda --dtype float16`` runs it on a GPU.
* ``marian``: the same comparison through tqcheck's translation backend (``get_translator``; the
  round-trip signal's first leg) with the opus-mt-en-fr-sized random Marian of
  ``bench_roundtrip.py``, outputs forced to ``--out-tokens`` tokens, CTranslate2 int8 by default.
  Not in the default set (slow on CPU): ``--only marian``.
* ``resume``: the rules-only CLI over the 200 documents with ``--report-dir``: a full run, a
  ``--resume`` of a finished run, a ``--resume`` with half the results deleted, and the same batch
  without a report directory (the cost of persisting every document).
* ``scaling``: the rules-only path in-process (read from text, segment, rules, score, JSON report) on
  one document and on the same text ten times over.

    python benchmarks/bench_batch.py [--only pooling,resume,scaling] [--docs 200] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval" / "lig-fr-en" / "mt-google.en"
SEED = ROOT / "seeds" / "000_f567bacb1f41f539.txt"


def sentences(n: int) -> list[str]:
    if EVAL.is_file():
        lines = [s.strip() for s in EVAL.read_text("utf-8").splitlines() if s.strip()]
    else:  # the project's own seed, when the eval data is not beside the checkout
        from tqcheck.formats import document_from_text
        from tqcheck.segment import segment

        doc = segment(document_from_text(SEED.read_text("utf-8")))
        lines = [s.text.strip() for s in doc.segments]
    return [lines[i % len(lines)] for i in range(n)]


def make_docs(n_docs: int, per_doc: int) -> list[list[str]]:
    sents = sentences(n_docs * per_doc)
    rng = random.Random(0)
    docs = []
    i = 0
    for _ in range(n_docs):
        k = max(2, per_doc + rng.randint(-per_doc // 2, per_doc // 2))
        docs.append(sents[i : i + k])
        i += k
    return docs


# ------------------------------------------------------------------------------------------------
# pooling


def build_lm(folder: Path, docs: list[list[str]]):  # type: ignore[no-untyped-def]
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=16000, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(sentences(12000), trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                                   unk_token="<|endoftext|>", pad_token="<|endoftext|>")
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config()).eval()  # GPT-2 small: 12 x 768, vocab 50,257, 124M params
    return fast, model


def score_batch(tok, model, batch: list[str], device: str):  # type: ignore[no-untyped-def]
    """Mean token negative log-likelihood per sentence (the LM fluency signal's core number)."""
    import torch

    enc = tok([tok.bos_token + s for s in batch], return_tensors="pt", padding=True)
    ids, mask = enc["input_ids"].to(device), enc["attention_mask"].to(device)
    with torch.inference_mode():
        logits = model(input_ids=ids, attention_mask=mask).logits.float()
    logp = torch.log_softmax(logits[:, :-1], -1).gather(-1, ids[:, 1:, None])[..., 0]
    m = mask[:, 1:].float()
    return ((-logp * m).sum(1) / m.sum(1)).tolist(), int(ids.numel()), int(mask.sum())


def bench_pooling(docs: list[list[str]], device: str, dtype: str, batch_size: int, chunk: int) -> dict:
    import torch

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tok, model = build_lm(Path(tmp), docs)
    model.to(device)
    if dtype != "float32":
        model.to(getattr(torch, dtype))
    build_s = time.perf_counter() - t0
    n_sent = sum(len(d) for d in docs)
    score_batch(tok, model, docs[0][:2], device)  # warm-up

    flat = [s for d in docs for s in d]
    lengths = [len(tok(s)["input_ids"]) for s in flat]

    def per_document(first: int, chunk_docs: list[list[str]], out: list[float]) -> tuple[int, int]:
        padded = real = 0
        i = first
        for d in chunk_docs:
            for b in range(0, len(d), batch_size):
                s, p, r = score_batch(tok, model, d[b : b + batch_size], device)
                out[i : i + len(s)] = s
                i += len(s)
                padded += p
                real += r
        return padded, real

    def pooled(first: int, chunk_docs: list[list[str]], out: list[float]) -> tuple[int, int]:
        padded = real = 0
        idx = sorted(range(first, first + sum(len(d) for d in chunk_docs)), key=lambda i: lengths[i])
        for b in range(0, len(idx), batch_size):
            part = idx[b : b + batch_size]
            s, p, r = score_batch(tok, model, [flat[i] for i in part], device)
            padded += p
            real += r
            for i, v in zip(part, s, strict=True):
                out[i] = v
        return padded, real

    def timed(fn, *a):  # type: ignore[no-untyped-def]
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        t = time.perf_counter()
        res = fn(*a)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        return time.perf_counter() - t, res

    # Chunk by chunk, the two strategies alternate, so changes in machine load hit both alike.
    s_doc, s_pool = [0.0] * n_sent, [0.0] * n_sent
    t_doc = t_pool = 0.0
    pad_doc = real_doc = pad_pool = real_pool = 0
    first = 0
    for c in range(0, len(docs), chunk):
        part = docs[c : c + chunk]
        dt, (p, r) = timed(per_document, first, part, s_doc)
        t_doc, pad_doc, real_doc = t_doc + dt, pad_doc + p, real_doc + r
        dt, (p, r) = timed(pooled, first, part, s_pool)
        t_pool, pad_pool, real_pool = t_pool + dt, pad_pool + p, real_pool + r
        first += sum(len(d) for d in part)
        print(f"  .. {min(c + chunk, len(docs))}/{len(docs)} documents: per-document {t_doc:.1f} s, "
              f"pooled {t_pool:.1f} s", flush=True)
    diff = max(abs(a - b) for a, b in zip(s_doc, s_pool, strict=True))
    return {
        "model": "GPT-2 small, random weights (124M params)", "device": device, "dtype": dtype,
        "documents": len(docs), "sentences": n_sent, "batch_size": batch_size, "chunk_docs": chunk,
        "build_s": round(build_s, 1),
        "per_document_s": round(t_doc, 2), "pooled_s": round(t_pool, 2),
        "per_document_sent_per_s": round(n_sent / t_doc, 1), "pooled_sent_per_s": round(n_sent / t_pool, 1),
        "speedup_pooled_vs_per_document": round(t_doc / t_pool, 2),
        "padding_share_per_document": round(1 - real_doc / pad_doc, 3),
        "padding_share_pooled": round(1 - real_pool / pad_pool, 3),
        "max_score_difference": float(f"{diff:.2g}"),
    }


# ------------------------------------------------------------------------------------------------
# pooling through the round-trip translation backend (real-size Marian)


def bench_marian(docs: list[list[str]], backend: str, batch_size: int, chunk: int, out_tokens: int,
                 threads: int) -> dict:
    """The same per-document vs pooled comparison through tqcheck's translation backend, with the
    opus-mt-en-fr-sized random Marian of ``bench_roundtrip.py``; every output forced to
    ``out_tokens`` tokens so both strategies do the same decoding work whatever the weights say."""
    from dataclasses import replace

    os.environ["TQCHECK_CT2_THREADS"] = str(threads)
    import torch

    torch.set_num_threads(threads)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_roundtrip import build_model

    from tqcheck.config import Config
    from tqcheck.models.hub import ModelHub
    from tqcheck.models.translate import get_translator

    t0 = time.perf_counter()
    folder = build_model(Path(tempfile.gettempdir()) / "tqcheck-bench-batch-marian" / "model")
    cfg = Config(mt_models={"en-fr": str(folder)}, backend=backend, device="cpu", dtype="auto",
                 beam_size=1, batch_size=batch_size, use_cache=False)
    tr = get_translator(cfg, ModelHub(), "en", "fr")
    tr.options = replace(tr.options, min_length=out_tokens, max_length=out_tokens)
    tr.backend()
    tr.translate(["Warm up."])
    build_s = time.perf_counter() - t0
    n_sent = sum(len(d) for d in docs)
    t_doc = t_pool = 0.0
    batches_doc = batches_pool = 0
    same = True
    for c in range(0, len(docs), chunk):
        part = docs[c : c + chunk]
        before = tr.model_batches
        t = time.perf_counter()
        per_doc = [h for d in part for h in tr.translate(d)]
        t_doc += time.perf_counter() - t
        batches_doc += tr.model_batches - before
        before = tr.model_batches
        t = time.perf_counter()
        pooled = tr.translate([s for d in part for s in d])
        t_pool += time.perf_counter() - t
        batches_pool += tr.model_batches - before
        same = same and per_doc == pooled
        print(f"  .. {min(c + chunk, len(docs))}/{len(docs)} documents: per-document {t_doc:.1f} s, "
              f"pooled {t_pool:.1f} s", flush=True)
    return {
        "model": "opus-mt-en-fr-sized Marian, random weights (d_model 512, 6+6 layers, vocab 59,514)",
        "backend": backend, "threads": threads, "direction": "en->fr (one leg of the round trip)",
        "documents": len(docs), "sentences": n_sent, "output_tokens": out_tokens, "batch_size": batch_size,
        "chunk_docs": chunk, "build_s": round(build_s, 1),
        "per_document_s": round(t_doc, 2), "pooled_s": round(t_pool, 2),
        "per_document_sent_per_s": round(n_sent / t_doc, 2), "pooled_sent_per_s": round(n_sent / t_pool, 2),
        "speedup_pooled_vs_per_document": round(t_doc / t_pool, 2),
        "model_batches_per_document": batches_doc, "model_batches_pooled": batches_pool,
        "identical_translations": same,
    }


# ------------------------------------------------------------------------------------------------
# resume


def _cli(args: list[str]) -> float:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tqcheck", "check", *args], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def bench_resume(docs: list[list[str]]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / "docs"
        src.mkdir()
        for i, d in enumerate(docs):
            # French-style spacing in some sentences so the rules find something
            text = " ".join(s.replace("?", " ?") if j % 3 == 0 else s for j, s in enumerate(d))
            (src / f"doc{i:04d}.txt").write_text(text + "\n", "utf-8")
        common = ["--signals", "rules", "-q"]
        out = root / "out"
        t_nodir = _cli([str(src), *common, "-f", "json", "-o", str(root / "all.json")])
        t_full = _cli([str(src), "--report-dir", str(out), *common])
        t_noop = _cli([str(src), "--report-dir", str(out), "--resume", *common])
        state = sorted((out / ".tqcheck-state").glob("*.json"))
        assert len(state) == len(docs), f"expected {len(docs)} records, found {len(state)}"
        for p in state[::2]:
            p.unlink()
        t_half = _cli([str(src), "--report-dir", str(out), "--resume", *common])
        summary = json.loads((out / "summary.json").read_text("utf-8"))
        t_help = statistics.median(_cli(["--help"]) for _ in range(3))
    return {
        "documents": len(docs), "full_s": round(t_full, 2), "without_report_dir_s": round(t_nodir, 2),
        "resume_finished_s": round(t_noop, 2), "resume_half_deleted_s": round(t_half, 2),
        "process_start_s": round(t_help, 2),
        "resume_finished_over_full": round(t_noop / t_full, 2),
        "resume_half_over_full": round(t_half / t_full, 2),
        "report_dir_over_no_report_dir": round(t_full / t_nodir, 2),
        "resumed_in_last_run": summary["run"]["resumed"],
    }


# ------------------------------------------------------------------------------------------------
# scaling


def bench_scaling(repeats: int = 3, base_sentences: int = 300) -> dict:
    from tqcheck.api import Checker
    from tqcheck.config import Config
    from tqcheck.formats import document_from_text
    from tqcheck.report import render

    sents = sentences(base_sentences)
    # paragraphs of five sentences, as in news copy; French-style spaces before commas
    base = "\n\n".join(" ".join(s.replace(",", " ,") for s in sents[i : i + 5])
                        for i in range(0, len(sents), 5)) + "\n"
    # No per-rule finding cap here: the 10x text must do 10x the work.
    checker = Checker(Config(signals=["rules"], max_findings_per_rule=10**9))
    checker.check_documents([document_from_text(base[:2000])])  # warm-up (rule compilation, pysbd)

    def run(text: str) -> tuple[float, int]:
        best, findings = float("inf"), 0
        for _ in range(repeats):
            t = time.perf_counter()
            report = checker.check_documents([document_from_text(text)])
            render(report, "json")
            best = min(best, time.perf_counter() - t)
            findings = len(report.findings)
        return best, findings

    t1, f1 = run(base)
    t10, f10 = run((base + "\n") * 10)
    return {"chars_1x": len(base), "time_1x_s": round(t1, 3), "time_10x_s": round(t10, 3),
            "ratio_10x": round(t10 / t1, 2), "findings_1x": f1, "findings_10x": f10}


def main() -> None:
    ap = argparse.ArgumentParser(description="Batch benchmarks (pooling, resume, scaling)")
    ap.add_argument("--only", default="pooling,resume,scaling")
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--per-doc", type=int, default=8, help="sentences per document (varies +-50%%)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--chunk", type=int, default=32, help="documents per pooled chunk (engine default)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    ap.add_argument("--backend", default="ctranslate2", help="marian section: ctranslate2 or transformers")
    ap.add_argument("--out-tokens", type=int, default=24, help="marian section: forced output length")
    ap.add_argument("--threads", type=int, default=1, help="marian section: CPU threads")
    ap.add_argument("--quick", action="store_true", help="20 documents: a smoke run")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    n_docs = 20 if args.quick else args.docs
    docs = make_docs(n_docs, args.per_doc)
    results: dict[str, dict] = {}
    for section in [s.strip() for s in args.only.split(",") if s.strip()]:
        if section == "pooling":
            results[section] = bench_pooling(docs, args.device, args.dtype, args.batch_size, args.chunk)
        elif section == "marian":
            results[section] = bench_marian(docs, args.backend, args.batch_size, args.chunk, args.out_tokens,
                                            args.threads)
        elif section == "resume":
            results[section] = bench_resume(docs)
        elif section == "scaling":
            results[section] = bench_scaling()
        else:
            raise SystemExit(f"unknown section {section!r}")
        print(f"== {section}")
        for k, v in results[section].items():
            print(f"  {k}: {v}")
        sys.stdout.flush()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
