"""Replayed ``jti`` refused: each token id is used once per issuer while it could still pass.

Two stores with one method, ``first_use``. ``ReplayGuard`` keeps the ids in the process's
memory: enough for one ``eligibility serve`` process. Several processes (``--workers N``,
or several services behind one address) must share what they have seen, or a token
replayed to another process would pass; ``SqliteReplayStore`` keeps the ids in one small
SQLite file (``[service] replay_store``) that every process opens, and claims an id with a
single statement, so two processes racing for the same ``jti`` cannot both win.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Protocol

from eligibility.http.shared_file import SharedFile

MAX_REMEMBERED_JTI = 1_000_000
#: Expired ids are removed once per this many claims (a DELETE on an index, not per call).
PURGE_EVERY = 1000


class ReplayStore(Protocol):
    #: True when ``first_use`` may wait (on a file another process holds): the caller then
    #: runs it in a thread, never on the event loop.
    blocking: bool

    def first_use(self, issuer: str, jti: str, until: float, now: float) -> bool:
        """True the first time (issuer, jti) is seen while live; it stays seen to ``until``."""


class ReplayGuard:
    """``jti`` values seen per issuer, each kept until its token could no longer pass."""

    blocking = False  # a dict lookup: on the event loop, which also keeps it single-threaded

    def __init__(self, limit: int = MAX_REMEMBERED_JTI) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._limit = limit

    def first_use(self, issuer: str, jti: str, until: float, now: float) -> bool:
        if len(self._seen) >= self._limit:
            self._seen = {key: end for key, end in self._seen.items() if end > now}
            if len(self._seen) >= self._limit:
                return False  # full of live tokens: refuse rather than forget one
        key = (issuer, jti)
        if key in self._seen and self._seen[key] > now:
            return False
        self._seen[key] = until
        return True


class SqliteReplayStore(SharedFile):
    """The ids in a SQLite file shared by every process of the service.

    WAL journal and ``synchronous=NORMAL``: a claim is one short write, no flush to disk
    per request; a crash may forget the last claims, which are then at most an hour's
    tokens (the longest lifetime accepted). A file that cannot be used refuses the token
    (``first_use`` is False), never lets it through.
    """

    blocking = True  # a write that may wait up to its timeout on another process's lock

    SCHEMA = ("CREATE TABLE IF NOT EXISTS seen (issuer TEXT NOT NULL, jti TEXT NOT NULL, "
              "until REAL NOT NULL, PRIMARY KEY (issuer, jti))",
              "CREATE INDEX IF NOT EXISTS seen_until ON seen (until)")

    def __init__(self, path: Path, limit: int = MAX_REMEMBERED_JTI) -> None:
        super().__init__(path)
        self._limit = limit
        self._claims = 0

    def open(self) -> None:
        """Open (and create) the file now; ``sqlite3.Error`` when it cannot be used."""
        with self._lock:
            self._connect()

    def first_use(self, issuer: str, jti: str, until: float, now: float) -> bool:
        with self._lock:
            try:
                return self._claim(issuer, jti, until, now)
            except sqlite3.Error:
                return False

    def _claim(self, issuer: str, jti: str, until: float, now: float) -> bool:
        connection = self._connect()
        with connection:
            self._claims += 1
            if self._claims % PURGE_EVERY == 1:
                connection.execute("DELETE FROM seen WHERE until <= ?", (now,))
                (live,) = connection.execute("SELECT count(*) FROM seen").fetchone()
                if live >= self._limit:
                    return False  # full of live tokens: refuse rather than forget one
            # Inserted, or an expired row taken over; a live row is left alone (no change).
            cursor = connection.execute(
                "INSERT INTO seen (issuer, jti, until) VALUES (?, ?, ?) "
                "ON CONFLICT (issuer, jti) DO UPDATE SET until = excluded.until "
                "WHERE seen.until <= ?", (issuer, jti, until, now))
            return cursor.rowcount == 1


def replay_store(path: Path | None) -> ReplayStore:
    """The shared store when a path is configured, else this process's memory."""
    return ReplayGuard() if path is None else SqliteReplayStore(path)
