"""Turn raw bytes into text, or refuse them with a message the user can act on."""

from __future__ import annotations

import codecs

from tqcheck.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control characters that never occur in text documents (tab, LF, VT, FF, CR and ESC excluded).
_BINARY_CONTROLS = set(range(0, 9)) | {14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31}


def _guess_bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM shows up as NULs in every other byte of mostly-ASCII text."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def decode(data: bytes, name: str) -> tuple[str, dict[str, object]]:
    """Decode ``data`` (BOMs, UTF-16 with or without BOM, else strict UTF-8).

    Returns the text (BOM removed) and metadata with the encoding and BOM so a writer
    can put them back. Raises :class:`InputError` for empty, binary or undecodable input.
    """
    if not data:
        raise InputError(f"{name}: the file is empty; nothing to check")
    encoding, bom = None, b""
    for mark, enc in _BOMS:
        if data.startswith(mark):
            encoding, bom = enc, mark
            break
    if encoding is None:
        encoding = _guess_bomless_utf16(data) or "utf-8"
    try:
        text = data[len(bom):].decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding == "utf-8" and _looks_binary(data):
            raise InputError(f"{name}: looks like a binary file, not text; give a text document") from None
        raise InputError(
            f"{name}: not valid {encoding.upper()} (bad byte at offset {exc.start + len(bom)}); "
            "re-save the file as UTF-8"
        ) from None
    if _looks_binary_text(text):
        raise InputError(f"{name}: looks like a binary file (control characters), not text")
    if not text.strip():
        raise InputError(f"{name}: the document has no text (only whitespace); nothing to check")
    return text, {"encoding": encoding, "bom": bool(bom)}


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    return b"\0" in sample or sum(b in _BINARY_CONTROLS for b in sample) > len(sample) * 0.02


def _looks_binary_text(text: str) -> bool:
    sample = text[:8192]
    return "\0" in sample or sum(ord(c) in _BINARY_CONTROLS for c in sample) > max(2, len(sample) * 0.02)
