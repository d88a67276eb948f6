"""The machine views: JSON Lines (one compact record per line) or one JSON array."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from .batch import OutputRecord


def write_jsonl(records: Iterable[OutputRecord], out: TextIO) -> bool:
    """Write each record as it comes; returns whether every record was a success."""
    all_ok = True
    for record in records:
        # One write per record: Ctrl-C between two writes would leave half a line.
        out.write(record.line + "\n")
        all_ok = all_ok and record.ok
    return all_ok


def write_json_array(records: Iterable[OutputRecord], out: TextIO) -> bool:
    """The same records as one JSON array, still written record by record."""
    all_ok = True
    first = True
    out.write("[")
    for record in records:
        out.write(("\n" if first else ",\n") + record.line)
        first = False
        all_ok = all_ok and record.ok
    out.write("\n]\n" if not first else "]\n")
    return all_ok
