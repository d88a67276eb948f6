"""The machine views: JSON Lines (one compact record per line) or one JSON array."""

from __future__ import annotations

import io
import signal
from collections.abc import Callable, Iterable
from typing import BinaryIO, TextIO, cast

from eligibility.render.utf8 import utf8_writer
from eligibility.render.wire import EncodedChunk, EncodedRecord


def write_jsonl_chunks(chunks: Iterable[EncodedChunk], out: BinaryIO | TextIO) -> bool:
    """Write JSON Lines a chunk at a time; returns whether every record was a success.

    Ctrl-C is held off while each chunk is written (one write of whole records, ending
    on a newline), so what was written always ends on a whole record; it is raised (as
    KeyboardInterrupt) between chunks. The price: if whatever reads our output stops
    reading in the middle of a chunk, Ctrl-C waits until it reads on or goes away. (A
    write and two signal-mask calls per record cost ~3 µs a record, a tenth of a batch.)
    """
    all_ok = True
    text = isinstance(out, io.TextIOBase)  # a text-only stream, such as io.StringIO
    for chunk in chunks:
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            if text:
                cast(TextIO, out).write(chunk.data.decode("utf-8"))
            else:
                cast(BinaryIO, out).write(chunk.data)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        out.flush()  # a chunk may be one line of a slow stream: let it through now
        all_ok = all_ok and all(chunk.oks)
    return all_ok


def write_json_array(records: Iterable[EncodedRecord], out: TextIO) -> bool:
    """The same records as one JSON array, still written record by record.

    Interrupted (Ctrl-C), the array is still closed: a reader gets valid JSON holding
    every record finished so far (``[]`` if none), and exit status 130 says it was cut
    short. As for JSON Lines, Ctrl-C is held off while a record is written.
    """
    all_ok = True
    first = True
    write = utf8_writer(out)  # JSON is UTF-8, whatever the stream's encoding
    _write_whole(write, "[")
    try:
        for record in records:
            _write_whole(write, ("\n" if first else ",\n") + record.line)
            first = False
            all_ok = all_ok and record.ok
    except KeyboardInterrupt:
        _write_whole(write, "]\n" if first else "\n]\n")
        raise
    _write_whole(write, "]\n" if first else "\n]\n")
    return all_ok


def _write_whole(write: Callable[[str], object], text: str) -> None:
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        write(text)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
