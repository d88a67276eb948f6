"""Where reading starts: the paths a user named, each read by the reader for its format.

Nothing read here is trusted or dropped: every file, every JSON Lines line (blank lines
aside) and every folder entry a reader names yields at least one record, holding the
decoded JSON value or the reason it could not be read (not a regular file, bad UTF-8,
invalid JSON, over a limit, …). Formats and how a file's reader is chosen are in
``formats.py``; each reader is its own module.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path

from eligibility.inputs import formats
from eligibility.inputs.base import PAUSE, InputError, InputRecord, Source, unreadable
from eligibility.inputs.decode import decode
from eligibility.inputs.files import Unreadable, open_regular, shown
from eligibility.inputs.json_file import read_json_file
from eligibility.inputs.jsonl import JsonLinesReader, read_jsonl
from eligibility.inputs.jsonl_blocks import LineBlock, blocks
from eligibility.inputs.stdin import AUTO, STDIN, StdinReader
from eligibility.inputs.stdin import NAME as STDIN_NAME
from eligibility.safe_text import clip, visible

__all__ = ["AUTO", "PAUSE", "STDIN", "InputError", "InputRecord", "decode", "expand_paths",
           "read_json_file", "read_jsonl", "read_records", "shown"]


def expand_paths(paths: Iterable[str]) -> list[str]:
    """The inputs to read, in order; raises ``InputError`` for a path that is unusable.

    A folder gives every entry, sorted, whose name a reader claims, except sub-folders
    (which are not searched): an entry that then cannot be read becomes an error record.
    """
    files: list[str] = []
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        if not raw.strip():
            raise InputError("an empty path was given; name a file, a folder or -")
        try:
            files.extend(_expand(raw))
        except OSError as error:
            # A name too long, a folder that may not be listed: said, never a traceback.
            raise InputError(f"{clip(raw)}: cannot be read ({error.strerror or error})") from error
    return files


def _expand(raw: str) -> list[str]:
    """The files one path given by the user stands for (``OSError`` passes through)."""
    path = Path(raw)
    named = _said(raw)
    if path.is_dir():
        found = [str(child) for child in sorted(path.iterdir())
                 if formats.claims_name(child.name) and not child.is_dir()]
        if not found:
            raise InputError(f"{named}: folder holds no {_kinds()} files "
                             "(sub-folders are not searched)")
        return found
    if path.is_file():
        if not formats.claims_name(path.name):
            raise InputError(f"{named}: not a {_kinds()} file")
        return [raw]
    if path.exists():
        raise InputError(f"{named}: not a file or folder")
    raise InputError(f"{named}: no such file or folder")


def read_records(files: Iterable[str], *, pauses: bool = False, stdin: str = AUTO,
                 as_of: dt.date | None = None) -> Iterator[InputRecord]:
    """Every record of every input, in order; ``pauses`` lets stdin yield ``PAUSE``.

    ``stdin`` says how ``-`` is read (``stdin.choices()``); ``as_of`` is the assessment
    date for readers that compute with dates (FHIR: without one, an error record; the
    clock is never read here). Reading starts at once: the first record is read before
    this returns, so an input that cannot be used at all (an empty stdin) raises
    ``InputError`` before a caller has written anything.
    """
    found = _records(list(files), pauses, stdin, as_of)
    for record in found:
        if record is not PAUSE:  # a pause before the first record has nothing to flush
            return chain((record,), found)
    return iter(())


def _records(files: list[str], pauses: bool, stdin: str,
             as_of: dt.date | None) -> Iterator[InputRecord]:
    """Each input in order; files a joining reader claims are read together, at the
    place of the first of them (the parts of a FHIR Bulk export)."""
    joined: set[int] = set()
    for position, name in enumerate(files):
        if position in joined:
            continue
        if name == STDIN:
            yield from StdinReader(stdin).read(Source(STDIN_NAME, sys.stdin.buffer, pauses))
            continue
        reader = formats.joining(name)
        if reader is None:
            yield from _read_file(name, as_of)
            continue
        together = [index for index in range(position, len(files))
                    if files[index] != STDIN and formats.joining(files[index]) is reader]
        joined.update(together)
        yield from reader.read_together([files[index] for index in together], as_of)


def _read_file(name: str, as_of: dt.date | None = None) -> Iterator[InputRecord]:
    display = shown(name)
    try:
        handle = open_regular(name)
    except Unreadable as error:
        yield unreadable(display, error.reason)
        return
    with handle:
        try:
            reader = formats.choose(name, handle.peek(formats.SNIFF_BYTES)[:formats.SNIFF_BYTES])
            if reader is None:
                yield unreadable(display, f"no reader recognises this file ({_kinds()} expected)")
                return
            yield from reader.read(Source(display, handle, as_of=as_of))
        except OSError as error:
            yield unreadable(display, (error.strerror or str(error)).lower())


def line_blocks(files: Iterable[str], size: int,
                as_of: dt.date | None = None) -> Iterator[LineBlock | list[InputRecord]] | None:
    """What ``read_records`` reads, for worker processes to decode: each JSON Lines file
    as blocks of ``size`` raw lines, any other file as its records (``size`` at a time);
    None when an input is stdin or read together with others (those stay ``read_records``').

    The same files, opened and chosen between as ``_read_file`` does, and the same lines
    (``lines.handle_lines``): a worker's ``LineBlock.records()`` are the records
    ``read_records`` gives, so the output is the same for any number of processes.
    """
    names = list(files)
    if any(name == STDIN or formats.joining(name) is not None for name in names):
        return None
    return _blocks(names, size, as_of)


def _blocks(names: list[str], size: int,
            as_of: dt.date | None) -> Iterator[LineBlock | list[InputRecord]]:
    for name in names:
        display = shown(name)
        try:
            handle = open_regular(name)
        except Unreadable as error:
            yield [unreadable(display, error.reason)]
            continue
        with handle:
            held: list[InputRecord] = []
            try:
                reader = formats.choose(name, handle.peek(formats.SNIFF_BYTES)[:formats.SNIFF_BYTES])
                if reader is None:
                    yield [unreadable(display, f"no reader recognises this file ({_kinds()} expected)")]
                    continue
                if isinstance(reader, JsonLinesReader):
                    yield from blocks(handle, display, size)
                    continue
                for record in reader.read(Source(display, handle, as_of=as_of)):
                    held.append(record)
                    if len(held) == size:
                        yield held
                        held = []
            except OSError as error:
                # The records read before the fault, then the fault: as ``_read_file`` gives.
                held.append(unreadable(display, (error.strerror or str(error)).lower()))
            if held:
                yield held


def _kinds() -> str:
    *most, last = formats.suffixes()
    return f"{', '.join(most)} or {last}" if most else last


def _said(raw: str) -> str:
    """A path as the user gave it, fit for an error line on a terminal."""
    return visible(shown(raw))
