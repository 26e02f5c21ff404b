"""Shared fixtures: the seed document, a CLI runner that captures stdout/stderr separately."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_f567bacb1f41f539.txt"

# Tests never touch the network or the user's cache.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TQCHECK_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "tqcheck-cache"))


@pytest.fixture
def seed_path() -> Path:
    return SEED


def run_tqcheck(*args: str, cwd: Path | None = None, stdin: bytes | None = None,
                env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tqcheck`` in a real subprocess (real exit code, real stderr)."""
    full_env = {**os.environ, **(env or {})}
    src = str(ROOT / "src")
    full_env["PYTHONPATH"] = src + os.pathsep + full_env.get("PYTHONPATH", "")
    # Bytes on stdin give bytes back; otherwise text.
    return subprocess.run(
        [sys.executable, "-m", "tqcheck", *args],
        cwd=cwd or ROOT,
        input=stdin,
        capture_output=True,
        text=stdin is None,
        env=full_env,
        timeout=timeout,
        check=False,
    )
