"""Benchmark `tqcheck fix` and the suggestion ranker (numbers, not a test).

1. Safe fixes on a large document (the seed repeated): time to check (rules only), plan and apply,
   as a ratio to checking alone, and the fixes applied.
2. Ranking: constructed candidates for every seed sentence (word dropped, word doubled, neighbours
   swapped) scored with the default LM scorer and embedder, batched in one call (what the ranker
   does) against one candidate at a time; candidates per second and the ratio.
3. Lexicon alternatives with and without the embedder (``rank_embedder`` "always" vs "auto"): every
   English-target lexicon entry with two or more alternatives, on its own ``fires`` examples, ranked
   by fluency gain + similarity and by fluency gain alone: how often the order (and the first choice)
   agree, how many alternatives the meaning check drops, the similarities it sees, and the time.

    python benchmarks/bench_fix.py [--copies 100] [--write] [--only lexicon]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from tqcheck.api import Checker  # noqa: E402
from tqcheck.config import Config  # noqa: E402
from tqcheck.findings import Suggestion  # noqa: E402
from tqcheck.fixes import apply_edits, encode_like, plan  # noqa: E402
from tqcheck.formats import document_from_text  # noqa: E402
from tqcheck.models.hub import ModelHub  # noqa: E402
from tqcheck.ranking import Thresholds, measure, rank_candidates  # noqa: E402
from tqcheck.signals.base import SignalUnavailable  # noqa: E402

SEED = ROOT / "seeds" / "000_f567bacb1f41f539.txt"


def bench_safe_fixes(copies: int) -> list[str]:
    text = "\n\n".join([SEED.read_text("utf-8")] * copies)
    cfg = Config(signals=["rules"], rank_fixes=False)
    checker = Checker(cfg)
    t0 = time.perf_counter()
    report = checker.check_documents([document_from_text(text, "seed-x")])
    t_check = time.perf_counter() - t0
    t1 = time.perf_counter()
    result = report.documents[0]
    fixes = plan(result, cfg)
    fixed = apply_edits(result.document.text, fixes.edits)
    encode_like(fixed, {"encoding": "utf-8", "bom": False})
    t_fix = time.perf_counter() - t1
    return [
        f"- Document: the seed x {copies} = {len(text):,} characters, {len(result.findings):,} findings",
        f"- Check (rules only): {t_check:.2f} s; plan + apply + encode: {t_fix:.3f} s "
        f"({t_fix / t_check:.3f}x the check); {len(fixes.edits):,} safe fixes applied, "
        f"{len(fixes.conflicts)} overlapping skipped",
    ]


def _candidates(sentence: str) -> list[tuple[Suggestion, str]]:
    words = sentence.split(" ")
    out = []
    for i in range(1, len(words) - 1, 3):
        for variant in (words[:i] + words[i + 1 :], words[: i + 1] + words[i:],
                        [*words[: i - 1], words[i], words[i - 1], *words[i + 1 :]]):
            new = " ".join(variant)
            out.append((Suggestion(new, source="roundtrip"), new))
    return out


def bench_ranking() -> list[str]:
    from tqcheck.segment import segment

    hub, cfg = ModelHub(), Config()
    try:
        from tqcheck.models.lm import get_lm_scorer

        lm = get_lm_scorer(cfg, hub, "en")
    except (ImportError, SignalUnavailable) as exc:
        return [f"- Ranking: skipped, no LM scorer ({exc})"]
    try:
        from tqcheck.models.embed import get_embedder

        embedder = get_embedder(cfg, hub)
        emb_name = type(embedder).__name__
    except (ImportError, SignalUnavailable) as exc:
        embedder, emb_name = None, f"none ({exc})"
    doc = segment(document_from_text(SEED.read_text("utf-8")))
    sentences = [s.text for s in doc.segments if len(s.text.split()) >= 6]
    per_sentence = [(s, _candidates(s)) for s in sentences]
    n = sum(len(c) for _, c in per_sentence)
    th = Thresholds.load()
    measure([(sentences[0], sentences[0])], lm, embedder)  # warm-up: load weights, tables
    t0 = time.perf_counter()
    pairs = [(s, new) for s, cands in per_sentence for _, new in cands]
    measure(pairs, lm, embedder)
    t_batch = time.perf_counter() - t0
    kept = sum(len(rank_candidates(s, cands, lm, embedder, th)[0]) for s, cands in per_sentence)
    # One at a time on a sample (the full loop takes minutes on a busy 2-core machine).
    sample = [(s, c) for s, cands in per_sentence for c in cands][:: max(1, n // 40)]
    t1 = time.perf_counter()
    for s, cand in sample:
        rank_candidates(s, [cand], lm, embedder, th)
    t_single = (time.perf_counter() - t1) * n / len(sample)
    return [
        f"- Ranking: {n} candidates for {len(sentences)} seed sentences (word dropped / doubled / swapped);"
        f" LM {type(lm).__name__}, embedder {emb_name}",
        f"- Batched (one scoring call, as the ranker does): {n / t_batch:,.0f} candidates/s ({t_batch:.2f} s)",
        f"- One candidate at a time (timed on {len(sample)}): {n / t_single:,.1f} candidates/s; "
        f"batched is {t_single / t_batch:.1f}x faster",
        f"- Kept by the thresholds at their defaults (damaged sentences should mostly be dropped): "
        f"{kept} of {n} ({kept / n:.0%}; at most {th.keep} per sentence)",
    ]


def bench_lexicon_ranking() -> list[str]:
    """Lexicon alternatives ranked with the embedder (score = gain + 2 * (similarity - 1), meaning
    check) and without it (score = gain), on every entry's own examples."""
    import statistics

    from tqcheck.rules.engine import Context, load_rules

    hub, cfg = ModelHub(), Config()
    try:
        from tqcheck.models.lm import get_lm_scorer

        lm = get_lm_scorer(cfg, hub, "en")
    except (ImportError, SignalUnavailable) as exc:
        return [f"- Lexicon ranking: skipped, no LM scorer ({exc})"]
    t_load = time.perf_counter()
    try:
        from tqcheck.models.embed import get_embedder

        embedder = get_embedder(cfg, hub)
    except (ImportError, SignalUnavailable) as exc:
        return [f"- Lexicon ranking: skipped, no embedder ({exc})"]
    t_load = time.perf_counter() - t_load
    th = Thresholds.load()
    cases: list[tuple[str, list[tuple[Suggestion, str]]]] = []
    single = 0
    for rule in load_rules():
        if rule.kind != "lexicon" or "en" not in rule.languages:
            continue
        for text in rule.fires:
            for m in rule.find(text, Context("en", rule.sources[0])):
                reps = list(dict.fromkeys(r for r in m.replacements if r))
                if len(reps) == 1:
                    single += 1
                cases.append((text, [(Suggestion(r, source="lexicon"), text[: m.start] + r + text[m.end :])
                                     for r in reps]))
    measure([(cases[0][0], cases[0][0])], lm, embedder)  # warm-up
    t0 = time.perf_counter()
    without = [rank_candidates(t, _fresh(c), lm, None, th) for t, c in cases]
    t_without = time.perf_counter() - t0
    t0 = time.perf_counter()
    with_emb = [rank_candidates(t, _fresh(c), lm, embedder, th) for t, c in cases]
    t_with = time.perf_counter() - t0
    multi = [i for i, (_, c) in enumerate(cases) if len(c) >= 2]
    same_order = sum([s.replacement for s in without[i][0]] == [s.replacement for s in with_emb[i][0]]
                     for i in multi)
    same_first = sum([s.replacement for s in without[i][0]][:1] == [s.replacement for s in with_emb[i][0]][:1]
                     for i in multi)
    sims = sorted(float(s.evidence["similarity"]) for kept, dropped in with_emb
                  for s in [*kept, *(d for d, _ in dropped)] if "similarity" in s.evidence)
    meaning_drops = [(cases[i][0], d.replacement, why) for i, (_, dropped) in enumerate(with_emb)
                     for d, why in dropped if why.startswith("changes the meaning")]
    emptied = sum(1 for i, (kept, _) in enumerate(with_emb) if not kept and without[i][0])
    n_alt = sum(len(c) for _, c in cases)
    lines = [
        f"- Lexicon alternatives: {len(cases)} matches of English-target lexicon entries on their own `fires`"
        f" examples, {n_alt} alternatives ({len(multi)} matches with two or more to order, {single} with one)",
        f"- Order of the kept alternatives, with vs without the embedder: same for {same_order} of {len(multi)}"
        f" ({same_order / max(1, len(multi)):.0%}); same first choice for {same_first} of {len(multi)}"
        f" ({same_first / max(1, len(multi)):.0%})",
        f"- Similarity of a sentence with one lexicon alternative to the original: min {sims[0]:.3f}, "
        f"5th percentile {sims[len(sims) // 20]:.3f}, median {statistics.median(sims):.3f} "
        f"(min_similarity = {th.min_similarity:g}); dropped by the meaning check: {len(meaning_drops)} "
        f"alternatives, leaving {emptied} matches with no suggestion that fluency alone keeps one for"
        if sims else "- No similarities measured",
        f"- Time: embedder load {t_load:.1f} s (torch + MiniLM, once per process); ranking all {len(cases)} "
        f"matches {t_with:.2f} s with the embedder vs {t_without:.2f} s without "
        f"({t_with / max(t_without, 1e-9):.1f}x)",
    ]
    lines += [f"  - dropped: {rep!r} in {_short(text)!r} ({why})" for text, rep, why in meaning_drops[:: max(
        1, len(meaning_drops) // 6)][:6]]
    return lines


def _fresh(cands: list[tuple[Suggestion, str]]) -> list[tuple[Suggestion, str]]:
    """New Suggestion objects (ranking writes scores and evidence into them)."""
    return [(Suggestion(s.replacement, source=s.source), new) for s, new in cands]


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=100)
    ap.add_argument("--write", action="store_true", help="append the figures to benchmarks/RESULTS.md")
    ap.add_argument("--only", choices=["lexicon"], help="run only the lexicon ranking comparison")
    args = ap.parse_args()
    if args.only == "lexicon":
        print("\n".join(bench_lexicon_ranking()))
        return
    lines = [
        "## bench_fix: `tqcheck fix` and suggestion ranking",
        "",
        f"`python benchmarks/bench_fix.py --copies {args.copies}` ({date.today().isoformat()})",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        "other work on the machine moves these numbers",
        *bench_safe_fixes(args.copies),
        *bench_ranking(),
        *bench_lexicon_ranking(),
        "",
    ]
    print("\n".join(lines))
    if args.write:
        results = ROOT / "benchmarks" / "RESULTS.md"
        with results.open("a", encoding="utf-8") as fh:
            fh.write("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
