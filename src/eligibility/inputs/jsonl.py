"""JSON Lines (``.jsonl``): one profile per line, streamed in constant memory.

Each line (blank lines aside) is one record; a line over the limit is one error record
and reading goes on after it. Files joined with ``cat`` are read as one: a BOM may
start any line, and CRLF endings are fine. Lines come from ``lines.py``, which bounds
them and, on a stream, reports pauses; for ``--jobs`` workers, from the blocks
``jsonl_blocks.py`` cuts, the same lines made into the same records here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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


def records(lines: Iterator[Line], name: str, before: int = 0) -> Iterator[InputRecord]:
    """One record per non-blank line, named ``name:LINE`` (``before`` lines come before
    these in the file); ``None`` lines become PAUSE."""
    return records_of_bodies((line if line is None or isinstance(line, TooLong)
                              else content(line) for line in lines), name, before)


def records_of_bodies(bodies: Iterable[bytes | TooLong | None], name: str,
                      before: int = 0) -> Iterator[InputRecord]:
    """``records``, from lines already without their line endings (as
    ``jsonl_blocks.LineBlock`` gives them)."""
    number = before
    for body in bodies:
        if body is None:
            yield PAUSE
            continue
        number += 1
        source = f"{name}:{number}"
        if isinstance(body, TooLong):
            yield InputRecord(source, error=ProfileError(f"line longer than {MAX_LINE_BYTES} bytes"))
            continue
        # Blank means spaces, tabs and CR only (a BOM alone is an empty record, an error);
        # bytes.strip() would also drop a form feed or vertical tab, losing a record.
        if body.strip(BLANK):
            yield decode(body, source, strip_bom=True, line=number)
