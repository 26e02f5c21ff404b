"""Reading documents: encodings, BOMs, UTF-16, and Markdown regions that are never checked."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tqcheck.api import check
from tqcheck.errors import InputError
from tqcheck.formats import read_document

TEXT = "Le café ? Oui : très “bon”.\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM
        (TEXT.encode("utf-16-be"), "utf-16-be"),  # no BOM
    ],
)
def test_encodings_decode_to_the_same_text(tmp_path: Path, data: bytes, encoding: str) -> None:
    p = tmp_path / "doc.txt"
    p.write_bytes(data)
    doc = read_document(p)
    assert doc.text == TEXT
    assert doc.meta["encoding"] == encoding
    assert doc.meta["bom"] is data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def test_nul_bytes_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "doc.txt"
    p.write_bytes(b"hello\x00world " * 10)
    with pytest.raises(InputError, match="binary"):
        read_document(p)


MARKDOWN = """---
title: Le titre ?
---
# Heading ?

Real prose here ? Yes.

```python
x = foo ( 1 , 2 )  # code ?
```

Inline `code ?` stays, see [the link ?](http://example.com/a?b "title ?") and <!-- note ? -->.

    indented code ?

Done .
"""


def test_markdown_masks_code_front_matter_links_and_comments(tmp_path: Path) -> None:
    p = tmp_path / "doc.md"
    p.write_text(MARKDOWN, "utf-8")
    report = check(p)
    doc = report.documents[0].document
    assert doc.format == "markdown"
    # Only prose is checked: the heading, "here ?", the link *text* and "Done ." — never the
    # front matter, code, link target, title or comment; offsets point into the original.
    flagged = [doc.text[f.start - 4 : f.end + 1] for f in report.findings]
    assert flagged == ["ding ?", "here ?", "link ?", "Done ."]
    assert all(doc.text[f.start : f.end] == " " for f in report.findings)


def test_markdown_offsets_point_into_the_original(tmp_path: Path) -> None:
    p = tmp_path / "doc.md"
    p.write_text("Some `code ?` and text ?\n", "utf-8")
    report = check(p)
    [f] = report.findings
    assert p.read_text("utf-8")[f.start - 4 : f.end + 1] == "text ?"
