"""Reading profiles from files, folders and stdin, one ``InputRecord`` per profile.

Nothing read here is trusted or dropped: each JSON Lines line (blank lines aside) and
each ``.json`` file yields exactly one record, holding either the decoded JSON value or
the reason it could not be read (bad UTF-8, invalid JSON, a line over the limit, …).
Lines are read one at a time, so a file of any length streams in constant memory.
"""

from __future__ import annotations

import json
import math
import os
import select
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from eligibility.errors import EligibilityError, ProfileError
from eligibility.limits import MAX_FILE_BYTES, MAX_LINE_BYTES, MAX_NESTING

STDIN = "-"
SUFFIXES = (".json", ".jsonl")


class InputError(EligibilityError):
    """A path the user named cannot be read at all (a usage error, exit 2)."""


@dataclass(frozen=True)
class InputRecord:
    """One profile's worth of input: where it came from and what it decoded to."""

    source: str
    payload: object = None
    error: ProfileError | None = None


def expand_paths(paths: Iterable[str]) -> list[str]:
    """The files to read, in order; raises ``InputError`` for a path that is unusable."""
    files: list[str] = []
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        if not raw.strip():
            raise InputError("an empty path was given; name a file, a folder or -")
        path = Path(raw)
        if path.is_dir():
            found = [str(child) for child in sorted(path.iterdir())
                     if child.suffix.lower() in SUFFIXES and child.is_file()]
            if not found:
                raise InputError(f"{raw}: folder holds no .json or .jsonl files "
                                 "(sub-folders are not searched)")
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise InputError(f"{raw}: not a .json or .jsonl file")
            files.append(raw)
        elif path.exists():
            raise InputError(f"{raw}: not a file or folder")
        else:
            raise InputError(f"{raw}: no such file or folder")
    return files


#: Yielded (only when asked for) when stdin has no more input ready for now: a batch
#: writes what it has rather than wait for a full chunk. Never a record.
PAUSE = InputRecord("<pause>")


def shown(name: str) -> str:
    """A file name fit for output: undecodable bytes (kept by the OS as surrogates) become
    ``\\xNN`` escapes, so a record's ``source`` is always valid text."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_records(files: Iterable[str], *, pauses: bool = False) -> Iterator[InputRecord]:
    for name in files:
        if name == STDIN:
            fd = _fileno(sys.stdin) if pauses else None
            if fd is not None:
                yield from _records(_fd_lines(fd), "<stdin>")
            else:
                yield from read_jsonl(sys.stdin.buffer, "<stdin>")
        elif name.lower().endswith(".jsonl"):
            try:
                with open(name, "rb") as handle:
                    yield from read_jsonl(handle, shown(name))
            except OSError as error:
                yield InputRecord(f"{shown(name)}:0",
                                  error=ProfileError(f"{shown(name)}: cannot read: {error.strerror}"))
        else:
            yield read_json_file(name)


def read_json_file(name: str) -> InputRecord:
    source = f"{shown(name)}:1"
    try:
        with open(name, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return InputRecord(source, error=ProfileError(f"{shown(name)}: cannot read: {error.strerror}"))
    if len(data) > MAX_FILE_BYTES:
        return InputRecord(source, error=ProfileError(
            f"{shown(name)}: file larger than {MAX_FILE_BYTES} bytes; a profile file holds one profile"))
    return decode(data, source, strip_bom=True)


def read_jsonl(handle: BinaryIO, name: str) -> Iterator[InputRecord]:
    return _records(_handle_lines(handle), name)


class _TooLong:
    """Stands for a line over the limit, whose bytes were skipped unread."""


_TOO_LONG = _TooLong()
Line = bytes | _TooLong | None  # None: no more input ready for now (see PAUSE)


def _records(lines: Iterator[Line], name: str) -> Iterator[InputRecord]:
    number = 0
    for line in lines:
        if line is None:
            yield PAUSE
            continue
        number += 1
        source = f"{name}:{number}"
        if isinstance(line, _TooLong):
            yield InputRecord(source, error=ProfileError(f"line longer than {MAX_LINE_BYTES} bytes"))
        elif line.strip():
            yield decode(line, source, strip_bom=number == 1)


def _handle_lines(handle: BinaryIO) -> Iterator[Line]:
    """Lines of at most the limit, each over-long line replaced by ``_TOO_LONG``."""
    while True:
        line = handle.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:
                rest = handle.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield _TOO_LONG
        else:
            yield line


def _fileno(stream: object) -> int | None:
    """The stream's file descriptor, if it has one (test doubles and StringIO do not)."""
    try:
        fileno = getattr(stream, "fileno", None)
        return int(fileno()) if fileno is not None else None
    except (OSError, ValueError):
        return None


def _fd_lines(fd: int) -> Iterator[Line]:
    """Lines read straight from a file descriptor, with ``None`` whenever input pauses.

    A pipe fed slowly (``tail -f export.jsonl | eligibility evaluate -``) should get each
    answer when its line arrives, not when a chunk of 128 has filled.
    """
    buffer = b""
    start = 0  # where the unread part of the buffer begins (no copying per line)
    skipping = False
    while True:
        cut = buffer.find(b"\n", start)
        if cut >= 0:
            line, start = buffer[start:cut + 1], cut + 1
            if skipping:
                skipping = False
                yield _TOO_LONG
            elif len(line) > MAX_LINE_BYTES + 1:  # the limit counts content, not the newline
                yield _TOO_LONG
            else:
                yield line
            continue
        buffer, start = buffer[start:], 0
        if len(buffer) > MAX_LINE_BYTES:
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
                yield _TOO_LONG
            elif buffer:
                yield buffer
            return
        buffer += data


def decode(data: bytes, source: str, *, strip_bom: bool) -> InputRecord:
    """Bytes to a JSON value, strictly: UTF-8, no NaN or infinity, no duplicate keys."""
    if strip_bom and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return InputRecord(source, error=ProfileError(
            f"not valid UTF-8 (byte {error.start + 1})"))
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float,
                           object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        return InputRecord(source, error=ProfileError(
            f"invalid JSON: {error.msg} (column {error.colno})"))
    except _BadValue as error:
        return InputRecord(source, error=ProfileError(error.message, field=error.field))
    except RecursionError:
        return InputRecord(source, error=ProfileError("JSON nested too deeply"))
    except ValueError as error:  # e.g. an integer with more digits than Python will parse
        return InputRecord(source, error=ProfileError(f"invalid JSON value: {error}"))
    if _depth(value) > MAX_NESTING:
        return InputRecord(source, error=ProfileError(
            f"JSON nested deeper than {MAX_NESTING} levels"))
    return InputRecord(source, payload=value)


class _BadValue(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _reject_constant(name: str) -> object:
    raise _BadValue(f"{name} is not a number JSON allows; leave the field out if it is unknown")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadValue(f"number {text[:20]} is too large to be finite")
    return value


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _BadValue(f"field '{key}' appears twice; keep one", field=key)
        result[key] = value
    return result


def _depth(value: object, level: int = 1) -> int:
    if level > MAX_NESTING:
        return level
    if isinstance(value, dict):
        return max((_depth(item, level + 1) for item in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(item, level + 1) for item in value), default=level)
    return level
