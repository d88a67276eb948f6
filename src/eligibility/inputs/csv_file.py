"""CSV (``.csv``): a header row of profile field names, then one profile per row.

A clinic's list usually lives in a spreadsheet. The dialect (the README documents it):
comma-separated, RFC 4180 quoting (a cell in double quotes may hold commas, line breaks
and quotes written twice), UTF-8 with or without a BOM, LF or CRLF line endings. How a
cell becomes a value is ``csv_cells.py``. The standard library's ``csv`` parses, fed
one physical line at a time by ``_Feed``, which bounds a row as JSON Lines bounds a
line and remembers the lines a row took.

Every data row is one record, ``FILE:LINE`` with the line the row starts on. A row that
cannot be read (over the limit, not UTF-8, broken quoting, a cell of the wrong kind) is
an error record, and reading resumes on the line after the one that row started on, so
an unclosed quote swallows no patient: the rows it ran over are each read again. Blank
rows (no line, or only empty cells) are not records. A header that cannot be used is
one error record at its line, and nothing after it is read: no row means anything
without it.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator

from eligibility.errors import ProfileError
from eligibility.inputs.base import PAUSE, InputRecord, Source
from eligibility.inputs.csv_cells import Header, names_fields, read_header
from eligibility.inputs.decode import BOM
from eligibility.inputs.lines import Line, TooLong, content, lines_of
from eligibility.limits import MAX_LINE_BYTES


class CsvReader:
    """``.csv`` files: a header row, then one profile per row of at most ``max_row_bytes``."""

    suffixes = (".csv",)
    max_row_bytes = MAX_LINE_BYTES

    def sniff(self, head: bytes) -> bool | None:
        """``True`` when the first non-blank line is a header naming a profile field.

        Never ``False``: a ``.csv`` file with a wrong header is still CSV, and its
        records say what is wrong with the header. On stdin this recognises CSV.
        """
        text = head.removeprefix(BOM).decode("utf-8", "replace")
        first = next((line for line in text.splitlines() if line.strip()), "")
        return True if names_fields(next(csv.reader([first]), [])) else None

    def read(self, source: Source) -> Iterator[InputRecord]:
        return self.read_lines(lines_of(source), source.name)

    def read_lines(self, lines: Iterator[Line], name: str) -> Iterator[InputRecord]:
        feed = _Feed(lines, self.max_row_bytes)
        rows = csv.reader(feed, strict=True, skipinitialspace=True)
        header: Header | None = None
        while True:
            feed.start_row()
            try:
                cells = next(rows)
            except StopIteration:
                return
            except _Paused:
                yield PAUSE
                continue
            except (_RowFault, csv.Error) as error:
                fault = ProfileError(("" if header else "header row: ") + _worded(error, feed))
                feed.again_after_first_line()
                yield InputRecord(f"{name}:{feed.row_line}", error=fault)
                if header is None:
                    return
                continue
            if not any(cell.strip() for cell in cells):
                continue
            source = f"{name}:{feed.row_line}"
            try:
                if header is None:
                    header = read_header(cells)
                    continue
                yield InputRecord(source, payload=header.profile(cells))
            except ProfileError as error:
                yield InputRecord(source, error=error)
                if header is None:
                    return


class _Paused(Exception):
    """No more input is ready for now, between rows: the batch may write what it has."""


class _RowFault(Exception):
    """The row cannot be parsed at all; the message says why, in the user's terms."""


class _Feed:
    """The physical lines ``csv.reader`` parses, decoded, with the current row bounded.

    A plain iterator, not a generator: it raises ``_Paused`` or ``_RowFault`` out of the
    parser and is read again afterwards (the parser starts a fresh row on each call).
    """

    def __init__(self, lines: Iterator[Line], limit: int) -> None:
        self._lines = lines
        self._limit = limit
        self._number = 0
        self._again: deque[tuple[int, bytes | TooLong]] = deque()
        self.taken: list[tuple[int, bytes | TooLong]] = []
        self._size = 0

    def __iter__(self) -> _Feed:
        return self

    def start_row(self) -> None:
        self.taken = []
        self._size = 0

    @property
    def row_line(self) -> int:
        """The physical line the current row started on."""
        return self.taken[0][0] if self.taken else self._number

    def again_after_first_line(self) -> None:
        """Read every line the failed row took, except its first, once more."""
        self._again.extendleft(reversed(self.taken[1:]))

    def __next__(self) -> str:
        if self._again:
            number, line = self._again.popleft()
        else:
            number, line = self._next_new()
        self.taken.append((number, line))
        if isinstance(line, TooLong):
            raise _RowFault(f"line {number} is longer than {self._limit} bytes")
        body = content(line)
        if self._size + len(body) > self._limit:
            raise _RowFault(f"the row is longer than {self._limit} bytes")
        self._size += len(line)
        if number == 1:
            line = line.removeprefix(BOM)
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _RowFault(f"line {number} is not valid UTF-8 (byte {error.start + 1})") from None

    def _next_new(self) -> tuple[int, bytes | TooLong]:
        while True:
            line = next(self._lines)  # the end of input ends the parser's input too
            if line is not None:
                self._number += 1
                return self._number, line
            if not self.taken:
                raise _Paused
            # Paused inside a row (a quoted cell spanning lines): wait for the rest of it.


def _worded(error: Exception, feed: _Feed) -> str:
    """What is wrong with the row, in the user's words (csv's own are about Python)."""
    spans = len(feed.taken) > 1
    if isinstance(error, _RowFault):
        message = str(error)
        if spans and "longer than" in message:
            message += (f" (from line {feed.row_line}: is a quote left open? A cell in quotes "
                        "goes on until the next quote)")
        return message
    text = str(error)
    if text.startswith("unexpected end of data"):
        return "a quoted cell is not closed before the end of the input (is a '\"' missing?)"
    if "expected after" in text:
        return ("text after the closing quote of a cell; inside a quoted cell, write a quote "
                "as two (\"\")")
    if text.startswith("new-line character"):
        return "a line break (CR) inside a cell that is not in quotes; quote the cell"
    return f"cannot read the row: {text}"
