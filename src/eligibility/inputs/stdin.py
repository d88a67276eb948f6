"""Standard input (``-``): JSON Lines from a pipe, answered as each line arrives.

A pipe fed slowly (``tail -f export.jsonl | eligibility evaluate -``) should get each
answer when its line arrives, not when a chunk of 128 has filled: when asked to, this
reader yields ``PAUSE`` whenever no more input is ready (``lines.lines_of``), so the
batch writes what it has. It reads lines exactly as the JSON Lines reader does.
"""

from __future__ import annotations

from collections.abc import Iterator

from eligibility.inputs.base import InputRecord, Source
from eligibility.inputs.jsonl import JsonLinesReader
from eligibility.limits import MAX_LINE_BYTES

STDIN = "-"
NAME = "<stdin>"


class StdinReader:
    """``-``: JSON Lines on standard input, streamed; never chosen for a file."""

    suffixes: tuple[str, ...] = ()
    max_line_bytes = MAX_LINE_BYTES

    def sniff(self, head: bytes) -> bool | None:
        return False

    def read(self, source: Source) -> Iterator[InputRecord]:
        return JsonLinesReader().read(source)
