"""Signals: independent checks that read segments and emit findings and per-segment numbers.

The registry maps a signal name to ``module:Class`` so that a signal's heavy imports happen
only when it runs. Adding a signal is adding a line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from tqcheck.document import Document
from tqcheck.findings import Finding
from tqcheck.signals.base import Signal, SignalOutput, SignalUnavailable
from tqcheck.suppress import suppress_findings

if TYPE_CHECKING:
    from tqcheck.config import Config

REGISTRY: dict[str, str] = {
    "rules": "tqcheck.signals.rules:RulesSignal",
    "roundtrip": "tqcheck.signals.roundtrip:RoundTripSignal",
    "source": "tqcheck.signals.source:SourceSignal",
}

#: Post-processors that see every signal's findings for a document and may merge them
#: (e.g. fusing fluency, round-trip and rule evidence into one garbled-passage finding).
#: Each is ``fuse(doc, findings, config) -> findings``.
FUSERS: list[Callable[[Document, list[Finding], Config], list[Finding]]] = []

# Inline `<!-- tqcheck: ignore RULE -->` comments and the `ignore` list: keep this one last.
FUSERS.append(suppress_findings)

#: Stages that run after every fuser, once per check over all documents, with the shared model hub
#: (ranking suggested fixes needs the LM and the embedder, and batches across documents).
#: name -> ``"module:function"`` taking ``(docs, findings, config, hub)`` and returning
#: ``(reason, fix)`` notes that land in the report's ``skipped`` list under that name.
FINISHERS: dict[str, str] = {
    "ranking": "tqcheck.ranking:rank_findings",
}


def load_signal_class(name: str) -> type[Signal]:
    module_name, _, cls = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(module_name), cls)


__all__ = ["FINISHERS", "FUSERS", "REGISTRY", "Signal", "SignalOutput", "SignalUnavailable", "load_signal_class"]
