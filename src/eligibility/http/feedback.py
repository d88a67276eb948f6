"""Feedback on cards, counted per service and outcome, and shared by every process.

CDS Hooks feedback says whether a clinician accepted or overrode a card. The service keeps
only counts (service id, outcome): never the card's patient, the user or their comment.
One ``eligibility serve`` process counts in memory (``MemoryFeedback``). With several
processes (``--workers N``) each would count only what it received, so when
``[service] replay_store`` names the SQLite file the processes already share for JWT ids,
the counts live there too (``SqliteFeedback``: one upsert per item, so two processes
counting at once cannot lose an increment), in the table ``feedback_counts`` an operator
reads with any SQLite client.

A count that cannot be written is logged and dropped: feedback is optional in CDS Hooks,
and a full disk must not turn a clinician's "override" into an error.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from eligibility.http.shared_file import SharedFile

log = logging.getLogger("eligibility.http.feedback")


class FeedbackCounts(Protocol):
    def add(self, service: str, outcome: str) -> None:
        """Count one feedback item."""

    def totals(self) -> Mapping[tuple[str, str], int]:
        """(service id, outcome) -> count, over every process sharing the counts."""


class MemoryFeedback:
    """The counts of this process alone."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def add(self, service: str, outcome: str) -> None:
        with self._lock:
            self._counts[service, outcome] += 1

    def totals(self) -> Mapping[tuple[str, str], int]:
        with self._lock:
            return dict(sorted(self._counts.items()))


class SqliteFeedback(SharedFile):
    """The counts in the SQLite file every process of the service shares."""

    SCHEMA = ("CREATE TABLE IF NOT EXISTS feedback_counts (service TEXT NOT NULL, "
              "outcome TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (service, outcome))",)

    def add(self, service: str, outcome: str) -> None:
        with self._lock:
            try:
                connection = self._connect()
                with connection:
                    connection.execute(
                        "INSERT INTO feedback_counts (service, outcome, count) VALUES (?, ?, 1) "
                        "ON CONFLICT (service, outcome) DO UPDATE SET count = count + 1",
                        (service, outcome))
            except sqlite3.Error as error:
                log.warning("feedback not counted: the shared store cannot be written (%s)",
                            type(error).__name__)

    def totals(self) -> Mapping[tuple[str, str], int]:
        with self._lock:
            rows = self._connect().execute(
                "SELECT service, outcome, count FROM feedback_counts ORDER BY service, outcome")
            return {(service, outcome): count for service, outcome, count in rows}


def feedback_counts(path: Path | None) -> MemoryFeedback | SqliteFeedback:
    """Counts in the shared store when one is configured, else in this process."""
    return MemoryFeedback() if path is None else SqliteFeedback(path)

