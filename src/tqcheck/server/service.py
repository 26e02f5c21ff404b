"""One Checker for the whole server, and the bounded queue that feeds it.

Models are not thread-safe and are loaded once, so every check runs on a single worker thread
(under the hub's ``use_lock`` as well, in case anything else shares the hub). The HTTP side
waits on that thread with a deadline; a full queue answers at once instead of piling up.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tqcheck.api import Checker
from tqcheck.config import Config
from tqcheck.document import Document
from tqcheck.formats import document_from_text
from tqcheck.results import Report

T = TypeVar("T")

#: Document.meta keys the server sets: the language the client asked for (or "auto").
META_LANGUAGE = "tqcheck.serve.language"
META_SOURCE = "tqcheck.serve.source_language"


class QueueFull(Exception):
    """More requests are waiting than the queue holds (HTTP 503)."""


class CheckTimeout(Exception):
    """A check ran past the per-request deadline (HTTP 504)."""


class ServerChecker(Checker):
    """A Checker whose language comes from each request rather than from the configuration.

    ``Checker.prepare`` reads ``config.lang``/``config.source_lang``; here they are swapped for the
    request's values for the duration of the call. That is safe because only the one worker
    thread ever calls it.
    """

    def prepare(self, doc: Document) -> Document:
        lang = doc.meta.pop(META_LANGUAGE, None)
        source = doc.meta.pop(META_SOURCE, None)
        if lang is None and source is None:
            return super().prepare(doc)
        saved = self.config
        self.config = saved.replace(lang=lang or saved.lang, source_lang=source or saved.source_lang)
        try:
            return super().prepare(doc)
        finally:
            self.config = saved


@dataclass
class Stats:
    checks: int = 0
    rejected: int = 0
    timeouts: int = 0
    busy_seconds: float = 0.0


class CheckService:
    """Runs checks one at a time on a dedicated thread, with a bounded queue and a deadline."""

    def __init__(self, config: Config, *, queue_size: int = 16, timeout: float = 60.0) -> None:
        self.checker = ServerChecker(config)
        self.queue_size = queue_size
        self.timeout = timeout
        self.stats = Stats()
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="tqcheck-check")
        self._pending = 0
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        return self._pending

    def check_text(
        self,
        text: str,
        *,
        language: str,
        source_language: str | None = None,
        fmt: str = "text",
        name: str = "<text>",
    ) -> Report:
        """Check one text (on the calling thread: call it through :meth:`run`)."""
        doc = document_from_text(text, name, fmt)
        doc.meta[META_LANGUAGE] = language
        if source_language:
            doc.meta[META_SOURCE] = source_language
        return self.checker.check_documents([doc])

    def _guarded(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        start = time.perf_counter()
        try:
            with self.checker.hub.use_lock:
                return fn(*args, **kwargs)
        finally:
            self.stats.busy_seconds += time.perf_counter() - start
            self.stats.checks += 1

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Queue ``fn`` onto the worker thread and wait for it, at most ``timeout`` seconds."""
        with self._lock:
            if self._pending >= self.queue_size:
                self.stats.rejected += 1
                raise QueueFull(f"{self._pending} checks are already queued (limit {self.queue_size})")
            self._pending += 1
        try:
            future = self._pool.submit(self._guarded, fn, *args, **kwargs)
            try:
                # wait_for cancels the wrapper on timeout, which cancels the job if it has not
                # started yet; a job already running finishes and its result is dropped.
                return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
            except (asyncio.TimeoutError, TimeoutError):
                self.stats.timeouts += 1
                raise CheckTimeout(f"the check took longer than {self.timeout:g} s") from None
        finally:
            with self._lock:
                self._pending -= 1

    def warm_up(self) -> float:
        """Run one tiny check so that lazily loaded models are in memory before the first request."""
        start = time.perf_counter()
        self._pool.submit(self._guarded, self.check_text, "Warm-up sentence.", language="en").result()
        language_confidences("Warm-up sentence.")  # the language detector loads lazily too
        self.stats.checks = 0
        self.stats.busy_seconds = 0.0
        return time.perf_counter() - start

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def language_confidences(text: str) -> dict[str, float]:
    """lingua's confidence for each supported language (highest first); empty for no letters."""
    from tqcheck.language import _detector

    sample = text[:20_000]
    if not any(c.isalpha() for c in sample):
        return {}
    values = _detector().compute_language_confidence_values(sample)
    return {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values}
