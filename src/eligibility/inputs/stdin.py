"""Standard input (``-``): JSON Lines, one JSON document, or CSV, answered as it arrives.

``--input auto`` (the default) decides from the first non-blank line, as soon as it
arrives, so a slow stream (``tail -f export.jsonl | eligibility evaluate -``) is still
answered line by line:

- a line that is a whole JSON value on its own: JSON Lines;
- a line a registered line reader recognises (a CSV header naming profile fields): that
  format;
- a line that opens a JSON value without closing it (``{`` of a pretty-printed profile):
  one JSON document if the whole input is one, read up to the ``.json`` file limit; a
  later line that is a JSON object on its own shows it is JSON Lines after all;
- anything else: JSON Lines (each line's record says what is wrong with it).

``--input NAME`` (``jsonl``, ``json``, ``csv``: any registered format by its suffix)
says it outright. An input holding no profile at all (empty, or only blank lines) is a
usage error: something upstream went wrong, and answering nothing would hide it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import chain

from eligibility.errors import ProfileError
from eligibility.inputs import formats
from eligibility.inputs.base import PAUSE, InputError, InputRecord, Source
from eligibility.inputs.decode import BOM
from eligibility.inputs.json_file import document
from eligibility.inputs.jsonl import records
from eligibility.inputs.lines import BLANK, Line, LineReader, TooLong, content, lines_of
from eligibility.limits import MAX_FILE_BYTES, MAX_LINE_BYTES

STDIN = "-"
NAME = "<stdin>"
AUTO = "auto"
JSON = "json"
SEVERAL = ("; stdin held one JSON document: to give several profiles, write one per line "
           "(JSON Lines)")


def choices() -> tuple[str, ...]:
    """What ``--input`` accepts: ``auto``, and every registered format by its name."""
    return (AUTO, *formats.names())


class StdinReader:
    """``-``: standard input, in the format ``choice`` names or the one it shows."""

    suffixes: tuple[str, ...] = ()
    max_line_bytes = MAX_LINE_BYTES
    max_document_bytes = MAX_FILE_BYTES

    def __init__(self, choice: str = AUTO) -> None:
        if choice not in choices():
            raise InputError(f"no input format '{choice}'; formats: {', '.join(choices())}")
        self.choice = choice

    def sniff(self, head: bytes) -> bool | None:
        return False

    def read(self, source: Source) -> Iterator[InputRecord]:
        if self.choice == JSON:
            yield self._whole(source)
            return
        lines = _Watched(lines_of(source))
        reader = formats.named(self.choice)
        if isinstance(reader, LineReader):
            found = reader.read_lines(lines, source.name)
        elif reader is None:
            found = self._auto(lines, source.name)
        else:  # a format read whole: hand it the stream
            found = reader.read(source)
        seen = False
        for record in found:
            seen = seen or record is not PAUSE
            yield record
        if not seen:
            raise InputError(lines.why_empty())

    def _whole(self, source: Source) -> InputRecord:
        data = source.handle.read(self.max_document_bytes + 1)
        if not data.removeprefix(BOM).strip():
            raise InputError(_Watched.EMPTY if not data else _Watched.BLANK)
        if len(data) > self.max_document_bytes:
            return self._too_large(source.name)
        return document(data, f"{source.name}:1", SEVERAL)

    def _too_large(self, name: str) -> InputRecord:
        return InputRecord(f"{name}:1", error=ProfileError(
            f"{name}: one JSON document larger than {self.max_document_bytes} bytes (a profile "
            "is at most that); for many profiles, write one per line (JSON Lines)"))

    def _auto(self, lines: Iterator[Line], name: str) -> Iterator[InputRecord]:
        held: list[Line] = []
        first = b""
        for line in lines:
            held.append(line)
            if isinstance(line, TooLong):
                break
            if line is not None and content(line).strip(BLANK):
                first = content(line).removeprefix(BOM).strip()
                break
        rest = chain(held, lines)
        if not first or _whole_value(first) is not _NOT_WHOLE:
            return records(rest, name)
        head = b"".join(line for line in held if isinstance(line, bytes))
        for reader in formats.readers():
            if isinstance(reader, LineReader) and reader.sniff(head) is True:
                return reader.read_lines(rest, name)
        if first[:1] in (b"{", b"["):
            return self._document(held, lines, name, certain=first in (b"{", b"["))
        return records(rest, name)

    def _document(self, held: list[Line], lines: Iterator[Line], name: str, *,
                  certain: bool) -> Iterator[InputRecord]:
        """One JSON document, unless a later line is a JSON object of its own (JSON Lines).

        ``certain``: the first line is a bare ``{`` or ``[``, which no JSON Lines line is.
        """
        size = sum(len(line) for line in held if isinstance(line, bytes))
        for line in lines:
            held.append(line)
            if line is None:
                continue
            if isinstance(line, TooLong) or (
                    not certain and isinstance(_whole_value(content(line)), dict)):
                yield from records(chain(held, lines), name)
                return
            size += len(line)
            if size > self.max_document_bytes:
                yield self._too_large(name)  # the rest is left unread
                return
        yield document(b"".join(line for line in held if isinstance(line, bytes)),
                       f"{name}:1", SEVERAL)


#: Stands for a line that starts a JSON value but does not finish it.
_NOT_WHOLE = object()
_PLAIN = json.JSONDecoder()


def _whole_value(body: bytes) -> object:
    """The JSON value ``body`` is on its own, or ``_NOT_WHOLE`` when it is not a whole one.

    Only the syntax counts here: a value the strict decoder refuses (NaN, a duplicate
    key, too deep) is still a whole line, and its record will say what is wrong.
    """
    try:
        return _PLAIN.decode(body.removeprefix(BOM).decode("utf-8"))
    except json.JSONDecodeError:
        return _NOT_WHOLE
    except (ValueError, RecursionError):  # not UTF-8, too many digits, too deep
        return None


class _Watched:
    """Lines passed through, noting whether any held anything (for the empty-input error)."""

    EMPTY = ("stdin (-) is empty: no profile was read. Give it JSON Lines (one profile per "
             "line), one JSON document, or CSV with a header row")
    BLANK = "stdin (-) holds only blank lines: no profile was read"
    NONE = "stdin (-) holds no profile: only a header row or blank rows"

    def __init__(self, lines: Iterator[Line]) -> None:
        self._lines = lines
        self._bytes = False
        self._text = False

    def __iter__(self) -> _Watched:
        return self

    def __next__(self) -> Line:
        line = next(self._lines)
        if not self._text and line is not None:
            self._bytes = True
            self._text = isinstance(line, TooLong) or bool(content(line).strip(BLANK))
        return line

    def why_empty(self) -> str:
        return self.NONE if self._text else self.BLANK if self._bytes else self.EMPTY
