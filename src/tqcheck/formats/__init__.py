"""Readers: bytes or files in, :class:`~tqcheck.document.Document` out (not yet segmented)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tqcheck.document import Document
from tqcheck.errors import InputError
from tqcheck.formats.decode import decode
from tqcheck.formats.markdown import mask_markdown

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
#: Refuse absurdly large inputs up front rather than run out of memory on them.
MAX_BYTES = 200 * 1024 * 1024


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """Read a path, or stdin for ``-``; every failure is an :class:`InputError`."""
    name = str(path)
    if name == "-":
        return sys.stdin.buffer.read()
    p = Path(name)
    if not p.exists():
        raise InputError(f"{name}: no such file")
    if p.is_dir():
        raise InputError(f"{name}: is a directory; give a file (or use batch mode with a directory)")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{name}: {size} bytes is larger than the {MAX_BYTES} byte limit")
        return p.read_bytes()
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None


def detect_format(name: str, text: str, requested: str | None = None) -> str:
    if requested and requested != "auto":
        return requested
    if Path(name).suffix.lower() in MARKDOWN_SUFFIXES:
        return "markdown"
    return "text"


def document_from_text(text: str, name: str = "<text>", fmt: str = "text", **meta: object) -> Document:
    if fmt == "markdown":
        check_text = mask_markdown(text)
    elif fmt == "text":
        check_text = text
    else:
        raise InputError(f"{name}: unknown input format {fmt!r}; use text or markdown")
    return Document(text=text, path=name, check_text=check_text, format=fmt, meta=dict(meta))


def read_document(path: str | os.PathLike[str], fmt: str | None = None) -> Document:
    name = str(path)
    data = read_bytes(name)
    text, meta = decode(data, "<stdin>" if name == "-" else name)
    return document_from_text(text, name, detect_format(name, text, fmt), **meta)


def _fuzz_reader(fmt: str):  # type: ignore[no-untyped-def]
    def read(data: bytes) -> Document:
        text, meta = decode(data, "<fuzz>")
        return document_from_text(text, "<fuzz>", fmt, **meta)

    return read


#: Bytes -> Document readers exercised by the fuzz target (tests/fuzz/fuzz_readers.py).
READERS_FOR_FUZZING = [_fuzz_reader("text"), _fuzz_reader("markdown")]
