"""`tqcheck fix` end to end: every output mode, the input's bytes untouched but for --in-place."""

from __future__ import annotations

import codecs
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SEED, run_tqcheck
from tqcheck.cli import main

TEXT = "How to defeat the Islamic State ? The coalition  meets in Paris .\nIt said : no.\n"
FIXED = "How to defeat the Islamic State? The coalition meets in Paris.\nIt said: no.\n"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tq(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> tuple[int, bytes, str]:
    """Run the CLI in-process: (exit code, stdout bytes, stderr text)."""
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsysbinary.readouterr()
    return int(exc.value.code or 0), out, err.decode("utf-8")


@pytest.fixture
def article(tmp_path: Path) -> Path:
    p = tmp_path / "article.txt"
    p.write_bytes(TEXT.encode("utf-8"))
    return p


def test_stdout_gets_the_corrected_text_and_the_input_is_untouched(article: Path, capsysbinary) -> None:
    before = sha(article)
    code, out, err = tq(capsysbinary, "fix", str(article))
    assert code == 0
    assert out.decode("utf-8") == FIXED
    assert "applied 4 fixes (safe 4)" in err
    assert sha(article) == before


def test_output_file_is_written_and_the_input_is_untouched(article: Path, tmp_path: Path, capsysbinary) -> None:
    before = sha(article)
    target = tmp_path / "out" / "fixed.txt"
    target.parent.mkdir()
    code, out, _ = tq(capsysbinary, "fix", str(article), "--output", str(target))
    assert code == 0 and out == b""
    assert target.read_text("utf-8") == FIXED
    assert sha(article) == before
    assert [p.name for p in target.parent.iterdir()] == ["fixed.txt"]  # no temp files left behind


def test_diff_prints_a_unified_diff_that_patches_the_file(article: Path, capsysbinary) -> None:
    before = sha(article)
    code, out, _ = tq(capsysbinary, "fix", str(article), "--diff")
    diff = out.decode("utf-8")
    assert code == 0
    assert "-How to defeat the Islamic State ? The coalition  meets in Paris .\n" in diff
    assert "+How to defeat the Islamic State? The coalition meets in Paris.\n" in diff
    assert "+It said: no.\n" in diff
    assert sha(article) == before
    if shutil.which("patch"):
        import subprocess

        copy = article.with_name("copy.txt")
        copy.write_bytes(article.read_bytes())
        subprocess.run(["patch", "-s", str(copy)], input=out, check=True)
        assert copy.read_text("utf-8") == FIXED


def test_check_exits_1_when_fixes_would_apply_and_0_when_clean(article: Path, tmp_path: Path,
                                                               capsysbinary) -> None:
    before = sha(article)
    code, out, err = tq(capsysbinary, "fix", str(article), "--check")
    assert (code, out) == (1, b"")
    assert "would apply 4 fixes" in err
    assert sha(article) == before
    clean = tmp_path / "clean.txt"
    clean.write_text(FIXED, "utf-8")
    assert tq(capsysbinary, "fix", str(clean), "--check")[0] == 0


def test_in_place_writes_a_backup_first(article: Path, capsysbinary) -> None:
    original = article.read_bytes()
    os.chmod(article, 0o640)
    code, out, _ = tq(capsysbinary, "fix", str(article), "--in-place")
    assert code == 0 and out == b""
    assert article.read_text("utf-8") == FIXED
    backup = article.with_name("article.txt.bak")
    assert backup.read_bytes() == original
    assert article.stat().st_mode & 0o777 == 0o640
    # A second run refuses to overwrite the only copy of the original.
    article.write_bytes(original)
    code, _, err = tq(capsysbinary, "fix", str(article), "--in-place")
    assert code == 2 and "backup already exists" in err
    assert article.read_bytes() == original and backup.read_bytes() == original


def test_in_place_with_a_custom_suffix_and_nothing_to_fix(tmp_path: Path, article: Path, capsysbinary) -> None:
    code, _, _ = tq(capsysbinary, "fix", str(article), "-i", "--backup-suffix", ".orig")
    assert code == 0 and article.with_name("article.txt.orig").read_text("utf-8") == TEXT
    clean = tmp_path / "clean.txt"
    clean.write_text(FIXED, "utf-8")
    assert tq(capsysbinary, "fix", str(clean), "--in-place")[0] == 0
    assert not clean.with_name("clean.txt.bak").exists()  # nothing changed, nothing written


@pytest.mark.parametrize("encoding,bom,eol", [("utf-8", True, "\r\n"), ("utf-16-le", True, "\r\n"),
                                              ("utf-8", False, "\r")])
def test_encoding_bom_and_line_endings_survive(tmp_path: Path, encoding: str, bom: bool, eol: str,
                                               capsysbinary) -> None:
    marks = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE}
    raw = (marks[encoding] if bom else b"") + TEXT.replace("\n", eol).encode(encoding)
    p = tmp_path / "doc.txt"
    p.write_bytes(raw)
    code, out, _ = tq(capsysbinary, "fix", str(p))
    assert code == 0
    assert out == (marks[encoding] if bom else b"") + FIXED.replace("\n", eol).encode(encoding)
    assert p.read_bytes() == raw
    tq(capsysbinary, "fix", str(p), "--in-place")
    assert p.read_bytes() == out


