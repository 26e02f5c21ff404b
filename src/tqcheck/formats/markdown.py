"""Markdown: everything that is not prose is masked so no signal checks it.

Masked: front matter, fenced and indented code blocks, inline code, HTML comments and
tags, link and image targets, autolinks and reference definitions. Masking keeps the length,
so offsets still point into the original file: blocks become spaces (newlines kept); inline
runs become U+FFFC (OBJECT REPLACEMENT CHARACTER), which is neither space nor word, so
"use `x`." does not look like a space before a full stop and no word is glued to another.
"""

from __future__ import annotations

import re

_FRONT_MATTER = re.compile(r"\A(?:---|\+\+\+)[ \t]*\r?\n.*?^(?:---|\+\+\+|\.\.\.)[ \t]*$", re.S | re.M)
_FENCE_OPEN = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(?:https?|ftp|mailto):[^>\s]+>")
_BARE_URL = re.compile(r"\bhttps?://\S+")
_REF_DEF = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*\S.*$", re.M)


INLINE_MASK = "\ufffc"


def _blank(chars: list[str], start: int, end: int, fill: str = " ") -> None:
    for i in range(start, end):
        if chars[i] not in "\r\n":
            chars[i] = fill


def _fenced_blocks(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos, open_at, fence = 0, -1, ""
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        if open_at < 0:
            m = _FENCE_OPEN.match(stripped)
            if m:
                open_at, fence = pos, m.group(1)
        elif stripped.strip().startswith(fence[0] * len(fence)) and not stripped.strip().strip(fence[0]):
            spans.append((open_at, pos + len(line)))
            open_at = -1
        pos += len(line)
    if open_at >= 0:  # an unclosed fence runs to the end, as CommonMark says
        spans.append((open_at, len(text)))
    return spans


def _indented_blocks(text: str) -> list[tuple[int, int]]:
    """Indented code: 4+ spaces or a tab after a blank line (not list continuations)."""
    spans: list[tuple[int, int]] = []
    pos, prev_blank, in_block, block_start = 0, True, False, 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        indented = body.startswith(("    ", "\t")) and body.strip() != ""
        if indented and (prev_blank or in_block):
            if not in_block:
                in_block, block_start = True, pos
        elif body.strip() and in_block:
            spans.append((block_start, pos))
            in_block = False
        prev_blank = not body.strip()
        pos += len(line)
    if in_block:
        spans.append((block_start, pos))
    return spans


def mask_markdown(text: str) -> str:
    chars = list(text)
    for m in _FRONT_MATTER.finditer(text):
        _blank(chars, m.start(), m.end())
    for start, end in _fenced_blocks(text) + _indented_blocks(text):
        _blank(chars, start, end)
    masked = "".join(chars)
    for pattern, fill in ((_HTML_COMMENT, INLINE_MASK), (_REF_DEF, " "), (_INLINE_CODE, INLINE_MASK),
                          (_AUTOLINK, INLINE_MASK), (_HTML_TAG, INLINE_MASK), (_BARE_URL, INLINE_MASK)):
        for m in pattern.finditer(masked):
            _blank(chars, m.start(), m.end(), fill)
        masked = "".join(chars)
    for m in _LINK_TARGET.finditer(masked):
        _blank(chars, m.start() + 1, m.end(), INLINE_MASK)  # keep "]" so the link text ends where it did
    # Markup characters that are not words: heading marks, emphasis, list bullets, quotes.
    masked = "".join(chars)
    for m in re.finditer(r"^[ \t]*(?:#{1,6}[ \t]|>[ \t]?|[-*+][ \t]|\d+[.)][ \t])", masked, re.M):
        _blank(chars, m.start(), m.end())
    return "".join(chars)
