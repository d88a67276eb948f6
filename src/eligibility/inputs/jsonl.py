"""JSON Lines (``.jsonl``): one profile per line, streamed in constant memory.

Each line (blank lines aside) is one record; a line over the limit is one error record
and reading goes on after it. Files joined with ``cat`` are read as one: a BOM may
start any line, and CRLF endings are fine. Lines come from ``lines.py``, which bounds
them and, on a stream, reports pauses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from eligibility.errors import ProfileError
from eligibility.inputs.base import PAUSE, InputRecord, Source
from eligibility.inputs.decode import decode
from eligibility.inputs.lines import BLANK, Line, TooLong, content, lines_of
from eligibility.limits import MAX_LINE_BYTES


class JsonLinesReader:
    """``.jsonl`` files: one profile per line, each line at most ``max_line_bytes``."""

    suffixes = (".jsonl",)
    max_line_bytes = MAX_LINE_BYTES

    def sniff(self, head: bytes) -> bool | None:
        return None

    def read(self, source: Source) -> Iterator[InputRecord]:
        return records(lines_of(source), source.name)

    def read_lines(self, lines: Iterator[Line], name: str) -> Iterator[InputRecord]:
        return records(lines, name)


def read_jsonl(handle: BinaryIO, name: str) -> Iterator[InputRecord]:
    """The records of a JSON Lines stream already open (kept for callers and tests)."""
    return JsonLinesReader().read(Source(name, handle))


@dataclass(frozen=True)
class LineBlock:
    """Lines of a JSON Lines file as read, not yet decoded: what ``--jobs`` sends a worker,
    which decodes them itself (``records``), so the parent only reads and forwards bytes.
    ``first`` is the line number of the first of them in the file named ``name``."""

    name: str
    first: int
    lines: tuple[bytes | TooLong, ...]

    def records(self) -> list[InputRecord]:
        """The records these lines hold, exactly as reading the file gives them."""
        return [record for record in records(iter(self.lines), self.name, self.first - 1)
                if record is not PAUSE]

    @property
    def span(self) -> str:
        """Where the lines are, for an error that names them."""
        return f"{self.name}:{self.first} to {self.name}:{self.first + len(self.lines) - 1}"


def blocks(lines: Iterator[Line], name: str, size: int) -> Iterator[LineBlock]:
    """The lines of a file (no pauses: a regular file), ``size`` at a time."""
    first = 1
    held: list[bytes | TooLong] = []
    for line in lines:
        if line is None:  # pragma: no cover - only a stream pauses, and streams are not split
            continue
        held.append(line)
        if len(held) == size:
            yield LineBlock(name, first, tuple(held))
            first += size
            held = []
    if held:
        yield LineBlock(name, first, tuple(held))


def records(lines: Iterator[Line], name: str, before: int = 0) -> Iterator[InputRecord]:
    """One record per non-blank line, named ``name:LINE`` (``before`` lines come before
    these in the file); ``None`` lines become PAUSE."""
    number = before
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
        # Blank means spaces, tabs and CR only (a BOM alone is an empty record, an error);
        # bytes.strip() would also drop a form feed or vertical tab, losing a record.
        if body.strip(BLANK):
            yield decode(body, source, strip_bom=True, line=number)
