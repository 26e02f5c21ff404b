"""Renderers: the one :class:`~tqcheck.results.Report` in, a string out. They compute nothing new
(line/column conversion from offsets is the one thing they do)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from tqcheck.results import Report


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    width: int = 100
    #: Show the whole text with highlights (terminal/markdown) instead of findings only.
    show_text: bool = True


#: format name -> "module:function"; the function is ``render(report, options) -> str``.
RENDERERS: dict[str, str] = {
    "text": "tqcheck.report.text:render",
    "json": "tqcheck.report.json:render",
    "markdown": "tqcheck.report.markdown:render",
    "html": "tqcheck.report.html:render",
    "sarif": "tqcheck.report.sarif:render",
    "junit": "tqcheck.report.junit:render",
    "github": "tqcheck.report.github:render",
    "rdjsonl": "tqcheck.report.rdjsonl:render",
}


def get_renderer(fmt: str) -> Callable[[Report, RenderOptions], str]:
    module, _, fn = RENDERERS[fmt].partition(":")
    return getattr(importlib.import_module(module), fn)


def render(report: Report, fmt: str, options: RenderOptions | None = None) -> str:
    return get_renderer(fmt)(report, options or RenderOptions())
