"""Malicious XML (XLIFF, TMX, TBX glossaries) is refused through the real CLI: one line on
stderr, exit code 2, nothing expanded, nothing fetched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_tqcheck

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xliff [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<xliff version="1.2"><file source-language="en" target-language="fr"><body>
<trans-unit id="1"><source>Laugh</source><target>&lol9;</target></trans-unit>
</body></file></xliff>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xliff version="1.2"><file source-language="en" target-language="fr"><body>
<trans-unit id="1"><source>Secret</source><target>&secret;</target></trans-unit>
</body></file></xliff>
"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<xliff version="1.2"><file source-language="en" target-language="fr"><body/></file></xliff>
"""


@pytest.mark.parametrize("text,expected", [
    (BILLION_LAUGHS, "declares an entity ('lol')"),
    (EXTERNAL_ENTITY, "declares an external entity 'secret' (file:///etc/passwd)"),
    (PARAMETER_ENTITY, "external entity 'remote' (http://127.0.0.1:9/evil.dtd)"),
])
@pytest.mark.parametrize("suffix", [".xlf", ".tmx"])
def test_malicious_xml_is_refused_with_one_line_and_exit_2(tmp_path: Path, text: str, expected: str,
                                                           suffix: str) -> None:
    p = tmp_path / f"evil{suffix}"
    p.write_text(text.replace("xliff", "tmx") if suffix == ".tmx" else text, "utf-8")
    proc = run_tqcheck("check", str(p))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"tqcheck: error: {p}: refused:") and expected in lines[0]
    assert "Traceback" not in proc.stderr and "root:" not in proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_malicious_glossary_is_refused(tmp_path: Path) -> None:
    xlf = Path(__file__).parent / "data" / "bilingual" / "sample-1.2.xlf"
    tbx = tmp_path / "evil.tbx"
    tbx.write_text(EXTERNAL_ENTITY.replace("xliff", "martif"), "utf-8")
    proc = run_tqcheck("check", str(xlf), "--glossary", str(tbx), "--signals", "source")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "refused" in proc.stderr and "external entity" in proc.stderr


def test_malformed_xliff_is_one_line_with_position(tmp_path: Path) -> None:
    p = tmp_path / "broken.xlf"
    p.write_text('<xliff version="1.2">\n<file>\n<body></file></xliff>\n', "utf-8")
    proc = run_tqcheck("check", str(p))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"tqcheck: error: {p}: not well-formed XML (line 3, column 9: mismatched tag)"
