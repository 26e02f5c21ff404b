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
#: Bilingual formats by suffix (the readers live in xliff.py, po.py, tmx.py, tsv.py).
BILINGUAL_SUFFIXES = {".xlf": "xliff", ".xliff": "xliff", ".sdlxliff": "xliff", ".mxliff": "xliff",
                      ".mqxliff": "xliff", ".po": "po", ".pot": "po", ".tmx": "tmx", ".tsv": "tsv",
                      ".csv": "csv"}
BILINGUAL_FORMATS = {"xliff", "xliff2", "po", "tmx", "tsv", "csv"}
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
    suffix = Path(name).suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in BILINGUAL_SUFFIXES:
        return BILINGUAL_SUFFIXES[suffix]
    head = text[:2000].lstrip()
    if head.startswith("<") and ("<xliff" in head or "<tmx" in head):
        return "xliff" if "<xliff" in head else "tmx"
    return "text"


def document_from_text(text: str, name: str = "<text>", fmt: str = "text", **meta: object) -> Document:
    if fmt in BILINGUAL_FORMATS:
        return read_bilingual(text, name, fmt, meta)
    if fmt == "markdown":
        check_text = mask_markdown(text)
    elif fmt == "text":
        check_text = text
    else:
        raise InputError(f"{name}: unknown input format {fmt!r}; use text, markdown, xliff, po, tmx, tsv or csv")
    return Document(text=text, path=name, check_text=check_text, format=fmt, meta=dict(meta))


def read_document(path: str | os.PathLike[str], fmt: str | None = None) -> Document:
    name = str(path)
    data = read_bytes(name)
    text, meta = decode(data, "<stdin>" if name == "-" else name)
    return document_from_text(text, name, detect_format(name, text, fmt), **meta)


def read_bilingual(text: str, name: str, fmt: str, meta: dict[str, object]) -> Document:
    """A bilingual file: targets checked, sources kept on the segments."""
    if fmt in ("xliff", "xliff2"):
        from tqcheck.formats.xliff import parse_xliff

        doc = parse_xliff(text, name)
    elif fmt == "po":
        from tqcheck.formats.po import parse_po

        doc = parse_po(text, name)
    elif fmt == "tmx":
        from tqcheck.formats.tmx import parse_tmx

        doc = parse_tmx(text, name, target_lang=meta.pop("target_lang", None))  # type: ignore[arg-type]
    else:
        from tqcheck.formats.tsv import parse_table

        doc = parse_table(text, name, fmt)
    doc.meta.update(meta)
    return doc


def _bilingual_module(doc: Document):  # type: ignore[no-untyped-def]
    import importlib

    module = {"xliff": "xliff", "xliff2": "xliff", "po": "po", "tmx": "tmx", "tsv": "tsv", "csv": "tsv"}.get(
        doc.format)
    if module is None or not doc.meta.get("bilingual"):
        raise InputError(f"{doc.path}: write-back needs a bilingual format, not {doc.format}")
    return importlib.import_module(f"tqcheck.formats.{module}")


def write_back_text(doc: Document, edits: object, rejected: list | None = None) -> str:  # type: ignore[type-arg]
    """The bilingual file's text with ``edits`` ((start, end, replacement) in file offsets, or
    objects with those attributes) applied to target texts, escaped for the format; every
    untouched character stays as it was. Edits that cannot be written (in markup, cutting an
    escape in half, outside the targets) are skipped and added to ``rejected``."""
    from tqcheck.formats.bilingual import text_with

    return text_with(doc, edits, _bilingual_module(doc).escaper(doc), rejected)  # type: ignore[arg-type]


def write_back(doc: Document, edits: object, rejected: list | None = None) -> bytes:  # type: ignore[type-arg]
    """:func:`write_back_text` encoded as the input was (same encoding, BOM kept)."""
    from tqcheck.formats.bilingual import encode_like

    return encode_like(doc, write_back_text(doc, edits, rejected))


def read_with_source(path: str | os.PathLike[str], source: str | os.PathLike[str], fmt: str | None = None) -> Document:
    """A plain (or Markdown) target with the source document it was translated from."""
    doc = read_document(path, None if fmt in (None, "auto") else fmt)
    if doc.format in BILINGUAL_FORMATS:
        raise InputError(f"{doc.path}: already holds its sources ({doc.format}); --source is for plain targets")
    text, _ = decode(read_bytes(source), str(source))
    doc.source_text = text
    doc.meta["source_path"] = str(source)
    return doc


def _fuzz_reader(fmt: str):  # type: ignore[no-untyped-def]
    def read(data: bytes) -> Document:
        text, meta = decode(data, "<fuzz>")
        return document_from_text(text, "<fuzz>", fmt, **meta)

    return read


#: Bytes -> Document readers exercised by the fuzz target (tests/fuzz/fuzz_readers.py).
READERS_FOR_FUZZING = [_fuzz_reader("text"), _fuzz_reader("markdown")] + [
    _fuzz_reader(fmt) for fmt in ("xliff", "po", "tmx", "tsv", "csv")]
