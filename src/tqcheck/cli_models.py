"""``tqcheck models list|pull|path``: which model each language pair (``--kind mt``) or language
(``--kind lm``, ``--kind embed``) uses, where it lives, and the one command that downloads (``pull`` is
the only place tqcheck ever uses the network)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tqcheck.errors import TqcheckError

models_app = typer.Typer(help="List, download and locate translation, language and embedding models.",
                         rich_markup_mode=None,
                         no_args_is_help=True)

#: What ``pull`` downloads: configs, tokenizers and safetensors weights (never pickles).
PULL_PATTERNS = ["*.json", "*.safetensors", "*.spm", "*.model", "*.txt", "*.vocab"]

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="tqcheck.toml to use.")]
MtOpt = Annotated[list[str] | None, typer.Option("--mt-model", help="SRC-TGT=ID_OR_PATH override.")]


def _config(config_file: Path | None, mt_model: list[str] | None) -> Any:
    from tqcheck.cli import build_config

    return build_config(config_file, mt_model=mt_model)


def _spec_for(cfg: Any, name: str) -> tuple[str, str | None]:
    """A hub id, folder or ``SRC-TGT`` pair -> (model id or folder, pair or None)."""
    from tqcheck.models.registry import model_spec

    parts = name.split("-")
    if len(parts) == 2 and all(p.isalpha() and 2 <= len(p) <= 3 for p in parts) and "/" not in name:
        spec = model_spec(cfg, parts[0], parts[1])
        return spec.model, spec.pair
    return name, None


def _local(model: str) -> tuple[Path | None, str]:
    """(folder, why not) without touching the network."""
    from tqcheck.errors import ModelError
    from tqcheck.models.resolve import resolve_model
    from tqcheck.signals.base import SignalUnavailable

    try:
        return resolve_model(model, purpose="translation", option="--mt-model"), ""
    except SignalUnavailable:
        return None, "not downloaded"
    except ModelError as exc:
        return None, str(exc)


@models_app.command("list")
def models_list(
    pairs: Annotated[list[str] | None, typer.Argument(
        help="Pairs to show, e.g. en-pt (default: every opus-mt pair and configured override); "
        "with --kind lm, languages.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    lang: Annotated[str | None, typer.Option("--lang", help="Only pairs with this language.")] = None,
    kind: Annotated[str, typer.Option(
        "--kind", help="mt (translation pairs), lm (fluency language models) or embed (sentence embeddings).")] = "mt",
    config_file: ConfigOpt = None,
    mt_model: MtOpt = None,
    lm_model: Annotated[list[str] | None, typer.Option("--lm-model", help="LANG=ID_OR_PATH override.")] = None,
    embed_model: Annotated[str | None, typer.Option("--embed-model", help="ID_OR_PATH override.")] = None,
) -> None:
    """Each language pair (or language), the model it resolves to and whether that model is here."""
    from tqcheck.models.ct2 import converted_dir
    from tqcheck.models.registry import known_pairs, model_spec
    from tqcheck.models.translate import model_revision

    if kind not in ("mt", "lm", "embed"):
        raise TqcheckError(f"unknown kind '{kind}'; use mt, lm or embed")
    if fmt not in ("text", "json"):
        raise TqcheckError(f"unknown format '{fmt}'; use text or json")
    if kind != "mt":
        from tqcheck.cli import build_config

        _list_lm_or_embed(kind, pairs, fmt, build_config(config_file, lm_model=lm_model, embed_model=embed_model))
        return
    cfg = _config(config_file, mt_model)
    rows = []
    for pair in pairs or known_pairs(cfg):
        src, _, tgt = pair.partition("-")
        if not src or not tgt or "-" in tgt:
            raise TqcheckError(f"'{pair}' is not a language pair; write SRC-TGT, e.g. en-fr")
        if lang and lang not in (src, tgt):
            continue
        spec = model_spec(cfg, src, tgt)
        folder, why = _local(spec.model)
        ct2 = None
        if folder is not None:
            ct2 = (converted_dir(folder, model_revision(folder), cfg.cache_dir) / "model.bin").is_file()
        rows.append({"pair": pair, "model": spec.model, "family": spec.family, "origin": spec.origin,
                     "codes": [spec.src_code, spec.tgt_code] if spec.src_code else None,
                     "available": folder is not None, "path": str(folder) if folder else None,
                     "ctranslate2_converted": ct2, "note": why or None})
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if fmt != "text":
        raise TqcheckError(f"unknown format '{fmt}'; use text or json")
    width = max([len(r["model"]) for r in rows] + [5])
    lines = [f"{'PAIR':<7}  {'MODEL':<{width}}  {'ORIGIN':<12}  LOCAL"]
    for r in rows:
        here = f"yes  {r['path']}" if r["available"] else f"no   ({r['note']})"
        lines.append(f"{r['pair']:<7}  {r['model']:<{width}}  {r['origin']:<12}  {here}")
    missing = [r["model"] for r in rows if not r["available"]]
    lines.append("")
    lines.append(f"{len(rows) - len(missing)} of {len(rows)} available locally."
                 + (" Download with: tqcheck models pull ID_OR_PAIR" if missing else ""))
    lines.append("Pairs without an entry use the multilingual model (see models/data/mt_models.toml).")
    sys.stdout.write("\n".join(lines) + "\n")


def _list_lm_or_embed(kind: str, langs: list[str] | None, fmt: str, cfg: Any) -> None:
    from tqcheck.models.inventory import embed_rows, lm_rows

    rows = lm_rows(cfg, langs) if kind == "lm" else embed_rows(cfg)
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    width = max([len(r["model"]) for r in rows] + [5])
    lines = [f"{'LANG':<5}  {'MODEL':<{width}}  {'ORIGIN':<10}  LOCAL"]
    for r in rows:
        here = f"yes  {r['path']}" if r["available"] else f"no   ({r['note']})"
        lines.append(f"{r['lang']:<5}  {r['model']:<{width}}  {r['origin']:<10}  {here}")
    lines.append("")
    for r in rows:
        if kind == "lm":
            lines.append(f"{r['lang']}: fluency is scored by " + (r["used"] or "nothing (skipped, with the fix)"))
        else:
            lines.append(f"{r['lang']}: meaning checks (similarity, fix ranking) use " + (
                r["used"] or "nothing (similarity is skipped with the fix; fixes are ranked by fluency alone)"))
    lines.append("'*' is every other language. Download with: tqcheck models pull ID")
    sys.stdout.write("\n".join(lines) + "\n")


@models_app.command("pull")
def models_pull(
    names: Annotated[list[str], typer.Argument(help="Hub ids or language pairs (en-fr).")],
    revision: Annotated[str | None, typer.Option("--revision", help="Branch, tag or commit.")] = None,
    convert: Annotated[bool | None, typer.Option(
        "--convert/--no-convert", help="Also convert for CTranslate2 (default: when installed).")] = None,
    config_file: ConfigOpt = None,
    mt_model: MtOpt = None,
) -> None:
    """Download models on a connected machine (safetensors, configs and tokenizers only)."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        raise TqcheckError("HF_HUB_OFFLINE is set, so nothing can be downloaded; unset it and run "
                           "'tqcheck models pull' again on a connected machine")
    cfg = _config(config_file, mt_model)
    for name in names:
        model, pair = _spec_for(cfg, name)
        if Path(model).expanduser().exists():
            typer.echo(f"{model}: local folder, nothing to download")
            continue
        folder = _download(model, revision)
        _check_downloaded(folder, model)
        label = f"{model} ({pair})" if pair else model
        typer.echo(f"{label}: {folder}")
        from tqcheck.models.translate import ctranslate2_installed

        if convert or (convert is None and ctranslate2_installed()):
            from tqcheck.models.ct2 import convert as ct2_convert
            from tqcheck.models.ct2 import converted_dir
            from tqcheck.models.translate import model_revision

            dest = ct2_convert(folder, converted_dir(folder, model_revision(folder), cfg.cache_dir))
            typer.echo(f"{label}: CTranslate2 copy in {dest}")


