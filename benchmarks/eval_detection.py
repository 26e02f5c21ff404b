#!/usr/bin/env python
"""How well does tqcheck find real translation errors? Three third-party English test sets.

Runs the whole pipeline (every registered signal; model signals that have no model here report
themselves skipped) with whatever models are configured, the embedded n-gram LM at least:

1. DEMETR (fr->en, 100 sentences x 35 synthetic perturbations): pairwise accuracy, "the pipeline
   scores mt_sent better than pert_sent", per perturbation type. Each sentence is checked as its own
   document; its score is the pair (pipeline quality score, fluency ``slor_total``) compared
   lexicographically: the quality score (``DocumentResult.score``: MQM penalties of all findings)
   decides when findings differ, and the (common) tie, since most single sentences have no finding,
   is broken by ``slor_total``, the number tqcheck reports per segment in
   ``segments[i].signals.fluency.slor_total`` (summed over the document's scored segments): SLOR
   before its per-token division, the product's number for comparing versions of one sentence (per
   token, SLOR rewards deleting any word less predictable than the sentence's average). Ties on both
   count half (also reported strictly, ties as failures). Further columns replace the tiebreak with
   the per-segment SLOR (token-weighted), with the mean token log-probability (minus log
   perplexity), or drop it (quality score alone).
2. LIG (fr->en Moses output with human post-edits): correlation of segment scores with HTER
   (TER of the MT against its post-edit), and word-level precision/recall of garbled-passage words
   against the words the post-editor changed (Levenshtein word alignment, no shifts).
3. WMT MQM zh->en: character- and span-level precision/recall of garbled-passage findings against
   human error spans.
4. Calibration on fluent text: garbled-passage findings per sentence in ten 40-sentence documents of
   LIG post-edits (lines 1-400 of postedit.en) and three documents of the 100 DEMETR reference-quality
   MT sentences (mt_sent, sorted, 34/33/33); the threshold was tuned for about 0.2.

Data is read from ../shared/eval (never copied into the repository). Usage:
    python benchmarks/eval_detection.py [--lm-model en=DIR] [--lig 1000] [--mqm-extra 1500] [--json out.json]
        [--skip demetr,lig,mqm,calibration]
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import math
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tqcheck.api import Checker  # noqa: E402
from tqcheck.config import Config, parse_pairs  # noqa: E402
from tqcheck.formats import document_from_text  # noqa: E402
from tqcheck.results import DocumentResult  # noqa: E402

GARBLED = "fluency.garbled-passage"
#: DEMETR perturbations that damage fluency (an English-only checker can see them) ...
FLUENCY_TYPES = {
    "minor_id1_repeat2", "minor_id2_repeat4", "critical_id4_codemix", "minor_id12_conj_removed",
    "minor_id13_pos_shift", "minor_id14_word_swap", "minor_id15_case", "minor_id16_function_word",
    "critical_id20_shuffled", "minor_id26_misspelled", "minor_id27_char_removed",
}
#: ... punctuation and letter case (the rules' job) ...
PUNCT_CASE_TYPES = {
    "minor_id28_final_punc_removed", "minor_id29_punc_addition", "minor_id30_tokenized",
    "minor_id31_full_lower", "minor_id32_first_lower",
}
#: ... and the rest change meaning: they need the source (the bilingual issue) or are baselines.
BASELINES = {"base_id33_empty", "base_id33_shuffle_trans", "base_id35_reference"}
WORD_RE = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


# -- helpers -------------------------------------------------------------------------------------
def doc_slor(result: DocumentResult) -> float:
    """Token-weighted SLOR over the document's scored segments (0 when nothing was scored)."""
    num = den = 0.0
    for seg in result.document.segments:
        f = seg.signals.get("fluency")
        if f and f.get("tokens"):
            num += f["slor"] * f["tokens"]
            den += f["tokens"]
    return num / den if den else 0.0


def doc_slor_total(result: DocumentResult) -> float:
    """Sum of the scored segments' ``slor_total`` (0 when nothing was scored)."""
    return sum(f["slor_total"] for seg in result.document.segments
               if (f := seg.signals.get("fluency")) and f.get("tokens"))


def doc_mean_logprob(result: DocumentResult) -> float:
    """Per-token log-probability over the scored segments (minus log perplexity); 0 when none."""
    num = den = 0.0
    for seg in result.document.segments:
        f = seg.signals.get("fluency")
        if f and f.get("tokens"):
            num += f["logprob"]
            den += f["tokens"]
    return num / den if den else 0.0


