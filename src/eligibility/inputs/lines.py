"""Physical lines of an input, bounded, for every line-based format (JSON Lines, CSV).

Lines come from a buffered handle, or for a stream that should be answered as it arrives
(stdin, ``Source.pauses``) straight from its file descriptor, with ``None`` whenever no
more input is ready for now. Either way a line longer than the limit is never held: its
bytes are skipped a bounded piece at a time and it is replaced by ``TOO_LONG``. The
limit counts a line's content, not its line ending, so a line is accepted or refused the
same whatever the ending.
"""

from __future__ import annotations

import os
import select
from collections.abc import Iterator
from typing import BinaryIO, Protocol, runtime_checkable

from eligibility.inputs.base import InputRecord, Reader, Source
from eligibility.limits import MAX_LINE_BYTES


class TooLong:
    """Stands for a line over the limit, whose bytes were skipped unread."""


TOO_LONG = TooLong()
Line = bytes | TooLong | None  # None: no more input ready for now (see base.PAUSE)


#: What a line may hold and still be blank (no record): not \x0b or \x0c, which
#: ``bytes.strip()`` would also drop, losing a record.
BLANK = b" \t\r"


def content(line: bytes) -> bytes:
    """A line without its line ending (LF or CRLF)."""
    if line.endswith(b"\n"):
        line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
    return line


def lines_of(source: Source) -> Iterator[Line]:
    """The lines of ``source``: from its descriptor, with pauses, when it asks for them."""
    fd = _fileno(source.handle) if source.pauses else None
    return handle_lines(source.handle) if fd is None else fd_lines(fd)


def handle_lines(handle: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Lines whose content is at most ``limit``, each over-long one replaced by ``TOO_LONG``."""
    room = limit + 2  # content, then CR LF
    while True:
        line = handle.readline(room)
        if not line:
            return
        if line.endswith(b"\n") or len(line) < room:  # a whole line, or the last one
            yield TOO_LONG if len(content(line)) > limit else line
            continue
        while True:  # over the limit: skip to the end of the line, a bounded piece at a time
            rest = handle.readline(room)
            if not rest or rest.endswith(b"\n"):
                break
        yield TOO_LONG


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


@runtime_checkable
class LineReader(Reader, Protocol):
    """A reader of a line-based format, which can also read lines already opened.

    Stdin hands such a reader its lines (with pauses, after sniffing the first ones), so a
    stream is answered row by row whatever its format.
    """

    def read_lines(self, lines: Iterator[Line], name: str) -> Iterator[InputRecord]:
        """Every profile in ``lines``, named ``name:LINE``; ``None`` lines become ``PAUSE``."""
        ...
