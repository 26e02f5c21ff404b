"""`tqcheck --help` must not import heavy libraries (they load on first use)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, run_tqcheck

HEAVY = ("torch", "transformers", "ctranslate2", "sentence_transformers", "ray", "lingua", "pysbd")


def test_importing_the_cli_pulls_no_heavy_library() -> None:
    code = (
        "import sys, tqcheck.cli, tqcheck.api, tqcheck.report.text;"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(ROOT / "src")})
    assert proc.stdout.strip() == ""


def test_help_and_version() -> None:
    proc = run_tqcheck("--help")
    assert proc.returncode == 0 and "check" in proc.stdout
    proc = run_tqcheck("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("tqcheck ")


def test_python_dash_m_and_console_script_agree() -> None:
    proc = run_tqcheck("check", "--help")
    assert proc.returncode == 0 and "--fail-under" in proc.stdout
