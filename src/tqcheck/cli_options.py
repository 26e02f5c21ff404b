"""The command-line options shared by several commands (check, fix, batch, serve): one definition
each, so a flag reads and behaves the same everywhere. Imported by :mod:`tqcheck.cli` and the
command modules; importing it pulls in nothing heavy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="tqcheck.toml to use (default: discover).")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Language of the text (ISO 639-1) or 'auto'.")]
SourceLangOpt = Annotated[str | None, typer.Option(
    "--source-lang", help="Language it was translated from; 'auto' to guess it, 'none' for unknown.")]
SelectOpt = Annotated[list[str] | None, typer.Option("--select", help="Only these rule ids or prefixes.")]
IgnoreOpt = Annotated[list[str] | None, typer.Option("--ignore", help="Leave out these rule ids or prefixes.")]
MtOpt = Annotated[list[str] | None, typer.Option("--mt-model", help="SRC-TGT=ID_OR_PATH translation model.")]
LmOpt = Annotated[list[str] | None, typer.Option("--lm-model", help="LANG=ID_OR_PATH causal language model.")]
EmbedOpt = Annotated[str | None, typer.Option("--embed-model", help="Sentence-embedding model id or folder.")]
SignalsOpt = Annotated[list[str] | None, typer.Option("--signals", help="Signals to run, e.g. rules,fluency.")]
BackendOpt = Annotated[str | None, typer.Option(
    "--backend", help="Model backend for translation and neural LMs: auto (ctranslate2 when installed), "
    "transformers, ctranslate2.")]
RankEmbedderOpt = Annotated[str | None, typer.Option(
    "--rank-embedder", help="Meaning check of ranked fixes by sentence embeddings: auto (model rewrites "
    "only; default), always (every unsafe fix) or never.")]

# Batch options (tqcheck.cli_batch): many documents, report directory, resume, engines.
IncludeOpt = Annotated[list[str] | None, typer.Option(
    "--include", help="In directories, only files matching these globs.")]
ExcludeOpt = Annotated[list[str] | None, typer.Option(
    "--exclude", help="In directories, leave out files matching these globs.")]
ReportDirOpt = Annotated[Path | None, typer.Option(
    "--report-dir", help="Write one report per document and summary.{json,csv,html} here.")]
ResumeOpt = Annotated[bool, typer.Option(
    "--resume", help="Skip documents an earlier run in --report-dir finished.")]
CompareOpt = Annotated[Path | None, typer.Option(
    "--compare", help="Compare with a previous summary.json (shown in the new summary).")]
EngineOpt = Annotated[str, typer.Option("--engine", help="local or ray (needs the 'ray' extra).")]
WorkersOpt = Annotated[int | None, typer.Option("--workers", help="Ray actors (default: autoscale).")]
GpusOpt = Annotated[float, typer.Option("--gpus-per-actor", help="GPUs each Ray actor holds.")]
ChunkOpt = Annotated[int, typer.Option(
    "--chunk-size", help="Documents per pooled model batch and per resume step.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
