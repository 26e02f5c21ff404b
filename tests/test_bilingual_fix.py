"""``tqcheck fix`` on bilingual files: corrected targets written back into the same format,
every other byte unchanged."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_tqcheck

DATA = Path(__file__).parent / "data" / "bilingual"

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2"><file source-language="fr" target-language="en" datatype="plaintext" original="a">
<body>
  <trans-unit id="1"><source>Comment vaincre l'État islamique ?</source>
    <target>How to defeat the Islamic State ?</target></trans-unit>
  <trans-unit id="2"><source>Termes &amp; conditions : lire</source>
    <target>Terms &amp; <g id="1">conditions</g> : read</target></trans-unit>
</body></file></xliff>
"""


def test_fix_writes_safe_fixes_into_the_xliff_targets(tmp_path: Path) -> None:
    p = tmp_path / "fr-en.xlf"
    p.write_text(XLIFF, "utf-8")
    proc = run_tqcheck("fix", str(p), "-o", str(tmp_path / "out.xlf"))
    assert proc.returncode == 0, proc.stderr
    out = (tmp_path / "out.xlf").read_text("utf-8")
    assert out == XLIFF.replace("Islamic State ?</target>", "Islamic State?</target>").replace(
        '</g> : read', '</g>: read')
    assert p.read_text("utf-8") == XLIFF  # the input is untouched


def test_fix_in_place_on_po_applies_source_fixes_when_asked(tmp_path: Path) -> None:
    p = tmp_path / "fr.po"
    original = (DATA / "sample.po").read_bytes()
    p.write_bytes(original)
    proc = run_tqcheck("fix", str(p), "--in-place", "--apply", "source", "--signals", "source")
    assert proc.returncode == 0, proc.stderr
    fixed = p.read_text("utf-8")
    assert (tmp_path / "fr.po.bak").read_bytes() == original
    assert 'msgstr "Le taux a augmenté de 3,5 pour cent."' in fixed          # number format
    assert 'msgstr "{0} sur {1} terminés"' in fixed                         # placeholder
    assert '"Écrivez à press@example.org "\n"aujourd\'hui."' in fixed      # across wrapped lines
    assert 'msgstr "Les raids ont tué 4\u202f000 combattants en "' not in fixed  # PO: NNBSP stays literal
    assert '"Les raids ont tué 4\u202f000 combattants en "' in fixed
    assert 'msgstr "Comment vaincre l\'État islamique\u202f?"' in fixed
    # Only msgstr lines changed; every msgid, comment and header line is byte-identical.
    before, after = original.decode("utf-8").splitlines(), fixed.splitlines()
    assert len(before) == len(after)
    for a, b in zip(before, after, strict=True):
        if a != b:
            assert a.startswith(('msgstr', '"')) and not a.startswith('"Language'), (a, b)


def test_fix_check_mode_on_tmx_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    p = tmp_path / "m.tmx"
    p.write_bytes((DATA / "sample.tmx").read_bytes())
    proc = run_tqcheck("fix", str(p), "--check", "--apply", "source", "--signals", "source", "--quiet")
    assert proc.returncode == 1
    assert p.read_bytes() == (DATA / "sample.tmx").read_bytes()
