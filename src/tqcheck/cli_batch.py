"""``tqcheck check`` with many documents: discovery, the engine, the report directory, the exit code.

Exit codes of a batch: 0 every document was checked and the gate passed; 1 the gate failed;
2 at least one document could not be read or checked (the others are still checked and reported);
130 interrupted (finished documents are kept; ``--resume`` continues).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from tqcheck.errors import EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE, ConfigError


def run_batch_command(paths: list[str], cfg: Any, *, fmt: str | None, output: Path | None,
                      color: bool | None, include: list[str], exclude: list[str],
                      report_dir: Path | None, resume: bool, engine: str, chunk_size: int,
                      workers: int | None, gpus_per_actor: float, compare: Path | None,
                      quiet: bool, width: int, baseline: Path | None = None,
                      write_baseline: Path | None = None, also: list[tuple[str, Path]] | None = None) -> int:
    from tqcheck.atomic import write_atomic
    from tqcheck.batch import BatchOptions, discover, run_batch
    from tqcheck.report import RENDERERS

    if engine not in ("local", "ray"):
        raise ConfigError(f"unknown engine '{engine}'; choose local or ray")
    if engine == "ray" and report_dir is None:
        raise ConfigError("--engine ray writes one report per document: give --report-dir DIR")
    if compare is not None and report_dir is None:
        raise ConfigError("--compare needs --report-dir DIR (the comparison goes into the summary)")
    if report_dir is not None and report_dir.exists() and not report_dir.is_dir():
        raise ConfigError(f"{report_dir}: --report-dir must be a directory")
    if report_dir is not None and (baseline or write_baseline or also):
        raise ConfigError("--baseline, --write-baseline and --report work on one combined report; with "
                          "--report-dir the per-document reports and summary files are the output")
    doc_fmt = fmt or ("json" if report_dir is not None else "text")
    if doc_fmt not in RENDERERS:
        raise ConfigError(f"unknown format '{doc_fmt}'; choose one of {', '.join(RENDERERS)}")
    items = discover(paths, include, exclude, report_dir)
    if not items:
        where = ", ".join(paths)
        kind = "is a directory with" if len(paths) == 1 else "are directories with"
        raise ConfigError(f"{where}: {kind} no documents to check "
                          "(hidden files are skipped; check the --include/--exclude globs)")
    options = BatchOptions(report_dir=report_dir, fmt=doc_fmt if report_dir is not None else None,
                           resume=resume, engine=engine, chunk_size=chunk_size, workers=workers,
                           gpus_per_actor=gpus_per_actor, compare=compare, quiet=quiet)
    result = run_batch(items, cfg, options)
    if report_dir is not None:
        from tqcheck.summary import render_text

        text = render_text(result.summary or {}, report_dir)
        code = result.exit_code
    else:
        text, passed = _combined(result, cfg, doc_fmt, color, output, width, baseline, write_baseline,
                                 also or [])
        code = EXIT_USAGE if result.failed else (EXIT_OK if passed else EXIT_GATE_FAILED)
    if output is not None:
        write_atomic(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return code


def _combined(result: Any, cfg: Any, fmt: str, color: bool | None, output: Path | None, width: int,
              baseline: Path | None, write_baseline: Path | None,
              also: list[tuple[str, Path]]) -> tuple[str, bool]:
    """Without --report-dir: one report over every document, as ``check a b c`` always printed
    (with the baseline and the extra ``--report FORMAT=FILE`` files of the single-document path)."""
    from tqcheck.atomic import write_atomic
    from tqcheck.findings import Skipped
    from tqcheck.report import RenderOptions, render
    from tqcheck.results import Report
    from tqcheck.scoring import evaluate_gate

    report = Report(documents=result.results, signature=result.signature,
                    skipped=[Skipped(s["signal"], s["reason"], s["fix"]) for s in result.skipped])
    report.gate = evaluate_gate(report, cfg)
    if baseline is not None or write_baseline is not None:
        from tqcheck.baseline import apply_gate_baseline

        known = apply_gate_baseline(report, cfg, baseline=baseline, write=write_baseline)
        if write_baseline is not None:
            sys.stderr.write(f"tqcheck: wrote {len(known)} finding(s) to the baseline {write_baseline}\n")
    for extra_fmt, extra_path in also:
        write_atomic(extra_path, render(report, extra_fmt, RenderOptions(color=False, width=100)))
    use_color = color if color is not None else (output is None and sys.stdout.isatty()
                                                 and "NO_COLOR" not in os.environ)
    return render(report, fmt, RenderOptions(color=bool(use_color), width=width)), report.gate.passed