def test_select_and_ignore_limit_the_fixes(article: Path, capsysbinary) -> None:
    _, out, _ = tq(capsysbinary, "fix", str(article), "--select", "typography.doubled-space")
    assert out.decode() == TEXT.replace("coalition  meets", "coalition meets")
    _, out, _ = tq(capsysbinary, "fix", str(article), "--ignore", "typography.doubled-space")
    assert "coalition  meets" in out.decode() and "State?" in out.decode()


@pytest.mark.parametrize("args,message", [
    (["--in-place", "--diff"], "choose one"),
    (["--in-place", "--output", "x.txt"], "exclude each other"),
    (["--in-place", "--backup-suffix", ""], "needs a backup"),
    (["--apply", "magic"], "unknown fix source"),
])
def test_usage_errors_are_one_line_and_exit_2(article: Path, capsysbinary, args: list[str],
                                              message: str) -> None:
    before = sha(article)
    code, out, err = tq(capsysbinary, "fix", str(article), *args)
    assert code == 2 and message in err and err.count("\n") == 1 and out == b""
    assert sha(article) == before


def test_output_pointing_at_the_input_is_refused(article: Path, capsysbinary) -> None:
    before = sha(article)
    code, _, err = tq(capsysbinary, "fix", str(article), "-o", str(article))
    assert code == 2 and "use --in-place" in err
    assert sha(article) == before


def test_missing_and_binary_inputs_exit_2(tmp_path: Path, capsysbinary) -> None:
    code, _, err = tq(capsysbinary, "fix", str(tmp_path / "nope.txt"))
    assert code == 2 and "no such file" in err
    binary = tmp_path / "b.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    code, _, err = tq(capsysbinary, "fix", str(binary), "--in-place")
    assert code == 2 and "binary" in err
    assert not binary.with_name("b.bin.bak").exists()


def test_several_files_need_a_mode_that_handles_them(tmp_path: Path, article: Path, capsysbinary) -> None:
    other = tmp_path / "other.txt"
    other.write_text("Why ?\n", "utf-8")
    code, _, err = tq(capsysbinary, "fix", str(article), str(other))
    assert code == 2 and "several files" in err
    code, out, _ = tq(capsysbinary, "fix", str(article), str(other), "--diff")
    assert code == 0 and out.count(b"\n+++ ") + out.startswith(b"+++ ") == 2


def test_stdin_to_stdout_in_a_subprocess() -> None:
    proc = run_tqcheck("fix", "-", stdin=TEXT.encode("utf-8"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8") == FIXED


def test_seed_diff_shows_the_typography_fixes_and_leaves_the_seed_alone(tmp_path: Path, capsysbinary) -> None:
    seed = tmp_path / SEED.name
    seed.write_bytes(SEED.read_bytes())
    before = sha(seed)
    code, out, _ = tq(capsysbinary, "fix", str(seed), "--diff")
    diff = out.decode("utf-8")
    assert code == 0
    assert "-How to defeat the Islamic State ? The strategy" in diff
    assert "+How to defeat the Islamic State? The strategy" in diff
    assert "+Anti Islamic State coalition: The reconquest" in diff
    assert sha(seed) == before == sha(SEED)


def test_lexicon_alternatives_apply_only_when_asked(tmp_path: Path, capsysbinary) -> None:
    seed = tmp_path / SEED.name
    seed.write_bytes(SEED.read_bytes())
    _, safe_only, _ = tq(capsysbinary, "fix", str(seed), "--source-lang", "fr", "--diff")
    assert "+US President Barack Obama had recognized" in safe_only.decode("utf-8")  # kept as it was
    code, with_lexicon, err = tq(capsysbinary, "fix", str(seed), "--source-lang", "fr", "--diff",
                                 "--apply", "lexicon")
    diff = with_lexicon.decode("utf-8")
    assert code == 0 and "-US President Barack Obama had recognized" in diff
    assert "+US President Barack Obama had recognized" not in diff and "lexicon 1" in err
    assert seed.read_bytes() == SEED.read_bytes()
