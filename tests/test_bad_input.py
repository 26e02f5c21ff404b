"""Bad input: one line on stderr, exit code 2, no traceback, no output file left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SEED, run_tqcheck


def assert_clean_failure(proc, out: Path, must_mention: str) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("tqcheck: error: ")
    assert must_mention in lines[0]
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}.*")), "temporary output left behind"


def test_missing_path(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run_tqcheck("check", str(tmp_path / "nope.txt"), "-o", str(out))
    assert_clean_failure(proc, out, "no such file")


def test_directory_where_a_file_is_needed(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    (tmp_path / "dir").mkdir()
    proc = run_tqcheck("check", str(tmp_path / "dir"), "-o", str(out))
    assert_clean_failure(proc, out, "is a directory")


def test_binary_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    proc = run_tqcheck("check", str(binary), "-o", str(out))
    assert_clean_failure(proc, out, "binary")


def test_invalid_utf8(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Le café est fermé.\n".encode("latin-1"))
    proc = run_tqcheck("check", str(bad), "-o", str(out))
    assert_clean_failure(proc, out, "not valid UTF-8")


@pytest.mark.parametrize("content", [b"", b"   \n\n\t\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    out = tmp_path / "report.json"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(content)
    proc = run_tqcheck("check", str(empty), "-o", str(out))
    assert_clean_failure(proc, out, "empty" if not content else "no text")


def test_unknown_option(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run_tqcheck("check", str(SEED), "--frobnicate", "-o", str(out))
    assert_clean_failure(proc, out, "--frobnicate")


def test_unknown_format(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    proc = run_tqcheck("check", str(SEED), "--format", "pdf", "-o", str(out))
    assert_clean_failure(proc, out, "unknown format 'pdf'")


@pytest.mark.parametrize(
    ("config", "mention"),
    [
        ("lang = 'en'\nfail_undr = 90\n", "unknown configuration key 'fail_undr'"),
        ("lang = \n", "invalid TOML"),
        ("fail_under = 'high'\n", "'fail_under' has the wrong type"),
        ("fail_on = 'severe'\n", "'fail_on' must be one of"),
        ("[penalties]\nblocker = 3\n", "unknown severity 'blocker'"),
    ],
)
def test_broken_config_file(tmp_path: Path, config: str, mention: str) -> None:
    out = tmp_path / "report.json"
    (tmp_path / "tqcheck.toml").write_text(config, "utf-8")
    doc = tmp_path / "doc.txt"
    doc.write_text("A clean sentence.\n", "utf-8")
    proc = run_tqcheck("check", str(doc), "-o", str(out), cwd=tmp_path)
    assert_clean_failure(proc, out, mention)


def test_unwritable_output_directory(tmp_path: Path) -> None:
    out = tmp_path / "missing-dir" / "report.json"
    proc = run_tqcheck("check", str(SEED), "-o", str(out))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "does not exist" in proc.stderr
    assert not out.parent.exists()


def test_input_is_never_modified(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_bytes(SEED.read_bytes())
    before = doc.stat().st_mtime_ns, doc.read_bytes()
    proc = run_tqcheck("check", str(doc), "--format", "json", "-o", str(tmp_path / "r.json"))
    assert proc.returncode == 0
    assert (doc.stat().st_mtime_ns, doc.read_bytes()) == before


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_a_gpu_that_is_not_there_is_one_line_and_exit_2(tmp_path: Path, backend: str) -> None:
    import importlib.util

    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    if backend == "ctranslate2" and importlib.util.find_spec("ctranslate2") is None:
        pytest.skip("ctranslate2 not installed")
    from tiny_models import build_tiny_gpt2

    model = build_tiny_gpt2(tmp_path / "lm")
    doc = tmp_path / "a.txt"
    doc.write_text("The coalition meets in Paris.\n", "utf-8")
    out = tmp_path / "report.json"
    proc = run_tqcheck("check", str(doc), "--lm-model", f"en={model}", "--signals", "fluency", "--device", "cuda",
                       "--backend", backend, "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--device cuda" in lines[0] and "Traceback" not in proc.stderr
    assert not out.exists()


def test_a_gpu_that_is_not_there_stops_the_round_trip_too(tmp_path: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    from mt_fixtures import tiny_pair

    en_fr, fr_en = tiny_pair(tmp_path)
    doc = tmp_path / "a.txt"
    doc.write_text("The coalition meets in Paris.\n", "utf-8")
    proc = run_tqcheck("check", str(doc), "--source-lang", "fr", "--mt-model", f"en-fr={en_fr}", "--mt-model",
                       f"fr-en={fr_en}", "--signals", "roundtrip", "--device", "cuda", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr.count("\n") == 1 and "--device cuda" in proc.stderr and proc.stdout == ""
