"""Start-up time of ``tqcheck --help`` as a ratio to ``python -c "import typer, rich"`` (target <= 1.5x).

Runs both commands alternately (so machine load hits both alike), N times each, and prints the
medians and the ratio. With ``--importtime`` it also lists the slowest imports of ``tqcheck.cli``.

    python benchmarks/bench_startup.py [-n 15] [--importtime]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=15)
    ap.add_argument("--importtime", action="store_true")
    args = ap.parse_args()
    exe = shutil.which("tqcheck", path=os.path.dirname(sys.executable)) or shutil.which("tqcheck")
    cli = [exe, "--help"] if exe else [sys.executable, "-m", "tqcheck", "--help"]
    base = [sys.executable, "-c", "import typer, rich"]
    for cmd in (cli, base):  # warm the file cache
        _time(cmd)
    t_cli, t_base = [], []
    for _ in range(args.n):
        t_cli.append(_time(cli))
        t_base.append(_time(base))
    m_cli, m_base = statistics.median(t_cli), statistics.median(t_base)
    print(f"tqcheck --help            median {m_cli * 1000:7.1f} ms  (n={args.n}, {' '.join(cli[:1])})")
    print(f"python -c 'import typer, rich' median {m_base * 1000:7.1f} ms")
    print(f"ratio {m_cli / m_base:.2f}x (target <= 1.5x)")
    if args.importtime:
        out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import tqcheck.cli"],
                             capture_output=True, text=True).stderr.splitlines()
        rows = []
        for line in out[1:]:
            parts = line.split("|")
            if len(parts) == 3:
                rows.append((int(parts[1]), parts[2].rstrip()))
        for cumulative, name in sorted(rows, reverse=True)[:15]:
            print(f"  {cumulative / 1000:7.1f} ms  {name}")


if __name__ == "__main__":
    main()
