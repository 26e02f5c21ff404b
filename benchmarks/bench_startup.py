"""Start-up and default-check time, as ratios to ``python -c "import typer, rich"``, side by side.

Runs the commands alternately (so machine load hits them alike), N times each, and prints the
medians and their ratios to the ``import typer, rich`` baseline:

- ``tqcheck --help`` (target <= 1.5x the baseline);
- ``tqcheck check SEED --source-lang fr``: the default check of a one-page document (rules, the
  embedded n-gram LM, fix ranking with ``rank_embedder = "auto"``);
- the same with ``--rank-embedder always`` (every lexicon alternative gets the sentence-embedding
  meaning check, which imports torch and loads MiniLM: what the default did before 2026-11-28);
- the same with ``rank_fixes = false`` (no ranking at all: the floor);
- with ``--baseline-src DIR`` (a ``src`` folder of another checkout, e.g. ``git archive`` of the commit
  before a change), the default check with that code too, so before and after are measured in one run.

``--stages`` prints where one in-process default check spends its time (imports, model loads,
signals, ranking, rendering), with this checkout's code or ``--stages-src DIR``'s; ``--importtime``
lists the slowest imports of ``tqcheck.cli``.

    python benchmarks/bench_startup.py [-n 15] [--check-runs 5] [--baseline-src DIR] [--stages] [--importtime]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_f567bacb1f41f539.txt"


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1"}


def _race(commands: dict[str, tuple[list[str], dict[str, str]]], n: int) -> dict[str, float]:
    """Median seconds per command; the commands run in turn, n rounds (after one warm-up round)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(n + 1):
        for name, (cmd, env) in commands.items():
            times[name].append(_time(cmd, env))
    return {name: statistics.median(t[1:]) for name, t in times.items()}


def _startup(n: int) -> None:
    src = _env(ROOT / "src")
    medians = _race({
        "tqcheck --help": ([sys.executable, "-m", "tqcheck", "--help"], src),
        "python -c 'import typer, rich'": ([sys.executable, "-c", "import typer, rich"], src),
    }, n)
    base = medians["python -c 'import typer, rich'"]
    for name, value in medians.items():
        print(f"{name:34s} median {value * 1000:7.1f} ms  {value / base:5.2f}x")
    print(f"ratio {medians['tqcheck --help'] / base:.2f}x (target <= 1.5x)")


def _checks(n: int, baseline_src: Path | None) -> None:
    check = [sys.executable, "-m", "tqcheck", "check", str(SEED), "--source-lang", "fr", "-o", os.devnull]
    here = _env(ROOT / "src")
    with tempfile.TemporaryDirectory() as tmp:
        no_rank = Path(tmp) / "tqcheck.toml"
        no_rank.write_text("rank_fixes = false\n", "utf-8")
        commands = {
            "python -c 'import typer, rich'": ([sys.executable, "-c", "import typer, rich"], here),
            "tqcheck --help": ([sys.executable, "-m", "tqcheck", "--help"], here),
            "check (default: rank_embedder auto)": (check, here),
            "check --rank-embedder always": ([*check, "--rank-embedder", "always"], here),
            "check, rank_fixes = false": ([*check, "-c", str(no_rank)], here),
        }
        if baseline_src is not None:
            commands["check with --baseline-src code"] = (check, _env(baseline_src))
        medians = _race(commands, n)
    base = medians["python -c 'import typer, rich'"]
    default = medians["check (default: rank_embedder auto)"]
    print(f"\n{'command':40s} {'median':>9s} {'x typer,rich':>13s} {'x default check':>16s}   (n={n})")
    for name, value in medians.items():
        print(f"{name:40s} {value:8.2f}s {value / base:12.1f}x {value / default:15.2f}x")


def _stages() -> None:
    """One in-process default check, timed stage by stage (first use of everything: cold caches)."""
    marks: list[tuple[str, float]] = []

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                marks.append((name, time.perf_counter() - t))
        return wrapper

    t_all = time.perf_counter()
    t = time.perf_counter()
    import tqcheck.cli
    from tqcheck import api, ranking
    from tqcheck.config import Config
    from tqcheck.formats import read_document
    from tqcheck.models import hub as hub_module
    from tqcheck.report import RenderOptions, render
    marks.append(("import tqcheck.cli, api, report", time.perf_counter() - t))

    get = hub_module.ModelHub.get
    hub_module.ModelHub.get = lambda self, key, factory: timed(f"  model load: {key[0]}", get)(self, key, factory)
    ranking.measure = timed("  ranking: score (and embed) candidates", ranking.measure)
    try:
        checker = timed("Checker(): prepare signals (rules, models' availability)", api.Checker)(
            Config(source_lang="fr", lang_override=True))
        doc = timed("read the document", read_document)(SEED, None)
        timed("prepare: language detection (lingua), segmentation (pysbd)", checker.prepare)(doc)
        checker.prepare = lambda d: d  # type: ignore[method-assign]
        for signal in checker.signals:
            signal.run = timed(f"signal {signal.name}", signal.run)  # type: ignore[method-assign]
        checker._run_finishers = timed("finisher: fix ranking (total)", checker._run_finishers)  # type: ignore[method-assign]
        report = checker.check_documents([doc])
        timed("render (text)", render)(report, "text", RenderOptions(color=False, width=100))
    finally:
        hub_module.ModelHub.get = get
    total = time.perf_counter() - t_all
    heavy = [m for m in ("torch", "transformers", "sentence_transformers", "lingua", "pysbd", "pocketsphinx",
                         "wordfreq") if m in sys.modules]
    print(f"\nOne default check in process ({Path(tqcheck.cli.__file__).parents[1]}), by stage "
          "(indented lines are inside the one above):")
    for name, seconds in marks:
        print(f"  {seconds:7.3f} s  {name}")
    print(f"  {total:7.3f} s  total (plus interpreter start-up); imported: {', '.join(heavy)}")


def _importtime() -> None:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import tqcheck.cli"],
                         capture_output=True, text=True, env=_env(ROOT / "src")).stderr.splitlines()
    rows = []
    for line in out[1:]:
        parts = line.split("|")
        if len(parts) == 3:
            rows.append((int(parts[1]), parts[2].rstrip()))
    print("\nSlowest imports of tqcheck.cli:")
    for cumulative, name in sorted(rows, reverse=True)[:15]:
        print(f"  {cumulative / 1000:7.1f} ms  {name}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=15, help="rounds for --help vs import typer, rich")
    ap.add_argument("--check-runs", type=int, default=5, help="rounds for the checks (0: skip them)")
    ap.add_argument("--baseline-src", type=Path, help="src folder of another checkout to time side by side")
    ap.add_argument("--stages", action="store_true", help="time one in-process check stage by stage")
    ap.add_argument("--stages-src", type=Path, default=ROOT / "src",
                    help="src folder whose code --stages times (default: this checkout's)")
    ap.add_argument("--importtime", action="store_true")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
    _startup(args.n)
    if args.check_runs:
        _checks(args.check_runs, args.baseline_src)
    if args.stages:
        sys.path.insert(0, str(args.stages_src.resolve()))
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        _stages()
    if args.importtime:
        _importtime()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