def _download(model: str, revision: str | None) -> Path:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, revision=revision, allow_patterns=PULL_PATTERNS))
    except Exception as exc:  # the hub raises many types (HTTP, offline, not found, auth)
        first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0][:300]
        raise TqcheckError(f"{model}: download failed ({exc.__class__.__name__}: {first})") from None


def _check_downloaded(folder: Path, model: str) -> None:
    from tqcheck.models.translate import SAFE_WEIGHTS

    if not any((folder / w).is_file() for w in SAFE_WEIGHTS):
        raise TqcheckError(f"{model}: the repository has no safetensors weights, which tqcheck requires "
                           "(try a revision with model.safetensors, e.g. --revision refs/pr/N)")


@models_app.command("path")
def models_path(
    name: Annotated[str, typer.Argument(help="A hub id, folder or language pair (en-fr).")],
    config_file: ConfigOpt = None,
    mt_model: MtOpt = None,
) -> None:
    """Print the local folder of a model (exit 2 when it is not available here)."""
    cfg = _config(config_file, mt_model)
    model, _pair = _spec_for(cfg, name)
    folder, why = _local(model)
    if folder is None:
        if why == "not downloaded":
            raise TqcheckError(f"{model} is not available locally; run 'tqcheck models pull {model}' "
                               "on a connected machine")
        raise TqcheckError(why)
    typer.echo(str(folder))
