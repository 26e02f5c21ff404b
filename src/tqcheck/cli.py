"""The command line: parse options, build the pipeline, render. Nothing else lives here.

Heavy libraries are never imported at module level, so ``tqcheck --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

try:  # typer >= 0.22 vendors its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

from tqcheck import __version__
from tqcheck.cli_options import (  # also what the command modules import from here
    BackendOpt,
    ChunkOpt,
    CompareOpt,
    ConfigOpt,
    EmbedOpt,
    EngineOpt,
    ExcludeOpt,
    GpusOpt,
    IgnoreOpt,
    IncludeOpt,
    LangOpt,
    LmOpt,
    MtOpt,
    QuietOpt,
    RankEmbedderOpt,
    ReportDirOpt,
    ResumeOpt,
    SelectOpt,
    SignalsOpt,
    SourceLangOpt,
    WorkersOpt,
)
from tqcheck.cli_serve import serve as serve_command
from tqcheck.errors import EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE, ConfigError, TqcheckError

app = typer.Typer(
    name="tqcheck",
    help="Check translated text: rules, round-trip translation, LM fluency, explainable fixes.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="List and explain the model-free rules.", invoke_without_command=True,
                        rich_markup_mode=None)
app.add_typer(rules_app, name="rules")
app.add_typer(__import__("tqcheck.cli_models", fromlist=["models_app"]).models_app, name="models")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tqcheck {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """tqcheck: translation-quality checks for editors, CI and batch runs."""


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def build_config(
    config_file: Path | None,
    *,
    lang: str | None = None,
    source_lang: str | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    fail_under: float | None = None,
    fail_on: str | None = None,
    mt_model: list[str] | None = None,
    lm_model: list[str] | None = None,
    embed_model: str | None = None,
    signals: list[str] | None = None,
    input_format: str | None = None,
    no_cache: bool = False,
    backend: str | None = None,
    device: str | None = None,
    glossary: Path | None = None,
    rank_embedder: str | None = None,
):  # type: ignore[no-untyped-def]
    """Configuration file, then flags on top; validated once."""
    from tqcheck.config import load_config, parse_pairs, validate

    cfg = load_config(config_file)
    changes: dict[str, object] = {}
    if lang:
        changes["lang"] = lang
    if source_lang:
        changes["source_lang"] = None if source_lang.lower() in ("none", "unknown") else source_lang
    if lang or source_lang:
        changes["lang_override"] = True
    if glossary is not None:
        changes["glossary"] = str(glossary)
    if select:
        changes["select"] = _split(select)
    if ignore:
        changes["ignore"] = cfg.ignore + _split(ignore)
    if fail_under is not None:
        changes["fail_under"] = fail_under
    if fail_on:
        changes["fail_on"] = fail_on
    if mt_model:
        changes["mt_models"] = {**cfg.mt_models, **parse_pairs(mt_model, "--mt-model", "SRC-TGT")}
    if lm_model:
        changes["lm_models"] = {**cfg.lm_models, **parse_pairs(lm_model, "--lm-model", "LANG")}
    if embed_model:
        changes["embed_model"] = embed_model
    if signals:
        changes["signals"] = _split(signals)
    if input_format:
        changes["input_format"] = input_format
    if no_cache:
        changes["use_cache"] = False
    if backend:
        changes["backend"] = backend
    if device:
        changes["device"] = device
    if rank_embedder:
        changes["rank_embedder"] = rank_embedder
    return validate(cfg.replace(**changes), "command line")




@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(
        help="Files, directories or JSONL/CSV tables to check ('-' reads stdin).")],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="text, json, markdown, ... (default text; json per document with --report-dir)"
    )] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    config_file: ConfigOpt = None,
    lang: LangOpt = None,
    source_lang: SourceLangOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    fail_under: Annotated[float | None, typer.Option("--fail-under", help="Fail below this score.")] = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="Fail on minor|major|critical.")] = None,
    mt_model: MtOpt = None,
    lm_model: LmOpt = None,
    embed_model: EmbedOpt = None,
    signals: SignalsOpt = None,
    rank_embedder: RankEmbedderOpt = None,
    input_format: Annotated[str | None, typer.Option(
        "--input-format", help="auto, text, markdown, xliff, po, tmx, tsv, csv.")] = None,
    backend: BackendOpt = None,
    device: Annotated[str | None, typer.Option("--device", help="auto, cpu, cuda.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the model cache.")] = False,
    color: Annotated[bool | None, typer.Option("--color/--no-color", help="Colour the text report.")] = None,
    source_file: Annotated[str | None, typer.Option(
        "--source", help="The source text a plain target was translated from (aligned by sentence).")] = None,
    glossary: Annotated[Path | None, typer.Option("--glossary", help="Terminology: a CSV or TBX glossary.")] = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="Known findings (from --write-baseline): reported, but only new ones gate.")] = None,
    write_baseline: Annotated[Path | None, typer.Option(
        "--write-baseline", help="Record every current finding in this file, then gate against it.")] = None,
    extra_reports: Annotated[list[str] | None, typer.Option(
        "--report", help="FORMAT=FILE: also write the report in FORMAT to FILE (repeatable).")] = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    report_dir: ReportDirOpt = None,
    resume: ResumeOpt = False,
    compare: CompareOpt = None,
    engine: EngineOpt = "local",
    workers: WorkersOpt = None,
    gpus_per_actor: GpusOpt = 0.0,
    chunk_size: ChunkOpt = 32,
    quiet: QuietOpt = False,
) -> None:
    """Check documents and print a report; the exit code follows the gate."""
    from tqcheck.api import Checker
    from tqcheck.atomic import write_atomic
    from tqcheck.batch import wants_batch
    from tqcheck.report import RENDERERS, RenderOptions, render

    batch = wants_batch(paths, report_dir=report_dir, resume=resume, engine=engine, compare=compare)
    fmt = fmt or ("json" if batch and report_dir is not None else "text")
    if fmt not in RENDERERS:
        raise ConfigError(f"unknown format '{fmt}'; choose one of {', '.join(RENDERERS)}")
    also = _extra_reports(extra_reports)
    cfg = build_config(
        config_file, lang=lang, source_lang=source_lang, select=select, ignore=ignore,
        fail_under=fail_under, fail_on=fail_on, mt_model=mt_model, lm_model=lm_model,
        embed_model=embed_model, signals=signals, input_format=input_format, no_cache=no_cache,
        backend=backend, device=device, glossary=glossary, rank_embedder=rank_embedder,
    )
    if batch and source_file is not None:
        raise ConfigError("--source pairs one source with one target; give exactly one file to check "
                          "(in a batch, give sources in a JSONL/CSV 'source' column or use bilingual files)")
    if batch:
        from tqcheck.cli_batch import run_batch_command

        raise typer.Exit(run_batch_command(
            paths, cfg, fmt=fmt, output=output, color=color, include=_split(include),
            exclude=_split(exclude), report_dir=report_dir, resume=resume, engine=engine,
            chunk_size=chunk_size, workers=workers, gpus_per_actor=gpus_per_actor, compare=compare,
            quiet=quiet, width=100 if output is not None or not sys.stdout.isatty() else _terminal_width(),
            baseline=baseline, write_baseline=write_baseline, also=also))
    checker = Checker(cfg)
    if source_file is not None:
        from tqcheck.formats import read_with_source

        if len(paths) != 1:
            raise ConfigError("--source pairs one source with one target; give exactly one file to check")
        report = checker.check_documents([read_with_source(paths[0], source_file, cfg.input_format)])
    else:
        report = checker.check_paths(paths)
    if baseline is not None or write_baseline is not None:
        from tqcheck.baseline import apply_gate_baseline

        known = apply_gate_baseline(report, cfg, baseline=baseline, write=write_baseline)
        if write_baseline is not None:
            sys.stderr.write(f"tqcheck: wrote {len(known)} finding(s) to the baseline {write_baseline}\n")
    use_color = color if color is not None else (output is None and sys.stdout.isatty()
                                                 and "NO_COLOR" not in os.environ)
    width = 100 if output is not None or not sys.stdout.isatty() else None
    text = render(report, fmt, RenderOptions(color=bool(use_color), width=width or _terminal_width()))
    for extra_fmt, extra_path in also:
        write_atomic(extra_path, render(report, extra_fmt, RenderOptions(color=False, width=100)))
    if output is not None:
        write_atomic(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if not report.gate.passed:
        raise typer.Exit(EXIT_GATE_FAILED)


def _extra_reports(values: list[str] | None) -> list[tuple[str, Path]]:
    """``--report sarif=out.sarif``: one run, several report files (CI wants annotations and SARIF)."""
    from tqcheck.report import RENDERERS

    out = []
    for item in values or []:
        extra_fmt, sep, path = item.partition("=")
        if not sep or not path:
            raise ConfigError(f"--report expects FORMAT=FILE, got {item!r}")
        if extra_fmt not in RENDERERS:
            raise ConfigError(f"--report: unknown format '{extra_fmt}'; choose one of {', '.join(RENDERERS)}")
        out.append((extra_fmt, Path(path)))
    return out


def _terminal_width() -> int:
    import shutil

    return max(60, min(shutil.get_terminal_size((100, 24)).columns, 160))


@rules_app.callback()
def rules_list(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    select: SelectOpt = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Only rules for this target language.")] = None,
    source_lang: SourceLangOpt = None,
) -> None:
    """List every rule with its id, category, severity and languages."""
    if ctx.invoked_subcommand is not None:
        return
    from tqcheck.rules.docs import render_rule_list

    sys.stdout.write(render_rule_list(fmt, select=_split(select), lang=lang, source=source_lang))


@rules_app.command("explain")
def rules_explain(
    rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. typography.space-before-punctuation")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """What a rule does, why it matters, an example and its fix."""
    from tqcheck.rules.docs import render_rule_explanation

    sys.stdout.write(render_rule_explanation(rule_id, fmt))


app.command("serve")(serve_command)
import tqcheck.cli_fix  # noqa: E402, F401  (registers `tqcheck fix`)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: user errors become one line on stderr and exit code 2."""
    prog = "tqcheck"
    try:
        code = app(args=argv, prog_name=prog, standalone_mode=False)
    except TqcheckError as exc:
        sys.stderr.write(f"{prog}: error: {exc}\n")
        sys.exit(exc.exit_code)
    except click_exceptions.NoArgsIsHelpError as exc:
        sys.stdout.write(exc.ctx.get_help() + "\n")
        sys.exit(EXIT_OK)
    except click_exceptions.UsageError as exc:
        message = " ".join(exc.format_message().split())
        sys.stderr.write(f"{prog}: error: {message}\n")
        sys.exit(EXIT_USAGE)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write(f"{prog}: interrupted\n")
        sys.exit(130)
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
