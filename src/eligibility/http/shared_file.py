"""One SQLite file every process of the service shares (``[service] replay_store``).

The replay store (``replay.py``) and the feedback counts (``feedback.py``) keep their
tables in the same file and open it the same way: lazily, once per process, WAL journal
and ``synchronous=NORMAL`` (a write is short, with no flush to disk per request; a crash
may forget the last few), deferred transactions (sqlite3's default: BEGIN is BEGIN
DEFERRED), a 5 s wait on another process's lock, and each store's tables
made on first open. ``SharedFile`` is that one way; a store names its ``SCHEMA``.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import ClassVar


class SharedFile:
    """A lazily opened connection to the shared file, and the lock that guards it."""

    #: The statements that make this store's tables (each ``IF NOT EXISTS``).
    SCHEMA: ClassVar[tuple[str, ...]] = ()

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        """The open connection (the caller holds ``_lock``); ``sqlite3.Error`` if unusable."""
        if self._connection is None:
            connection = sqlite3.connect(self._path, timeout=5.0, isolation_level="DEFERRED",
                                         check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            with connection:
                for statement in self.SCHEMA:
                    connection.execute(statement)
            self._connection = connection
        return self._connection

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
