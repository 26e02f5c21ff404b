"""A translation cache on disk: sqlite in the user cache directory.

Keyed by model id, model revision, decoding options and the text, so a second run over an
unchanged document does no model work. The cache is an optimisation and never a reason to
fail: a corrupt file is moved aside and rebuilt, a locked or unwritable one is bypassed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

#: Bumped when the stored value format changes, so old entries are never misread.
SCHEMA_VERSION = 1
FILE_NAME = "translations.sqlite"
#: How long a writer waits for another process's lock before bypassing the cache.
BUSY_TIMEOUT_S = 2.0
#: sqlite limits the number of ``?`` parameters per statement.
_CHUNK = 500


def cache_key(model_id: str, revision: str, options: Mapping[str, Any], text: str) -> str:
    payload = json.dumps([SCHEMA_VERSION, model_id, revision, dict(sorted(options.items())), text],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class TranslationCache:
    """``get_many``/``put_many`` over hashed keys; every failure degrades to a cache miss."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        #: Why the cache is off for this process (None while it works).
        self.disabled: str | None = None
        self.hits = 0
        self.misses = 0

    @classmethod
    def in_dir(cls, cache_dir: str | os.PathLike[str]) -> TranslationCache:
        return cls(Path(cache_dir).expanduser() / FILE_NAME)

    # -- connection ---------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False,
                               isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS translations ("
                " key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"
            )
            # A quick check that the file really is a usable database (a corrupt page fails here).
            conn.execute("SELECT count(*) FROM translations WHERE key = ''").fetchone()
        except BaseException:
            conn.close()
            raise
        return conn

    def _connection(self) -> sqlite3.Connection | None:
        if self.disabled:
            return None
        if self._conn is None:
            try:
                self._conn = self._open()
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):
                    self.disabled = f"cache locked by another process ({exc})"
                    return None
                self._conn = self._rebuild(exc)
            except sqlite3.DatabaseError as exc:  # not a database / malformed
                self._conn = self._rebuild(exc)
            except OSError as exc:
                self.disabled = f"cache directory not usable ({exc})"
        return self._conn

    def _rebuild(self, cause: Exception) -> sqlite3.Connection | None:
        """Move a corrupt file aside and start an empty cache; give up quietly if that fails too."""
        try:
            for suffix in ("", "-wal", "-shm"):
                p = Path(f"{self.path}{suffix}")
                if p.exists():
                    os.replace(p, f"{self.path}.corrupt-{int(time.time())}{suffix}")
            return self._open()
        except (OSError, sqlite3.Error) as exc:
            self.disabled = f"cache unusable ({cause}; rebuild failed: {exc})"
            return None

    def _run(self, fn: Any) -> Any:
        """Run ``fn(conn)``; a corrupt database is rebuilt once, a locked one is bypassed."""
        with self._lock:
            for attempt in range(2):
                conn = self._connection()
                if conn is None:
                    return None
                try:
                    return fn(conn)
                except sqlite3.OperationalError as exc:
                    if _is_busy(exc):
                        return None  # another process holds the lock: treat as a miss, move on
                    if attempt:
                        self.disabled = f"cache error ({exc})"
                        return None
                    self._drop(rebuild=exc)
                except sqlite3.DatabaseError as exc:
                    if attempt:
                        self.disabled = f"cache error ({exc})"
                        return None
                    self._drop(rebuild=exc)
            return None

    def _drop(self, rebuild: Exception) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None
        self._conn = self._rebuild(rebuild)

    # -- public -------------------------------------------------------------------------------

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        def query(conn: sqlite3.Connection) -> dict[str, Any]:
            found: dict[str, Any] = {}
            for i in range(0, len(keys), _CHUNK):
                chunk = list(keys[i : i + _CHUNK])
                marks = ",".join("?" * len(chunk))
                for key, value in conn.execute(
                    f"SELECT key, value FROM translations WHERE key IN ({marks})", chunk
                ):
                    try:
                        found[key] = json.loads(value)
                    except ValueError:
                        continue  # a damaged value is just a miss
            return found

        found = self._run(query) or {} if keys else {}
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def put_many(self, items: Iterable[tuple[str, Any]]) -> None:
        rows = [(k, json.dumps(v, ensure_ascii=False), time.time()) for k, v in items]
        if not rows:
            return

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN")
                conn.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?)", rows)

        self._run(write)

    def __len__(self) -> int:
        return int(self._run(lambda c: c.execute("SELECT count(*) FROM translations").fetchone()[0]) or 0)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    msg = str(exc).lower()
    return "locked" in msg or "busy" in msg
