"""A JSON Lines file cut into blocks of lines, not decoded: what ``--jobs`` hands a
worker, which decodes and validates them itself.

Why not the reader's own lines: the process that cuts blocks also writes every record
of the run and decides its share of them, so what it spends per line is taken from a
core that decides. Here it finds each line end with one ``bytes.find`` and hands on
runs of whole lines as one slice of what it read; the worker splits them. The blocks
hold exactly the lines ``lines.handle_lines`` gives, and ``LineBlock.records`` the
records ``jsonl.records`` makes of them (tests/test_line_blocks.py holds both to it),
so the output is the same for any number of processes. Memory is bounded as the
reader's is: a line over the limit is skipped a piece at a time, never held.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from eligibility.inputs.base import PAUSE, InputRecord
from eligibility.inputs.jsonl import records_of_bodies
from eligibility.inputs.lines import TOO_LONG, TooLong
from eligibility.limits import MAX_LINE_BYTES

#: Bytes read at a time from the file.
READ_BYTES = 1 << 18
_CR = 13


@dataclass(frozen=True)
class LineBlock:
    """``count`` lines of the file named ``name``, the first of them line ``first``.

    ``parts`` are, in order, runs of whole lines as read (every line but the file's
    last ends in a newline; none is over the limit) and ``TOO_LONG`` for each line over
    the limit, whose bytes were skipped."""

    name: str
    first: int
    count: int
    parts: tuple[bytes | TooLong, ...]

    def records(self) -> list[InputRecord]:
        """The records these lines hold, exactly as reading the file gives them."""
        return [record for record in records_of_bodies(self._bodies(), self.name, self.first - 1)
                if record is not PAUSE]

    def _bodies(self) -> Iterator[bytes | TooLong]:
        """Each line without its ending (LF or CRLF), as ``lines.content`` cuts it."""
        for part in self.parts:
            if isinstance(part, TooLong):
                yield part
                continue
            pieces = part.split(b"\n")
            last = pieces.pop()  # b"" after a final newline, else the file's unended last line
            for piece in pieces:
                yield piece[:-1] if piece.endswith(b"\r") else piece
            if last:
                yield last

    @property
    def span(self) -> str:
        """Where the lines are, for an error that names them."""
        return f"{self.name}:{self.first} to {self.name}:{self.first + self.count - 1}"


def blocks(handle: BinaryIO, name: str, size: int,
           limit: int = MAX_LINE_BYTES) -> Iterator[LineBlock]:
    """The lines of a regular file, ``size`` at a time (the last block may hold fewer)."""
    cutter = _Cutter(name, size)
    buffer, pos, ended = b"", 0, False
    # One system call at a time: ``read`` would gather several and, should one fail,
    # lose what the others read; a file read line by line keeps every line before it.
    read = getattr(handle, "read1", handle.read)
    while True:
        cut = buffer.find(b"\n", pos)
        if cut >= 0:
            long = cut - pos - (buffer[cut - 1] == _CR if cut > pos else 0) > limit
            full = cutter.line(buffer, pos, cut + 1, long)
            if full is not None:
                yield full
            pos = cut + 1
            continue
        if ended:
            if pos < len(buffer):  # the last line, with no line ending
                full = cutter.line(buffer, pos, len(buffer), len(buffer) - pos > limit)
                if full is not None:
                    yield full
            cutter.close_run(buffer, len(buffer))
            last = cutter.finish()
            if last is not None:
                yield last
            return
        cutter.close_run(buffer, pos)
        tail = buffer[pos:]
        if len(tail) > limit + 1:  # too long, whatever ends it: skip to its end
            tail, ended = _skip_line(read)
            full = cutter.line(b"", 0, 0, long=True)
            if full is not None:
                yield full
        else:
            try:
                data = read(READ_BYTES)
            except OSError:  # what was read before the fault is the run's, as line by line
                last = cutter.finish()
                if last is not None:
                    yield last
                raise
            ended = not data
            tail += data
        buffer, pos = tail, 0
        cutter.restart()


def _skip_line(read: Callable[[int], bytes]) -> tuple[bytes, bool]:
    """Read past the end of the current line: what follows it, and whether the file ended."""
    while True:
        data = read(READ_BYTES)
        if not data:
            return b"", True
        cut = data.find(b"\n")
        if cut >= 0:
            return data[cut + 1:], False


class _Cutter:
    """Lines gathered into blocks: consecutive lines within the limit as one slice of
    the buffer they were read into (from ``start``), each line over it as ``TOO_LONG``."""

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size = name, size
        self.first, self.count = 1, 0
        self.parts: list[bytes | TooLong] = []
        self.start = 0

    def restart(self) -> None:
        """A new buffer: the next run starts at its beginning."""
        self.start = 0

    def line(self, buffer: bytes, begin: int, end: int, long: bool) -> LineBlock | None:
        """One more line, ``buffer[begin:end]``; the block it fills, if it fills one."""
        if long:
            self.close_run(buffer, begin)
            self.parts.append(TOO_LONG)
            self.start = end
        self.count += 1
        if self.count < self.size:
            return None
        self.close_run(buffer, end)
        return self.finish()

    def close_run(self, buffer: bytes, end: int) -> None:
        if end > self.start:
            self.parts.append(buffer[self.start:end])
        self.start = end

    def finish(self) -> LineBlock | None:
        """The block of the lines gathered so far, if any; the next starts after them."""
        if not self.count:
            return None
        block = LineBlock(self.name, self.first, self.count, tuple(self.parts))
        self.first += self.count
        self.count, self.parts = 0, []
        return block
