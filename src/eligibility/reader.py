"""Reading profiles from files, folders and stdin, one ``InputRecord`` per profile.

Nothing read here is trusted or dropped: each JSON Lines line (blank lines aside) and
each ``.json`` file yields exactly one record, holding either the decoded JSON value or
the reason it could not be read (bad UTF-8, invalid JSON, a line over the limit, …).
Lines are read one at a time, so a file of any length streams in constant memory.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import EligibilityError, ProfileError
from .limits import MAX_FILE_BYTES, MAX_LINE_BYTES, MAX_NESTING

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


def read_records(files: Iterable[str]) -> Iterator[InputRecord]:
    for name in files:
        if name == STDIN:
            yield from read_jsonl(sys.stdin.buffer, "<stdin>")
        elif name.lower().endswith(".jsonl"):
            try:
                with open(name, "rb") as handle:
                    yield from read_jsonl(handle, name)
            except OSError as error:
                yield InputRecord(f"{name}:0", error=ProfileError(f"{name}: cannot read: {error.strerror}"))
        else:
            yield read_json_file(name)


def read_json_file(name: str) -> InputRecord:
    source = f"{name}:1"
    try:
        with open(name, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return InputRecord(source, error=ProfileError(f"{name}: cannot read: {error.strerror}"))
    if len(data) > MAX_FILE_BYTES:
        return InputRecord(source, error=ProfileError(
            f"{name}: file larger than {MAX_FILE_BYTES} bytes; a profile file holds one profile"))
    return decode(data, source, strip_bom=True)


def read_jsonl(handle: BinaryIO, name: str) -> Iterator[InputRecord]:
    number = 0
    while True:
        line = handle.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        source = f"{name}:{number}"
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            _skip_rest_of_line(handle)
            yield InputRecord(source, error=ProfileError(
                f"line longer than {MAX_LINE_BYTES} bytes"))
            continue
        if not line.strip():
            continue
        yield decode(line, source, strip_bom=number == 1)


def _skip_rest_of_line(handle: BinaryIO) -> None:
    while True:
        chunk = handle.readline(MAX_LINE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return


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
