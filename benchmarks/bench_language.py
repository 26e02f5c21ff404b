"""Source-language guess on real third-party text, and the cost of detection.

Documents are made of ``--size`` consecutive lines of ../shared/eval (never copied here):

- ``lig-fr-en/mt-google.en`` and ``mt-bing.en``: English machine-translated from French (the guess
  should say fr, or stay undecided; any other language is an error);
- ``lig-fr-en/postedit.en``: the same sentences post-edited by a translator (cues mostly removed);
- ``mqm-zh-en-spans``: English translated from Chinese, which is not a candidate (fr/de/es... are
  all wrong; "undecided" is right).

For each corpus: how many documents got each answer, and the time per document of the guess
(rules lexicons, cues, wordfreq, lingua per sentence; no models) next to the time of the rules
signal alone on the same documents, as a ratio.

    python benchmarks/bench_language.py [--size 20] [--docs 100] [--write]
"""

from __future__ import annotations

import argparse
import csv
import platform
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

EVAL = ROOT.parent / "shared" / "eval"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
HEADING = "## bench_language: source-language guess on real translations"


def _lines(name: str) -> list[str]:
    if name.startswith("mqm"):
        out: list[str] = []
        for f in sorted((EVAL / "mqm-zh-en-spans").glob("*.tsv")):
            with f.open(encoding="utf-8") as fh:
                for row in csv.reader(fh, delimiter="\t"):
                    # mt_system, doc_id, seg_id, annotator, source, target, ... (some files lack the header)
                    if len(row) > 5 and row[5] and row[5] != "target":
                        out.append(row[5])
        return list(dict.fromkeys(out))
    return [line.strip() for line in (EVAL / "lig-fr-en" / name).read_text("utf-8").splitlines() if line.strip()]


def _docs(lines: list[str], size: int, count: int) -> list[str]:
    docs = []
    for i in range(0, min(len(lines), size * count), size):
        chunk = lines[i:i + size]
        if len(chunk) == size:
            docs.append("\n\n".join(chunk) + "\n")
    return docs


def run(size: int, count: int) -> list[dict[str, object]]:
    from tqcheck.config import Config
    from tqcheck.formats import document_from_text
    from tqcheck.models.hub import ModelHub
    from tqcheck.segment import segment
    from tqcheck.signals.rules import RulesSignal
    from tqcheck.source_guess import guess_source

    rules = RulesSignal(Config(signals=["rules"]), ModelHub())
    rules.prepare()
    rows = []
    for corpus, expected in [("mt-google.en", "fr"), ("mt-bing.en", "fr"), ("postedit.en", "fr"),
                             ("mqm-zh-en", None)]:
        texts = _docs(_lines(corpus), size, count)
        docs = []
        for t in texts:
            d = document_from_text(t)
            d.language = "en"
            docs.append(segment(d))
        answers: Counter[str] = Counter()
        t0 = time.perf_counter()
        for d in docs:
            answers[guess_source(d, "en").language or "undecided"] += 1
        guess_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rules.run(docs)
        rules_s = time.perf_counter() - t0
        right = answers[expected or "undecided"]
        wrong = sum(v for k, v in answers.items() if k not in (expected, "undecided"))
        rows.append({"corpus": corpus, "expected": expected or "undecided", "docs": len(docs),
                     "answers": dict(answers.most_common()), "right": right, "wrong": wrong,
                     "guess_ms": 1000 * guess_s / len(docs), "ratio": guess_s / rules_s})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20, help="lines per document")
    parser.add_argument("--docs", type=int, default=100, help="documents per corpus")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    if not EVAL.is_dir():
        sys.exit(f"bench_language: {EVAL} not found (the shared evaluation data)")
    rows = run(args.size, args.docs)
    lines = [
        HEADING, "",
        f"`python benchmarks/bench_language.py --size {args.size} --docs {args.docs}` "
        f"({platform.processor() or platform.machine()}, Python {platform.python_version()}); documents of "
        f"{args.size} consecutive lines, English target, no models.", "",
        "| corpus (true source) | docs | expected answer | right | wrong language | all answers | ms/doc "
        "| guess / rules signal |",
        "| --- | ---: | --- | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in rows:
        answers = ", ".join(f"{k} {v}" for k, v in r["answers"].items())  # type: ignore[union-attr]
        lines.append(f"| {r['corpus']} | {r['docs']} | {r['expected']} | {r['right']} | {r['wrong']} | "
                     f"{answers} | {r['guess_ms']:.1f} | {r['ratio']:.2f}× |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        old = RESULTS.read_text("utf-8") if RESULTS.exists() else "# Benchmark results\n"
        pattern = re.compile(re.escape(HEADING) + r".*?(?=\n## |\Z)", re.S)
        new = pattern.sub(text.rstrip("\n"), old) if HEADING in old else old.rstrip("\n") + "\n\n" + text
        RESULTS.write_text(new, "utf-8")


if __name__ == "__main__":
    main()
