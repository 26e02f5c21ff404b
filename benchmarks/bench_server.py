"""Bounded load test of `tqcheck serve` on loopback: N LanguageTool /v2/check requests, C at a time.

Starts the real command (`tqcheck serve --port 0`) in a subprocess, sends paragraphs of the seed
article (short and long) through LanguageTool's protocol, and reports latency percentiles,
throughput and error counts. As a baseline it times the same checks in-process (no HTTP, no
queue), so the server's overhead shows as a ratio rather than a threshold.

    python benchmarks/bench_server.py [--requests 200] [--concurrency 8] [--signals rules] [--write]

``--write`` replaces the "bench_server" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_f567bacb1f41f539.txt"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
HEADING = "## bench_server: `tqcheck serve` under load"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of already sorted values."""
    k = max(0, min(len(values) - 1, round(q / 100 * len(values) + 0.5) - 1))
    return values[k]


def payloads() -> list[str]:
    """The seed's paragraphs, plus the whole article, so requests vary from ~30 to ~5k chars."""
    text = SEED.read_text("utf-8")
    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [*paras, text]


def start_server(signals: str) -> tuple[subprocess.Popen[str], str]:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
        HF_HUB_OFFLINE="1",
    )
    env.pop("TQCHECK_SERVE_TOKEN", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tqcheck",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--signals",
            signals,
            "--queue-size",
            "64",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    m = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", line)
    if not m:
        proc.kill()
        raise SystemExit(f"server did not start: {line.strip()}")
    return proc, m.group(1)


def wait_ready(client, url: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if client.get(url + "/v2/healthcheck").text == "OK":
                return
        except Exception:
            time.sleep(0.05)
    raise SystemExit("server never became ready")


def baseline(texts: list[str], n: int, signals: str) -> list[float]:
    """The same work in-process, one at a time: check, language detection and the LanguageTool
    mapping, without HTTP or the queue (what the server adds is transport and waiting)."""
    sys.path.insert(0, str(ROOT / "src"))
    from tqcheck.config import Config
    from tqcheck.server.app import languagetool_check
    from tqcheck.server.languagetool import CheckRequest
    from tqcheck.server.service import CheckService

    service = CheckService(Config(signals=signals.split(",")))
    service.warm_up()
    times = []
    for i in range(n):
        start = time.perf_counter()
        req = CheckRequest.from_params({"text": texts[i % len(texts)], "language": "en-US"})
        languagetool_check(service, req)
        times.append(time.perf_counter() - start)
    service.close()
    return sorted(times)


def load(client, url: str, texts: list[str], n: int, concurrency: int):  # type: ignore[no-untyped-def]
    """n requests, ``concurrency`` at a time: status counts, sorted latencies, matches, wall time."""

    def one(i: int) -> tuple[int, float, int]:
        start = time.perf_counter()
        res = client.post(url + "/v2/check", data={"text": texts[i % len(texts)], "language": "en-US"})
        elapsed = time.perf_counter() - start
        return res.status_code, elapsed, len(res.json().get("matches", [])) if res.status_code == 200 else 0

    codes: dict[int, int] = {}
    latencies: list[float] = []
    matches = 0
    wall = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for status, elapsed, found in pool.map(one, range(n)):
            codes[status] = codes.get(status, 0) + 1
            latencies.append(elapsed)
            matches += found
    return codes, sorted(latencies), matches, time.perf_counter() - wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--signals", default="rules")
    ap.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = ap.parse_args()

    import httpx

    texts = payloads()
    proc, url = start_server(args.signals)
    try:
        limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
        with httpx.Client(timeout=120, limits=limits) as client:
            wait_ready(client, url)
            codes, latencies, matches, wall = load(client, url, texts, args.requests, args.concurrency)
            _, serial, _, _ = load(client, url, texts, args.requests, 1)
    finally:
        proc.terminate()
        proc.wait(20)

    base = baseline(texts, args.requests, args.signals)
    p = {q: percentile(latencies, q) * 1000 for q in (50, 90, 99)}
    b = {q: percentile(base, q) * 1000 for q in (50, 90, 99)}
    s1 = {q: percentile(serial, q) * 1000 for q in (50, 90, 99)}
    chars = sum(len(texts[i % len(texts)]) for i in range(args.requests))
    rows = [
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"loopback only; signals: {args.signals}",
        f"- Load: {args.requests} POST /v2/check requests, {args.concurrency} at a time, "
        f"{len(texts)} distinct texts of {min(map(len, texts))}-{max(map(len, texts))} characters "
        f"(seed paragraphs and the whole seed), {chars} characters in all",
        f"- Status codes: {dict(sorted(codes.items()))}; matches returned: {matches}",
        f"- Throughput: {args.requests / wall:.1f} requests/s, {chars / wall / 1000:.1f} k characters/s "
        f"(wall {wall:.2f} s)",
        "",
        "| latency (ms) | p50 | p90 | p99 | max |",
        "|---|---:|---:|---:|---:|",
        f"| through the server, {args.concurrency} concurrent clients | {p[50]:.1f} | {p[90]:.1f} | "
        f"{p[99]:.1f} | {latencies[-1] * 1000:.1f} |",
        f"| through the server, 1 client (no queueing) | {s1[50]:.1f} | {s1[90]:.1f} | {s1[99]:.1f} | "
        f"{serial[-1] * 1000:.1f} |",
        f"| same checks in-process, one at a time (baseline) | {b[50]:.1f} | {b[90]:.1f} | {b[99]:.1f} | "
        f"{base[-1] * 1000:.1f} |",
        "",
        f"p50 ratios: 1 client / in-process {s1[50] / b[50]:.1f}x (HTTP, form parsing, JSON), "
        f"{args.concurrency} clients / 1 client {p[50] / s1[50]:.1f}x (queueing). Checks run one at a "
        f"time on the server's single checker thread, so with {args.concurrency} clients a request's "
        "latency includes waiting for the ones ahead of it; mean service time per request "
        "(wall time / requests) = "
        f"{wall / args.requests * 1000:.1f} ms. The client threads share the machine's CPUs with the "
        "server, and other work on the machine moves these numbers by tens of percent between runs.",
    ]
    report = "\n".join(rows)
    print(report)
    if args.write:
        write_section(report)


def write_section(body: str) -> None:
    text = RESULTS.read_text("utf-8") if RESULTS.exists() else "# Benchmark results\n"
    section = (
        f"{HEADING}\n\n`python benchmarks/bench_server.py --write` ({time.strftime('%Y-%m-%d')})\n\n{body}\n"
    )
    pattern = re.compile(re.escape(HEADING) + r".*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
