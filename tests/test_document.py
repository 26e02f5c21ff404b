"""Offsets: code points <-> line/column, UTF-8 bytes and UTF-16 units, on hostile text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tqcheck.document import Document, OffsetMap, utf16_len, utf16_to_offset


def test_positions_with_emoji_and_accents() -> None:
    text = "Café 😀 ok\nsecond é line"
    m = OffsetMap(text)
    at = text.index("ok")
    pos = m.position(at)
    assert (pos.line, pos.column) == (1, 8)
    assert pos.column_utf8 == len("Café 😀 ".encode()) + 1 == 12
    assert pos.column_utf16 == 9  # the emoji counts two UTF-16 units
    assert m.position(text.index("line")).line == 2
    assert m.utf16_offset(len(text)) == len(text) + 1


def test_crlf_and_cr_line_endings() -> None:
    for nl in ("\r\n", "\r", "\n"):
        text = f"one{nl}two{nl}three"
        m = OffsetMap(text)
        pos = m.position(text.index("three"))
        assert (pos.line, pos.column) == (3, 1), repr(nl)


def test_check_text_must_keep_length() -> None:
    try:
        Document(text="abc", check_text="ab")
    except ValueError:
        return
    raise AssertionError("a check_text of another length must be refused")


@given(st.text())
def test_offset_conversions_agree_with_encoders(text: str) -> None:
    text = text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates: files cannot hold them
    m = OffsetMap(text)
    for offset in range(0, len(text) + 1, max(1, len(text) // 7 or 1)):
        assert m.utf8_offset(offset) == len(text[:offset].encode("utf-8"))
        assert m.utf16_offset(offset) == len(text[:offset].encode("utf-16-le")) // 2
        assert utf16_to_offset(text, utf16_len(text[:offset])) == offset
        pos = m.position(offset)
        line_start = m.line_starts[pos.line - 1]
        assert line_start + pos.column - 1 == offset