def run_docs(checker: Checker, texts: list[str], chunk: int = 200) -> list[DocumentResult]:
    out: list[DocumentResult] = []
    for i in range(0, len(texts), chunk):
        report = checker.check_documents([document_from_text(t) for t in texts[i:i + chunk]])
        out.extend(report.documents)
    return out


def pearson(x: list[float], y: list[float]) -> float:
    mx, my = statistics.fmean(x), statistics.fmean(y)
    sx = math.sqrt(sum((a - mx) ** 2 for a in x))
    sy = math.sqrt(sum((b - my) ** 2 for b in y))
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / (sx * sy) if sx and sy else 0.0


def ranks(x: list[float]) -> list[float]:
    order = sorted(range(len(x)), key=lambda i: x[i])
    r = [0.0] * len(x)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and x[order[j + 1]] == x[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(x: list[float], y: list[float]) -> float:
    return pearson(ranks(x), ranks(y))


def prf(tp: float, n_pred: float, n_gold: float) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def garbled_spans(result: DocumentResult) -> list[tuple[int, int]]:
    return [(f.start, f.end) for f in result.findings if f.rule == GARBLED]


# -- 1. DEMETR -----------------------------------------------------------------------------------
def eval_demetr(checker: Checker, folder: Path) -> dict:
    rows = [json.loads(line) for line in (folder / "demetr_french_only.jsonl").open(encoding="utf-8")]
    texts = sorted({r["mt_sent"] for r in rows} | {r["pert_sent"] for r in rows})
    t0 = time.perf_counter()
    results = run_docs(checker, texts)
    elapsed = time.perf_counter() - t0
    key = {t: (res.score, doc_slor_total(res)) for t, res in zip(texts, results, strict=True)}
    key_slor = {t: (res.score, doc_slor(res)) for t, res in zip(texts, results, strict=True)}
    key_ppl = {t: (res.score, doc_mean_logprob(res)) for t, res in zip(texts, results, strict=True)}
    per: dict[str, list[float]] = defaultdict(list)
    per_slor: dict[str, list[float]] = defaultdict(list)
    per_ppl: dict[str, list[float]] = defaultdict(list)
    strict: dict[str, list[float]] = defaultdict(list)
    by_score: dict[str, list[float]] = defaultdict(list)
    identical: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["mt_sent"].strip() == r["pert_sent"].strip():
            identical[r["pert_name"]] += 1  # the perturbation did not apply: nothing to detect
            continue
        a, b = key[r["mt_sent"]], key[r["pert_sent"]]
        per[r["pert_name"]].append(1.0 if a > b else 0.5 if a == b else 0.0)
        strict[r["pert_name"]].append(1.0 if a > b else 0.0)
        c, d = key_slor[r["mt_sent"]], key_slor[r["pert_sent"]]
        per_slor[r["pert_name"]].append(1.0 if c > d else 0.5 if c == d else 0.0)
        c, d = key_ppl[r["mt_sent"]], key_ppl[r["pert_sent"]]
        per_ppl[r["pert_name"]].append(1.0 if c > d else 0.5 if c == d else 0.0)
        by_score[r["pert_name"]].append(1.0 if a[0] > b[0] else 0.5 if a[0] == b[0] else 0.0)
    table = []
    for name in sorted(per, key=lambda n: int(re.search(r"id(\d+)", n).group(1))):  # type: ignore[union-attr]
        group = ("fluency" if name in FLUENCY_TYPES else "punct/case" if name in PUNCT_CASE_TYPES
                 else "baseline" if name in BASELINES else "accuracy")
        table.append({"type": name, "group": group, "n": len(per[name]), "identical": identical[name],
                      "accuracy": statistics.fmean(per[name]), "strict": statistics.fmean(strict[name]),
                      "slor_tiebreak": statistics.fmean(per_slor[name]),
                      "ppl_tiebreak": statistics.fmean(per_ppl[name]),
                      "score_only": statistics.fmean(by_score[name])})
    means = {}
    for column in ("accuracy", "slor_tiebreak", "ppl_tiebreak"):
        for g in ("fluency", "punct/case", "accuracy"):
            means[f"{g} ({column})"] = statistics.fmean(t[column] for t in table if t["group"] == g)
        means[f"fluency+punct/case ({column})"] = statistics.fmean(
            t[column] for t in table if t["group"] in ("fluency", "punct/case"))
    return {"types": table, "means": means, "texts": len(texts), "seconds": round(elapsed, 1)}


# -- 2. LIG --------------------------------------------------------------------------------------
def eval_lig(checker: Checker, folder: Path, n: int, per_doc: int = 20) -> dict:
    import sacrebleu
    from sacremoses import MosesDetokenizer

    detok = MosesDetokenizer(lang="en")
    mt_raw = (folder / "mt-moses.en").read_text("utf-8").splitlines()[:n]
    pe = (folder / "postedit.en").read_text("utf-8").splitlines()[:n]

    def copy(line: str) -> str:
        s = detok.detokenize(line.split())
        return s[:1].upper() + s[1:]

    mt = [copy(line) for line in mt_raw]
    ter = sacrebleu.metrics.TER()
    hter = [ter.sentence_score(h, [r]).score / 100 for h, r in zip(mt, pe, strict=True)]
    # Consecutive lines are consecutive sentences of news articles: documents of `per_doc` lines.
    docs, where = [], []
    for i in range(0, len(mt), per_doc):
        lines = mt[i:i + per_doc]
        text, starts = "", []
        for line in lines:
            starts.append(len(text))
            text += line + "\n\n"
        docs.append(text)
        where.append(starts)
    t0 = time.perf_counter()
    results = run_docs(checker, docs, chunk=25)
    elapsed = time.perf_counter() - t0
    seg_bad, seg_slor, hters = [], [], []
    tp = n_pred = n_gold = 0
    words_total = 0
    flagged_lines = 0
    for d, (res, starts) in enumerate(zip(results, where, strict=True)):
        spans = garbled_spans(res)
        for k, start in enumerate(starts):
            i = d * per_doc + k
            line = mt[i]
            end = start + len(line)
            segs = [s for s in res.document.segments if start <= s.start < end]
            scores = [res.segment_scores.get(s.index, 100.0) for s in segs]
            fl = [s.signals.get("fluency") for s in segs if s.signals.get("fluency", {}).get("tokens")]
            tok = sum(f["tokens"] for f in fl)
            seg_bad.append(100.0 - (min(scores) if scores else 100.0))
            seg_slor.append(-(sum(f["slor"] * f["tokens"] for f in fl) / tok) if tok else 0.0)
            hters.append(hter[i])
            # Word labels: MT words the post-editor did not keep are BAD.
            mw = [(m.start(), m.end(), m.group().lower()) for m in WORD_RE.finditer(line)]
            pw = [m.group().lower() for m in WORD_RE.finditer(pe[i])]
            ok = set()
            matcher = difflib.SequenceMatcher(a=[w for *_, w in mw], b=pw, autojunk=False)
            for block in matcher.get_matching_blocks():
                ok.update(range(block.a, block.a + block.size))
            local = [(a - start, b - start) for a, b in spans if start <= a < end]
            flagged_lines += bool(local)
            for j, (a, b, _) in enumerate(mw):
                bad = j not in ok
                pred = any(a < e and s < b for s, e in local)
                tp += bad and pred
                n_pred += pred
                n_gold += bad
            words_total += len(mw)
    p, r, f1 = prf(tp, n_pred, n_gold)
    return {
        "segments": len(mt), "documents": len(docs), "seconds": round(elapsed, 1),
        "mean_hter": statistics.fmean(hter),
        "pearson_hter_vs_penalty": pearson(hters, seg_bad),
        "spearman_hter_vs_penalty": spearman(hters, seg_bad),
        "pearson_hter_vs_neg_slor": pearson(hters, seg_slor),
        "spearman_hter_vs_neg_slor": spearman(hters, seg_slor),
        "bad_word_rate": n_gold / words_total, "flagged_words": n_pred, "flagged_segments": flagged_lines,
        "word_precision": p, "word_recall": r, "word_f1": f1,
    }


# -- 3. MQM --------------------------------------------------------------------------------------
def load_mqm(folder: Path, extra: int) -> list[tuple[str, str, str, str, list[tuple[int, int]]]]:
    """(system, doc, seg, target, gold spans) in file order; spans of several raters of one segment
    are united (a few rows have no segment id: the target text identifies them)."""
    units: dict[tuple[str, str, str], tuple[str, set[tuple[int, int]]]] = {}

    def add(rows: list[list[str]]) -> None:
        for row in rows:
            if len(row) < 9:
                continue
            system, doc, seg, _rater, _src, target, starts, ends, _errors = row[:9]
            key = (system, doc, seg or target)
            spans = units.setdefault(key, (target, set()))[1]
            for a, b in zip(starts.split(), ends.split(), strict=False):
                if int(a) >= 0 and int(b) > int(a):
                    spans.add((int(a), int(b)))

    with (folder / "2022_zh-en_test_processed.tsv").open(encoding="utf-8", newline="") as fh:
        add(list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:])
    if extra:
        with (folder / "2021_zh-en_processed.tsv").open(encoding="utf-8", newline="") as fh:
            add(list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[:extra])
    return [(k[0], k[1], k[2], t, sorted(s)) for k, (t, s) in units.items()]


