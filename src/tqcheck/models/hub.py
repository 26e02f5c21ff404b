"""One place that holds loaded models, so signals share them and each loads once per process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ModelHub:
    def __init__(self) -> None:
        self._models: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()
        #: Serialises use of model instances that are not thread-safe (e.g. in the server).
        self.use_lock = threading.RLock()

    def get(self, key: tuple[Any, ...], loader: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._models:
                self._models[key] = loader()
            return self._models[key]

    def loaded(self) -> list[tuple[Any, ...]]:
        return list(self._models)
