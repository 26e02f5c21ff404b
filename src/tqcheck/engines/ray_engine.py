"""The Ray engine: the same chunk pipeline on Ray Data. ``map_batches`` runs an actor pool whose
actors each build one Checker (models load once per actor, on a GPU when ``--gpus-per-actor`` asks
for one) and check a chunk of documents per call; the driver streams the outputs back and persists
them exactly as the local engine does, so resume and summaries are identical.

Needs the optional extra: ``pip install 'tqcheck[ray]'``. Connects to the cluster in ``RAY_ADDRESS``
when set, to an already initialised Ray, or starts a local one (and stops it afterwards).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any

from tqcheck.batch import BatchItem, ChunkOutput, check_chunk
from tqcheck.errors import ConfigError


class CheckActor:
    """One per actor: holds the Checker (and so the models) for every chunk it is given."""

    def __init__(self, config: Any, fmt: str | None) -> None:
        from tqcheck.api import Checker

        self.checker = Checker(config)
        self.fmt = fmt

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        items = [BatchItem.from_json(str(x)) for x in batch["item"]]
        outs = check_chunk(self.checker, items, self.fmt)
        encoded = [json.dumps({"record": o.record, "report": o.report_text}, ensure_ascii=False)
                   for o in outs]
        return {"out": np.array(encoded, dtype=object)}


def _import_ray():  # type: ignore[no-untyped-def]
    try:
        import ray
        import ray.data
    except ImportError:
        raise ConfigError("--engine ray needs Ray Data: pip install 'tqcheck[ray]'") from None
    return ray


def _ephemeral_token() -> None:
    """A cluster we start for this run alone keeps Ray's token authentication, but with a token
    that lives in this process's environment instead of a file written to ~/.ray."""
    from pathlib import Path

    if any(os.environ.get(k) for k in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")):
        return
    if (Path.home() / ".ray" / "auth_token").exists():
        return  # the user's own token: Ray uses it
    import secrets

    os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)


class RayEngine:
    def __init__(self, config: Any, fmt: str | None, chunk_size: int, *, workers: int | None = None,
                 gpus_per_actor: float = 0.0) -> None:
        if workers is not None and workers < 1:
            raise ConfigError("--workers must be at least 1")
        if gpus_per_actor < 0:
            raise ConfigError("--gpus-per-actor must not be negative")
        self.ray = _import_ray()
        self.config = config
        self.fmt = fmt
        self.chunk_size = chunk_size
        self.workers = workers
        self.gpus = gpus_per_actor
        self._started = False
        if not self.ray.is_initialized():
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            if not os.environ.get("RAY_ADDRESS"):
                _ephemeral_token()
            self.ray.init(address=os.environ.get("RAY_ADDRESS") or None, include_dashboard=False,
                          logging_level=logging.WARNING, log_to_driver=False)
            self._started = True

    def _pool_size(self) -> tuple[int, int]:
        if self.workers is not None:
            return self.workers, self.workers
        resources = self.ray.cluster_resources()
        if self.gpus > 0:
            most = int(resources.get("GPU", 0) // self.gpus)
            if most < 1:
                raise ConfigError(f"--gpus-per-actor {self.gpus:g}: the Ray cluster has "
                                  f"{resources.get('GPU', 0):g} GPU(s)")
        else:
            most = int(resources.get("CPU", 1))
        return 1, max(1, most)

    def run(self, items: Sequence[BatchItem]) -> Iterator[ChunkOutput]:
        if not items:
            return
        from ray.data import ActorPoolStrategy, DataContext

        ctx = DataContext.get_current()
        for name in ("enable_progress_bars", "enable_operator_progress_bars", "print_on_execution_start"):
            with contextlib.suppress(AttributeError):
                setattr(ctx, name, False)
        low, high = self._pool_size()
        blocks = max(1, min(len(items), -(-len(items) // self.chunk_size)))
        ds = self.ray.data.from_items([{"item": i.to_json()} for i in items], override_num_blocks=blocks)
        out = ds.map_batches(
            CheckActor,
            fn_constructor_kwargs={"config": self.config, "fmt": self.fmt},
            batch_size=self.chunk_size,
            batch_format="numpy",
            compute=ActorPoolStrategy(min_size=low, max_size=high),
            num_gpus=self.gpus or None,
        )
        for row in out.iter_rows():
            data = json.loads(str(row["out"]))
            yield ChunkOutput(data["record"], data["report"])

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()
            self._started = False
