"""Shared tiny translation models for the round-trip and model tests, built once per session.

The models are real Marian folders (SentencePiece + safetensors) with random weights, in the
exact opus-mt id layout, loaded through the same code path as downloaded models.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from tiny_models import build_tiny_marian


@cache
def tiny_pair(base: Path) -> tuple[Path, Path]:
    """(en-fr, fr-en) folders; different seeds so the two directions differ."""
    en_fr = build_tiny_marian(base / "tiny-en-fr", seed=1, d_model=32, pad_last=True)
    fr_en = build_tiny_marian(base / "tiny-fr-en", seed=2, d_model=32, pad_last=True)
    return en_fr, fr_en


def copy_model(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest
