"""The in-process engine: one Checker (models load once) fed chunks of documents, so signals pool
the sentences of a whole chunk into length-sorted model batches while resume stays fine-grained."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from tqcheck.batch import BatchItem, ChunkOutput, check_chunk


class LocalEngine:
    def __init__(self, config: Any, fmt: str | None, chunk_size: int) -> None:
        from tqcheck.api import Checker

        self.checker = Checker(config)
        self.fmt = fmt
        self.chunk_size = chunk_size

    def run(self, items: Sequence[BatchItem]) -> Iterator[ChunkOutput]:
        for start in range(0, len(items), self.chunk_size):
            yield from check_chunk(self.checker, items[start : start + self.chunk_size], self.fmt)

    def close(self) -> None:
        pass
