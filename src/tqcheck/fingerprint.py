"""Stable finding fingerprints, shared by the baseline and SARIF ``partialFingerprints``.

A fingerprint must survive edits elsewhere in the file (lines added above, paragraphs moved), so it
never uses line numbers or offsets. It hashes the rule id, the document path and the flagged text with
a little context on each side (within its line), whitespace-normalised. Two findings with the same
rule and the same context in one document get an occurrence number (``…:1``, ``…:2``) so they stay
distinct.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath, PureWindowsPath

from tqcheck.document import Document
from tqcheck.findings import Finding

#: Characters of context taken on each side of the flagged span.
CONTEXT_CHARS = 24
#: Bump when the recipe changes: old baselines then stop matching instead of matching wrongly.
FINGERPRINT_VERSION = "v1"

_WS = re.compile(r"\s+")


def normalize_path(path: str) -> str:
    """The path as a baseline stores it: forward slashes, no leading ``./``."""
    if "\\" in path and "/" not in path:
        path = PureWindowsPath(path).as_posix()
    posix = str(PurePosixPath(path))
    while posix.startswith("./"):
        posix = posix[2:]
    return posix


def _context(text: str, f: Finding) -> str:
    # Context stops at line breaks, so lines added or removed around a finding leave it alone.
    before = re.split(r"[\r\n]", text[max(0, f.start - CONTEXT_CHARS) : f.start])[-1]
    span = text[f.start : f.end]
    after = re.split(r"[\r\n]", text[f.end : f.end + CONTEXT_CHARS])[0]
    # Brackets mark where the span sits, so "a |b| c" and "a b| c|" differ.
    return _WS.sub(" ", f"{before}[{span}]{after}")


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:32]


def fingerprints(doc: Document, findings: list[Finding]) -> list[str]:
    """One fingerprint per finding, in order: ``<hash>:<occurrence>``."""
    path = normalize_path(doc.path)
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        base = _digest(FINGERPRINT_VERSION, f.rule, path, _context(doc.text, f))
        seen[base] = seen.get(base, 0) + 1
        out.append(f"{base}:{seen[base]}")
    return out


def finding_fingerprint(doc: Document, findings: list[Finding], index: int) -> str:
    """The fingerprint of ``findings[index]`` (occurrence numbers depend on the whole list)."""
    return fingerprints(doc, findings)[index]
