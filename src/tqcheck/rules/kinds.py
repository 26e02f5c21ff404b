"""Matchers for rule kinds that need code (registered with :func:`register_kind`).

Importing this module registers them; see ``engine.py`` for the contract.
"""

from __future__ import annotations

from collections.abc import Iterator

from tqcheck.rules.engine import Match, Rule, register_kind


@register_kind("repeated-word")
def repeated_word(rule: Rule, text: str) -> Iterator[Match]:
    """The same word twice in a row ("the the"), except pairs that are correct English."""
    import re

    allowed = {w.lower() for w in rule.options.get("allowed", [])}
    for m in re.finditer(r"\b(\w+)(\s+)(\1)\b", text, re.I):
        word = m.group(1)
        if word.lower() in allowed or word.isdigit():
            continue
        yield Match(
            m.start(2),
            m.end(3),
            rule.message.format(match=m.group(0), word=word),
            ("",),
        )
