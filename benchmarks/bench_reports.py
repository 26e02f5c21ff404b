"""Render time and size of every report format on a large document.

Checks the seed article repeated N times (rules only) once, then renders the same Report in each
format several times and keeps the best time, so the numbers are the renderers' cost alone. The
JSON report is the baseline: each format's time is also given as a ratio to it.

    python benchmarks/bench_reports.py [--copies 100] [--repeat 3] [--write]

``--write`` replaces the "bench_reports" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SEED = ROOT / "seeds" / "000_f567bacb1f41f539.txt"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
HEADING = "## bench_reports: report formats on a large document"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100, help="seed copies in the document")
    parser.add_argument("--repeat", type=int, default=3, help="renders per format (best kept)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    from tqcheck.api import Checker
    from tqcheck.config import Config
    from tqcheck.formats import document_from_text
    from tqcheck.report import RENDERERS, RenderOptions, render

    text = "\n".join([SEED.read_text("utf-8")] * args.copies)
    t0 = time.perf_counter()
    report = Checker(Config(signals=["rules"])).check_documents([document_from_text(text, "big.txt")])
    check_s = time.perf_counter() - t0
    rows = []
    for fmt in RENDERERS:
        best, size = float("inf"), 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            out = render(report, fmt, RenderOptions(color=False, width=100))
            best = min(best, time.perf_counter() - t)
            size = len(out.encode("utf-8"))
        rows.append((fmt, best, size))
    base = next(t for f, t, _ in rows if f == "json")
    lines = [
        HEADING, "",
        f"`python benchmarks/bench_reports.py --copies {args.copies} --write` ({time.strftime('%Y-%m-%d')})", "",
        f"- Machine: {platform.machine()}, Python {platform.python_version()}; best of {args.repeat} renders",
        f"- Document: the seed x {args.copies} = {len(text):,} characters, {len(report.findings):,} findings "
        f"(rules only; checking took {check_s:.1f} s)", "",
        "| format | render (s) | vs json | output (KB) |", "|---|---:|---:|---:|",
    ]
    lines += [f"| {f} | {t:.3f} | {t / base:.2f}x | {s / 1024:,.0f} |" for f, t, s in rows]
    section = "\n".join(lines) + "\n"
    print(section)
    if args.write:
        old = RESULTS.read_text("utf-8") if RESULTS.exists() else "# Benchmark results\n"
        pattern = re.compile(rf"{re.escape(HEADING)}\n.*?(?=\n## |\Z)", re.S)
        new = pattern.sub(section.rstrip("\n"), old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + section
        RESULTS.write_text(new.rstrip("\n") + "\n", "utf-8")


if __name__ == "__main__":
    main()
