"""How well do the model-free source checks tell a damaged translation from a good one?

DEMETR (French FLORES sentences, ../shared/eval/demetr-fr): each item has a French source, a good
MT (``mt_sent``) and the same MT with one kind of damage (``pert_sent``: numbers replaced, named
entity removed, negation, word removed, punctuation, ...). For each perturbation type we run the
``source`` signal (no models) on both, as TSV documents with an ``fr``/``en`` header, and report

- detected: share of items where the damaged translation costs more MQM penalty than the good one;
- false alarms: share of good translations with at least one finding (and which rules fire).

Usage: python benchmarks/bench_source_demetr.py [--limit N] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "eval" / "demetr-fr" / "demetr_french_only.jsonl"
PENALTY = {"minor": 1, "major": 5, "critical": 25}


def tsv(src: str, tgt: str) -> str:
    clean = [t.replace("\t", " ").replace("\n", " ").strip() for t in (src, tgt)]
    return "fr\ten\n" + "\t".join(clean) + "\n"


def main() -> None:
    from tqcheck.api import Checker
    from tqcheck.config import Config
    from tqcheck.formats import document_from_text

    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=100, help="items per perturbation type")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    if not DATA.is_file():
        sys.exit(f"missing {DATA}")
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    by_type: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        # Items where the perturbation did not apply (no number to replace...) are the good MT again.
        if r["pert_sent"].strip() == r["mt_sent"].strip() or not r.get("pert_check", True):
            continue
        if len(by_type[r["pert_name"]]) < args.limit:
            by_type[r["pert_name"]].append(r)
    # Inconsistency across documents would compare the good and the damaged MT of one source.
    checker = Checker(Config(signals=["source"], ignore=["source.inconsistent-translation"]))

    def cost(src: str, tgt: str) -> tuple[int, list[str]]:
        report = checker.check_documents([document_from_text(tsv(src, tgt), "x.tsv", "tsv")])
        return sum(PENALTY[f.severity.value] for f in report.findings), [f.rule for f in report.findings]

    start = time.perf_counter()
    good_cost: dict[int, tuple[int, list[str]]] = {}
    table = []
    fired: Counter[str] = Counter()
    pairs = 0
    for name in sorted(by_type):
        detected = 0
        new_rules: Counter[str] = Counter()
        for r in by_type[name]:
            key = hash((r["src_sent"], r["mt_sent"]))
            if key not in good_cost:
                good_cost[key] = cost(r["src_sent"], r["mt_sent"])
                fired.update(set(good_cost[key][1]))
            c, rules = cost(r["src_sent"], r["pert_sent"])
            pairs += 1
            if c > good_cost[key][0]:
                detected += 1
                new_rules.update(set(rules) - set(good_cost[key][1]))
        n = len(by_type[name])
        top = ", ".join(f"{r.removeprefix('source.')} {k}" for r, k in new_rules.most_common(3))
        table.append((name, n, detected / n, top))
    elapsed = time.perf_counter() - start
    goods = len(good_cost)
    false_alarm = sum(1 for c, _ in good_cost.values() if c > 0) / goods
    if args.markdown:
        print("| perturbation | items | detected | rules that caught it (count) |\n| --- | --: | --: | --- |")
        for name, n, rate, top in table:
            print(f"| {name} | {n} | {rate:.0%} | {top} |")
    else:
        for name, n, rate, top in table:
            print(f"{name:34s} {n:4d} {rate:6.0%}  {top}")
    print(f"\ngood MT sentences: {goods}; with at least one finding (false alarms): {false_alarm:.1%}")
    print("rules firing on good MT: " + ", ".join(f"{r.removeprefix('source.')} {k}" for r, k in fired.most_common()))
    print(f"{pairs + goods} checks in {elapsed:.1f} s ({(pairs + goods) / elapsed:.0f} pairs/s, source signal only)")


if __name__ == "__main__":
    main()
