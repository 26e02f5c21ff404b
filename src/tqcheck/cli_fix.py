"""``tqcheck fix``: apply suggested fixes, printing the corrected text, a diff, or rewriting in place.

The input is never modified except with ``--in-place``, and then only after a backup copy has been
written next to it. Every write is atomic. Exit codes: 0 done (or nothing to fix), 1 with ``--check``
when fixes would apply, 2 for a usage, input, configuration or output error.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from tqcheck.cli import (
    BackendOpt,
    ConfigOpt,
    EmbedOpt,
    IgnoreOpt,
    LangOpt,
    LmOpt,
    MtOpt,
    SelectOpt,
    SignalsOpt,
    SourceLangOpt,
    app,
    build_config,
)
from tqcheck.errors import EXIT_GATE_FAILED, ConfigError, InputError, OutputError

#: Signals that can produce safe fixes; a safe-only run needs no model signal.
SAFE_SIGNALS = ("rules",)


@app.command("fix")
def fix(
    paths: Annotated[list[str], typer.Argument(help="Files to fix ('-' reads stdin).")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the corrected text (or the diff) here instead of stdout.")] = None,
    in_place: Annotated[bool, typer.Option(
        "--in-place", "-i", help="Rewrite the files, keeping the original as FILE.bak.")] = False,
    backup_suffix: Annotated[str, typer.Option(
        "--backup-suffix", help="Suffix of the backup --in-place writes first.")] = ".bak",
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff; write nothing.")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 when fixes would apply.")] = False,
    apply: Annotated[list[str] | None, typer.Option(
        "--apply", help="Also apply unsafe fixes from these sources: rule, lexicon, roundtrip, source, all.")] = None,
    unsafe: Annotated[bool, typer.Option("--unsafe", help="Apply unsafe fixes from every source.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
    config_file: ConfigOpt = None,
    lang: LangOpt = None,
    source_lang: SourceLangOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    mt_model: MtOpt = None,
    lm_model: LmOpt = None,
    embed_model: EmbedOpt = None,
    signals: SignalsOpt = None,
    input_format: Annotated[str | None, typer.Option("--input-format", help="auto, text, markdown.")] = None,
    backend: BackendOpt = None,
    device: Annotated[str | None, typer.Option("--device", help="auto, cpu, cuda.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the model cache.")] = False,
) -> None:
    """Apply suggested fixes: safe ones by default, model and lexicon ones when asked (--apply)."""
    from tqcheck.api import Checker
    from tqcheck.fixes import apply_edits, encode_like, parse_apply, plan

    _check_modes(paths, output, in_place, backup_suffix, diff, check)
    sources = parse_apply(apply, unsafe)
    cfg = build_config(
        config_file, lang=lang, source_lang=source_lang, select=select, ignore=ignore, mt_model=mt_model,
        lm_model=lm_model, embed_model=embed_model, signals=signals, input_format=input_format,
        no_cache=no_cache, backend=backend, device=device,
    )
    if not sources:
        # Safe fixes come from the rules alone, in the rule's own order: no model needs to load.
        changes: dict[str, object] = {"rank_fixes": False}
        if not signals:
            changes["signals"] = [s for s in cfg.signals if s in SAFE_SIGNALS] or cfg.signals
        cfg = cfg.replace(**changes)
    report = Checker(cfg).check_paths(paths)
    would_change = False
    for result in report.documents:
        doc = result.document
        fixes = plan(result, cfg, sources)
        if doc.meta.get("bilingual"):
            # XLIFF, PO, TMX, TSV/CSV: fixes go into the target texts, escaped for the format.
            from tqcheck.formats import write_back_text

            refused: list = []  # type: ignore[type-arg]
            fixed = write_back_text(doc, fixes.edits, refused)
            for r in [] if quiet else refused:
                line = doc.offsets.position(r.edit.start).line
                sys.stderr.write(f"tqcheck: note: {doc.path}:{line}: fix not written ({r.reason})\n")
        else:
            fixed = apply_edits(doc.text, fixes.edits)
        would_change |= fixed != doc.text
        if not quiet:
            _summary(doc.path, fixes, sources, check or diff)
        if diff:
            _emit(output, _unified_diff(doc.text, fixed, doc.path))
        elif check:
            continue
        elif in_place:
            if fixed != doc.text:
                _rewrite_in_place(Path(doc.path), encode_like(doc.text, doc.meta),
                                  encode_like(fixed, doc.meta), backup_suffix)
        else:
            _emit(output, encode_like(fixed, doc.meta))
    if not quiet:
        for s in report.skipped:
            sys.stderr.write(f"tqcheck: note: {s.signal} skipped: {s.reason} (fix: {s.fix})\n")
    if check and would_change:
        raise typer.Exit(EXIT_GATE_FAILED)


def _check_modes(paths: list[str], output: Path | None, in_place: bool, backup_suffix: str, diff: bool,
                 check: bool) -> None:
    if in_place and (diff or check):
        raise ConfigError("--in-place writes the files; --diff and --check write nothing: choose one")
    if in_place and output is not None:
        raise ConfigError("--in-place and --output exclude each other: choose one")
    if in_place and "-" in paths:
        raise ConfigError("--in-place cannot rewrite stdin; drop --in-place to print the corrected text")
    if in_place and not backup_suffix.strip():
        raise ConfigError("--in-place needs a backup: --backup-suffix must not be empty")
    if len(paths) > 1 and not (in_place or diff or check):
        raise ConfigError("several files need --in-place, --diff or --check (the corrected text of one "
                          "file goes to stdout or --output)")
    if paths.count("-") > 1:
        raise ConfigError("stdin ('-') can be given once")
    if output is not None and not check:
        target = output.resolve()
        for p in paths:
            if p != "-" and Path(p).resolve() == target:
                raise ConfigError(f"--output {output} is the input file; use --in-place to rewrite it "
                                  "(a backup is kept)")


def _summary(path: str, fixes: object, sources: frozenset[str], dry: bool) -> None:
    from tqcheck.fixes import FixPlan

    assert isinstance(fixes, FixPlan)
    n = len(fixes.edits)
    verb = "would apply" if dry else "applied"
    by_source: dict[str, int] = {}
    for e in fixes.edits:
        key = "safe" if e.safe else e.source
        by_source[key] = by_source.get(key, 0) + 1
    detail = ", ".join(f"{k} {v}" for k, v in sorted(by_source.items()))
    line = f"{path}: {verb} {n} fix{'es' if n != 1 else ''}" + (f" ({detail})" if detail else "")
    if fixes.conflicts:
        line += f"; {len(fixes.conflicts)} skipped (overlap a chosen fix)"
    if fixes.needs_unsafe:
        needed = sorted({src for _, srcs in fixes.needs_unsafe for src in srcs})
        line += (f"; {len(fixes.needs_unsafe)} unsafe left for review "
                 f"(--apply {','.join(needed)} applies them)")
    sys.stderr.write(line + "\n")


def _unified_diff(before: str, after: str, path: str) -> str:
    if before == after:
        return ""
    name = "stdin" if path in ("-", "<stdin>") else path
    # git's a/ b/ prefixes for relative paths (so `git apply` / `patch -p1` take it); absolute as is.
    old, new = (name, name) if os.path.isabs(name) else (f"a/{name}", f"b/{name}")
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=old, tofile=new)
    out = []
    for line in lines:
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _emit(output: Path | None, data: str | bytes) -> None:
    from tqcheck.atomic import write_atomic

    if output is not None:
        write_atomic(output, data)
        return
    if isinstance(data, str):
        sys.stdout.write(data)
        sys.stdout.flush()
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def _rewrite_in_place(path: Path, original: bytes, fixed: bytes, suffix: str) -> None:
    """Write the backup, then the fixed file, both atomically; refuse if the file moved on meanwhile."""
    from tqcheck.atomic import write_atomic

    backup = path.with_name(path.name + suffix)
    if backup.exists():
        raise OutputError(f"{backup}: backup already exists; move it away or pass --backup-suffix")
    try:
        current = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if current != original:
        raise InputError(f"{path}: the file changed while it was being checked; run tqcheck fix again")
    write_atomic(backup, original)
    with contextlib.suppress(OSError):
        os.chmod(backup, path.stat().st_mode & 0o7777)
    write_atomic(path, fixed)
