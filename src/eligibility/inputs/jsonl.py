"""JSON Lines (``.jsonl``): one profile per line, streamed in constant memory.

Each line (blank lines aside) is one record; a line over the limit is one error record
and reading goes on after it. Files joined with ``cat`` are read as one: a BOM may
start any line, and CRLF endings are fine. The limit counts a line's content, not its
line ending, so a line is accepted or refused the same whatever the ending.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from eligibility.errors import ProfileError
from eligibility.inputs.base import PAUSE, InputRecord, Source
from eligibility.inputs.decode import decode
from eligibility.limits import MAX_LINE_BYTES


class TooLong:
    """Stands for a line over the limit, whose bytes were skipped unread."""


TOO_LONG = TooLong()
Line = bytes | TooLong | None  # None: no more input ready for now (see PAUSE)


class JsonLinesReader:
    """``.jsonl`` files: one profile per line, each line at most ``max_line_bytes``."""

    suffixes = (".jsonl",)
    max_line_bytes = MAX_LINE_BYTES

    def sniff(self, head: bytes) -> bool | None:
        return None

    def read(self, source: Source) -> Iterator[InputRecord]:
        return records(handle_lines(source.handle), source.name)


def read_jsonl(handle: BinaryIO, name: str) -> Iterator[InputRecord]:
    """The records of a JSON Lines stream already open (kept for callers and tests)."""
    return JsonLinesReader().read(Source(name, handle))


def content(line: bytes) -> bytes:
    """A line without its line ending (LF or CRLF)."""
    if line.endswith(b"\n"):
        line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
    return line


def records(lines: Iterator[Line], name: str) -> Iterator[InputRecord]:
    """One record per non-blank line, named ``name:LINE``; ``None`` lines become PAUSE."""
    number = 0
    for line in lines:
        if line is None:
            yield PAUSE
            continue
        number += 1
        source = f"{name}:{number}"
        if isinstance(line, TooLong):
            yield InputRecord(source, error=ProfileError(f"line longer than {MAX_LINE_BYTES} bytes"))
            continue
        body = content(line)
        if body.strip():  # a BOM alone is not blank: it is an empty record, an error
            yield decode(body, source, strip_bom=True, line=number)


def handle_lines(handle: BinaryIO) -> Iterator[Line]:
    """Lines whose content is at most the limit, each over-long one replaced by ``TOO_LONG``."""
    room = MAX_LINE_BYTES + 2  # content, then CR LF
    while True:
        line = handle.readline(room)
        if not line:
            return
        if line.endswith(b"\n") or len(line) < room:  # a whole line, or the last one
            yield TOO_LONG if len(content(line)) > MAX_LINE_BYTES else line
            continue
        while True:  # over the limit: skip to the end of the line, a bounded piece at a time
            rest = handle.readline(room)
            if not rest or rest.endswith(b"\n"):
                break
        yield TOO_LONG
