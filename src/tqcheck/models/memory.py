"""Memory pressure: recognise out-of-memory errors from any backend and run work in batches that
shrink until they fit, instead of failing the whole run."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_OOM_MARKERS = ("out of memory", "can't allocate memory", "cannot allocate memory", "std::bad_alloc",
                "failed to allocate", "cublas_status_alloc_failed")


def is_out_of_memory(exc: BaseException) -> bool:
    """True for MemoryError, torch's (CUDA) OutOfMemoryError and allocator failures of C++ backends."""
    if isinstance(exc, MemoryError):
        return True
    name = type(exc).__name__
    if name in {"OutOfMemoryError", "OutOfMemoryErrorCuda"}:
        return True
    message = str(exc).lower()
    return isinstance(exc, (RuntimeError, OSError)) and any(m in message for m in _OOM_MARKERS)


def release_cached_memory() -> None:
    """Give cached accelerator memory back before retrying (only if torch is already loaded)."""
    torch = sys.modules.get("torch")
    if torch is not None and getattr(torch, "cuda", None) is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def run_adaptive(items: Sequence[T], batch_size: int, run: Callable[[list[T], int], list[R]]) -> tuple[list[R], int]:
    """Run ``run(chunk, batch_size)`` over ``items``; on out-of-memory, halve the batch size and
    retry the chunk that failed. Returns the results in order and the batch size that worked.

    Raises the original error when even a batch of one does not fit.
    """
    results: list[R] = []
    size = max(1, batch_size)
    i = 0
    while i < len(items):
        chunk = list(items[i : i + size * 4])  # several batches per call keeps the backend efficient
        try:
            results.extend(run(chunk, size))
        except BaseException as exc:
            if not is_out_of_memory(exc) or size == 1:
                raise
            release_cached_memory()
            size = max(1, size // 2)
            continue
        i += len(chunk)
    return results, size
