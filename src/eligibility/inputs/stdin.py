"""Standard input (``-``): JSON Lines from a pipe, answered as each line arrives.

A pipe fed slowly (``tail -f export.jsonl | eligibility evaluate -``) should get each
answer when its line arrives, not when a chunk of 128 has filled: when asked to, this
reader yields ``PAUSE`` whenever no more input is ready, so the batch writes what it
has. It reads lines exactly as the JSON Lines reader does, with the same limit.
"""

from __future__ import annotations

import os
import select
from collections.abc import Iterator

from eligibility.inputs.base import InputRecord, Source
from eligibility.inputs.jsonl import TOO_LONG, JsonLinesReader, Line, content, records
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
        fd = _fileno(source.handle) if source.pauses else None
        if fd is None:
            return JsonLinesReader().read(source)
        return records(fd_lines(fd), source.name)


def _fileno(stream: object) -> int | None:
    """The stream's file descriptor, if it has one (test doubles and BytesIO do not)."""
    try:
        fileno = getattr(stream, "fileno", None)
        return int(fileno()) if fileno is not None else None
    except (OSError, ValueError):
        return None


def fd_lines(fd: int) -> Iterator[Line]:
    """Lines read straight from a file descriptor, with ``None`` whenever input pauses."""
    room = MAX_LINE_BYTES + 2  # content, then CR LF
    buffer = b""
    start = 0  # where the unread part of the buffer begins (no copying per line)
    skipping = False
    while True:
        cut = buffer.find(b"\n", start)
        if cut >= 0:
            line, start = buffer[start:cut + 1], cut + 1
            if skipping:
                skipping = False
                yield TOO_LONG
            else:
                yield TOO_LONG if len(content(line)) > MAX_LINE_BYTES else line
            continue
        buffer, start = buffer[start:], 0
        if len(buffer) >= room:  # no room left for a line ending: too long already
            buffer, skipping = b"", True
        if not select.select([fd], [], [], 0)[0]:
            yield None
            select.select([fd], [], [])  # wait, even on a descriptor left non-blocking
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:  # woken without data after all: wait again
            continue
        if not data:
            if skipping:
                yield TOO_LONG
            elif buffer:
                yield TOO_LONG if len(buffer) > MAX_LINE_BYTES else buffer
            return
        buffer += data
