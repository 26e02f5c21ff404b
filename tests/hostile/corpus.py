"""Hostile and broken inputs, generated on demand (the big ones are never committed).

Each entry: name -> (bytes factory, expectation). ``"ok"`` means tqcheck must produce a report;
``"error:<text>"`` means one clear line on stderr containing <text> and exit code 2.
"""

from __future__ import annotations

import codecs
import random
from collections.abc import Callable

WORDS = ("the coalition meets in Paris on Tuesday and discusses strategy raids training forces "
         "government province army plan ministers members international partners").split()


def _words(n: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    return " ".join(rnd.choice(WORDS) for _ in range(n))


def fifty_mb_single_line() -> bytes:
    chunk = _words(20_000).encode() + b" "
    reps = (50 * 1024 * 1024) // len(chunk) + 1
    return (chunk * reps)[: 50 * 1024 * 1024].rstrip() + b"\n"


CORPUS: dict[str, tuple[Callable[[], bytes], str]] = {
    "binary": (lambda: bytes(range(256)) * 64, "error:binary"),
    "truncated-utf8": (lambda: "Le café est fermé".encode()[:-1], "error:not valid UTF-8"),
    "utf16-bom": (lambda: codecs.BOM_UTF16_LE + "Is it true ? Yes.\n".encode("utf-16-le"), "ok"),
    "utf16-no-bom": (lambda: "Is it true ? Yes.\n".encode("utf-16-be"), "ok"),
    "mixed-encodings": (lambda: "Déjà vu ? ".encode() + "Déjà vu ?".encode("latin-1"), "error:not valid UTF-8"),
    "nul-bytes": (lambda: b"Hello\x00world. " * 100, "error:binary"),
    "million-tiny-lines": (lambda: b"".join(b"line %d\n" % (i % 10) for i in range(1_000_000)), "ok"),
    "zero-width-and-bidi": (
        lambda: "The \u200bcoalition\u200d meets \u202eParis\u202c ? It \u2066works\u2069 .\n".encode(), "ok"),
    "combining-and-emoji": (
        lambda: "Cafe\u0301 👩‍👩‍👧 ok ? The 🇫🇷 flag , then e\u0301te\u0301 .\n".encode(), "ok"),
    "crlf": (lambda: b"First line ?\r\nSecond line ;\r\n\r\nThird .\r\n", "ok"),
    "cr-only": (lambda: b"First line ?\rSecond line ;\r\rThird .\r", "ok"),
    "very-long-word": (lambda: ("a" * 200_000 + " ?\n").encode(), "ok"),
    "nested-markdown": (lambda: ("> " * 5_000 + "deep quote ?\n" + "- " * 5_000 + "deep list ?\n").encode(), "ok"),
    "nested-html": (lambda: ("<div>" * 20_000 + "deep ?" + "</div>" * 20_000 + "\n").encode(), "ok"),
    "only-punctuation": (lambda: ("?!.,;: " * 10_000).encode(), "ok"),
    "only-whitespace-and-masks": (lambda: b"```\ncode ?\n```\n", "ok"),
}

#: Inputs checked as Markdown (by file suffix).
MARKDOWN = {"nested-markdown", "nested-html", "only-whitespace-and-masks"}