def eval_mqm(checker: Checker, folder: Path, extra: int) -> dict:
    units = load_mqm(folder, extra)
    by_doc: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (system, doc, _seg, _t, _s) in enumerate(units):
        by_doc[(system, doc)].append(i)
    texts, where = [], []
    for idx in by_doc.values():
        text, starts = "", []
        for i in idx:
            starts.append((i, len(text)))
            text += units[i][3] + "\n\n"
        texts.append(text)
        where.append(starts)
    t0 = time.perf_counter()
    results = run_docs(checker, texts, chunk=25)
    elapsed = time.perf_counter() - t0
    c_tp = c_pred = c_gold = 0
    s_pred_hit = s_pred = s_gold_hit = s_gold = 0
    seg_tp = seg_pred = seg_gold = 0
    for res, starts in zip(results, where, strict=True):
        spans = garbled_spans(res)
        for i, start in starts:
            target, gold = units[i][3], units[i][4]
            end = start + len(target)
            pred = [(a - start, b - start) for a, b in spans if start <= a < end]
            pchars = {c for a, b in pred for c in range(a, b)}
            gchars = {c for a, b in gold for c in range(a, b)}
            c_tp += len(pchars & gchars)
            c_pred += len(pchars)
            c_gold += len(gchars)
            s_pred += len(pred)
            s_pred_hit += sum(any(a < e and s < b for s, e in gold) for a, b in pred)
            s_gold += len(gold)
            s_gold_hit += sum(any(a < e and s < b for s, e in pred) for a, b in gold)
            seg_pred += bool(pred)
            seg_gold += bool(gold)
            seg_tp += bool(pred) and bool(gold)
    cp, cr, cf = prf(c_tp, c_pred, c_gold)
    sp, sr = (s_pred_hit / s_pred if s_pred else 0.0), (s_gold_hit / s_gold if s_gold else 0.0)
    gp, gr, gf = prf(seg_tp, seg_pred, seg_gold)
    return {
        "segments": len(units), "documents": len(texts), "seconds": round(elapsed, 1),
        "segments_with_errors": seg_gold, "gold_spans": s_gold, "predicted_spans": s_pred,
        "char_precision": cp, "char_recall": cr, "char_f1": cf,
        "span_precision": sp, "span_recall": sr,
        "segment_precision": gp, "segment_recall": gr, "segment_f1": gf,
    }


