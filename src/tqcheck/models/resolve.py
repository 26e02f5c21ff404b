"""Find a model's local folder from a hub id or a path, without ever touching the network.

A hub lookup with no network hangs for about 46 s here, so check time never asks the hub:
ids resolve only from the local Hugging Face cache; ``tqcheck models pull`` downloads.
"""

from __future__ import annotations

import os
from pathlib import Path

from tqcheck.errors import ModelError
from tqcheck.signals.base import SignalUnavailable


def looks_like_path(id_or_path: str) -> bool:
    return id_or_path.startswith(("/", "./", "../", "~")) or os.sep in id_or_path.rstrip(os.sep).split(
        os.sep, 2
    )[-1] or Path(id_or_path).expanduser().exists()


def ensure_offline() -> None:
    """Make huggingface_hub and transformers never call the network from a check."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def resolve_model(id_or_path: str, *, purpose: str, option: str) -> Path:
    """The local folder for ``id_or_path``.

    Raises :class:`ModelError` for a folder that exists but is not a model (exit 2), and
    :class:`SignalUnavailable` when a hub id is not in the local cache (the signal is skipped).
    """
    p = Path(id_or_path).expanduser()
    if p.exists():
        if not p.is_dir():
            raise ModelError(f"{p}: {purpose} model must be a folder, not a file")
        if not (p / "config.json").is_file() and not (p / "model.bin").is_file():
            raise ModelError(f"{p}: not a model folder (no config.json); check the {option} value")
        return p
    if id_or_path.startswith(("/", "./", "../", "~")):
        raise ModelError(f"{id_or_path}: {purpose} model folder does not exist")
    ensure_offline()
    missing = SignalUnavailable(
        reason=f"{purpose} model '{id_or_path}' is not in the local Hugging Face cache "
        "(tqcheck never downloads during a check)",
        fix=f"run 'tqcheck models pull {id_or_path}' on a connected machine, "
        f"or pass {option} with a local folder",
    )
    if not _maybe_cached(id_or_path):
        raise missing
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(id_or_path, local_files_only=True))
    except Exception:
        raise missing from None


def _maybe_cached(repo_id: str) -> bool:
    """False when the local Hugging Face cache certainly lacks ``repo_id`` (it has no snapshot
    folder for it). Lets a check that has no such model skip importing ``huggingface_hub``'s
    download machinery (httpx and the hub client, 0.2-0.4 s) just to learn that it is missing."""
    try:
        from huggingface_hub import constants
    except ImportError:  # pragma: no cover - a core dependency
        return True
    folder = Path(constants.HF_HUB_CACHE).expanduser() / ("models--" + repo_id.replace("/", "--"))
    return (folder / "snapshots").is_dir()
