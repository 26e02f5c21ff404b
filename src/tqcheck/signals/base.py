"""The contract every signal follows.

A signal is built once per run with the configuration and the shared model hub, is asked to
``prepare`` (load what it needs, or raise :class:`SignalUnavailable` with a reason and a fix),
then ``run`` over a batch of documents. It never prints, never reads files and never knows the
output format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from tqcheck.document import Document
from tqcheck.findings import Finding

if TYPE_CHECKING:
    from tqcheck.config import Config
    from tqcheck.models.hub import ModelHub


class SignalUnavailable(Exception):
    """Raised when a signal cannot run here; it lands in the report's ``skipped`` list."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix


@dataclass
class SignalOutput:
    """What a signal found in one document."""

    findings: list[Finding] = field(default_factory=list)
    #: segment index -> numbers for that segment (stored under the signal's name).
    segments: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: document-level numbers (aggregates, signatures, model ids).
    document: dict[str, Any] = field(default_factory=dict)
    #: Partial unavailability (e.g. one language pair has no model): reason, fix.
    skipped: list[tuple[str, str]] = field(default_factory=list)


class Signal:
    name: ClassVar[str] = "signal"
    #: Human description for ``tqcheck signals``/docs.
    description: ClassVar[str] = ""

    def __init__(self, config: Config, hub: ModelHub) -> None:
        self.config = config
        self.hub = hub

    def prepare(self) -> None:
        """Load models or data once; raise :class:`SignalUnavailable` when that is impossible."""

    def run(self, docs: Sequence[Document]) -> list[SignalOutput]:
        """One output per document, in order. Override to pool work across documents."""
        return [self.check_document(doc) for doc in docs]

    def check_document(self, doc: Document) -> SignalOutput:
        raise NotImplementedError

    def signature(self) -> dict[str, Any]:
        """What makes this signal's numbers reproducible (model ids, revisions, versions)."""
        return {}