# -- 4. calibration ------------------------------------------------------------------------------
def eval_calibration(checker: Checker, folder: Path) -> dict:
    pe = (folder / "lig-fr-en" / "postedit.en").read_text("utf-8").splitlines()[:400]
    rows = [json.loads(line) for line in (folder / "demetr-fr" / "demetr_french_only.jsonl").open(encoding="utf-8")]
    mt = sorted({r["mt_sent"] for r in rows})
    lig_docs = ["\n\n".join(pe[i:i + 40]) for i in range(0, len(pe), 40)]
    demetr_docs = ["\n\n".join(mt[i:i + 34]) for i in range(0, len(mt), 34)]
    results = run_docs(checker, lig_docs + demetr_docs)
    counts = [len(garbled_spans(r)) for r in results]
    lig, dem = sum(counts[:len(lig_docs)]), sum(counts[len(lig_docs):])
    return {"documents": len(results), "sentences": len(pe) + len(mt), "findings": lig + dem,
            "per_sentence": (lig + dem) / (len(pe) + len(mt)), "lig_per_sentence": lig / len(pe),
            "demetr_per_sentence": dem / len(mt)}


# -- report --------------------------------------------------------------------------------------
def markdown(res: dict) -> str:
    out = [f"Signals run: {', '.join(res['signals'])}; fluency model: {res['model']}", ""]
    if "demetr" in res:
        d = res["demetr"]
        out += ["**DEMETR fr->en pairwise accuracy** (score = (pipeline quality, fluency slor_total); ties half)",
                "",
                "| perturbation | group | pairs | accuracy (slor_total tiebreak) | strict | SLOR tiebreak | "
                "perplexity tiebreak | quality score alone |", "|---|---|---|---|---|---|---|---|"]
        out += [f"| {t['type']} | {t['group']} | {t['n']} | {t['accuracy']:.3f} | {t['strict']:.3f} | "
                f"{t['slor_tiebreak']:.3f} | {t['ppl_tiebreak']:.3f} | {t['score_only']:.3f} |"
                for t in d["types"]]
        out += ["", "| group | mean accuracy |", "|---|---|"]
        out += [f"| {g} | {v:.3f} |" for g, v in d["means"].items()]
        out += ["", f"{d['texts']} distinct sentences checked in {d['seconds']} s. Pairs whose perturbed "
                "sentence equals the original (the perturbation did not apply) are left out: "
                f"{sum(t['identical'] for t in d['types'])} of 3,500.", ""]
    if "lig" in res:
        g = res["lig"]
        out += [f"**LIG fr->en** (first {g['segments']} segments, {g['documents']} documents of 20; "
                f"mean HTER {g['mean_hter']:.3f}; {g['seconds']} s)", "",
                "| measure | value |", "|---|---|",
                f"| Pearson HTER vs segment penalty (100 - score) | {g['pearson_hter_vs_penalty']:.3f} |",
                f"| Spearman HTER vs segment penalty | {g['spearman_hter_vs_penalty']:.3f} |",
                f"| Pearson HTER vs -SLOR | {g['pearson_hter_vs_neg_slor']:.3f} |",
                f"| Spearman HTER vs -SLOR | {g['spearman_hter_vs_neg_slor']:.3f} |",
                f"| BAD word rate (post-editor changed) | {g['bad_word_rate']:.3f} |",
                f"| garbled-passage words: precision / recall / F1 | {g['word_precision']:.3f} / "
                f"{g['word_recall']:.3f} / {g['word_f1']:.3f} |",
                f"| segments flagged | {g['flagged_segments']} |", ""]
    if "mqm" in res:
        m = res["mqm"]
        out += [f"**WMT MQM zh->en** ({m['segments']} segments in {m['documents']} documents, "
                f"{m['segments_with_errors']} with error spans, {m['gold_spans']} spans; "
                f"{m['seconds']} s)", "",
                "| measure | precision | recall | F1 |", "|---|---|---|---|",
                f"| characters | {m['char_precision']:.3f} | {m['char_recall']:.3f} | {m['char_f1']:.3f} |",
                f"| spans (any overlap) | {m['span_precision']:.3f} | {m['span_recall']:.3f} | |",
                f"| segments (has an error) | {m['segment_precision']:.3f} | {m['segment_recall']:.3f} | "
                f"{m['segment_f1']:.3f} |", ""]
    if "calibration" in res:
        c = res["calibration"]
        out += [f"**Calibration on fluent text** ({c['sentences']} sentences in {c['documents']} documents: "
                "LIG post-edits and DEMETR reference-quality MT): "
                f"{c['findings']} garbled-passage findings, {c['per_sentence']:.3f} per sentence "
                f"(LIG {c['lig_per_sentence']:.3f}, DEMETR {c['demetr_per_sentence']:.3f}).", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--lm-model", action="append", default=[], help="LANG=ID_OR_PATH")
    ap.add_argument("--signals", default=None, help="comma-separated signals (default: all registered)")
    ap.add_argument("--lig", type=int, default=1000, help="LIG segments to use (first N; 0 skips)")
    ap.add_argument("--mqm-extra", type=int, default=1500,
                    help="rows of the 2021 MQM news file added to the 2022 test file (0: test file only)")
    ap.add_argument("--skip", default="", help="comma-separated: demetr,lig,mqm,calibration")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    args = ap.parse_args(argv)
    cfg = Config(lang="en", lm_models=parse_pairs(args.lm_model, "--lm-model", "LANG"), use_cache=False)
    if args.signals:
        cfg = cfg.replace(signals=[s for s in args.signals.split(",") if s])
    checker = Checker(cfg)
    skip = set(args.skip.split(","))
    res: dict = {"signals": [s.name for s in checker.signals],
                 "skipped": [f"{s.signal}: {s.reason}" for s in checker.skipped]}
    fluency = next((s for s in checker.signals if s.name == "fluency"), None)
    res["model"] = fluency.scorer_for("en").model_id if fluency else "none"  # type: ignore[attr-defined]
    if "demetr" not in skip:
        res["demetr"] = eval_demetr(checker, args.eval_dir / "demetr-fr")
    if "lig" not in skip and args.lig:
        res["lig"] = eval_lig(checker, args.eval_dir / "lig-fr-en", args.lig)
    if "mqm" not in skip:
        res["mqm"] = eval_mqm(checker, args.eval_dir / "mqm-zh-en-spans", args.mqm_extra)
    if "calibration" not in skip:
        res["calibration"] = eval_calibration(checker, args.eval_dir)
    print(markdown(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
