"""One ``--jobs`` worker process: chunks in on stdin, encoded results out on stdout.

The parent (``services.pool``) forks it, or starts ``python -c BOOTSTRAP`` with its own
``sys.path`` (``processes.py`` says when each), in a session of its own, and talks to it
over two pipes, one frame at a time: an 8-byte big-endian length, then a pickle. A
spawned worker's first frame is its setup: the rule pack, the options to keep
(``--option``), the detail (``--detail``) and the assessment date (``--as-of``, or the
day the parent chose); a forked one holds its setup already. Every later frame is a
chunk of input records, answered by one ``EncodedChunk``, in order.

The pack travels by value (the parent's ``RulePack``, as it read it): a worker never
reads the pack's files, so a pack edited while a run goes on changes nothing, and every
worker decides with the pack the parent checked. The worker's first answer is
``("ready", digest)``, the digest of the pack it will decide with, which the parent
compares with its own; or ``("failed", message)``, one line saying why it cannot start
(no traceback: the parent reports it once and ends the run).

Why the shape: a worker must never outlive its parent, whatever happens to the parent
(an error, Ctrl-C, ``kill -9``). The parent closes the worker's stdin when it is done
or gives up, and a thread here does nothing but read stdin: at end of input it ends
the process at once, even in the middle of a chunk. A parent that died closes the
pipes too, so the same path covers it, and writing a result to a parent that is gone
ends the process the same way.

A chunk is a list of input records, or a ``LineBlock``: lines of a JSON Lines file as
read, which the worker decodes and validates itself, so that the parent of a large
batch only reads lines and writes the bytes that come back.
"""

from __future__ import annotations

import contextlib
import copyreg
import datetime as dt
import io
import os
import pickle
import queue
import signal
import struct
import threading
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, NoReturn, cast

from eligibility.collector import tune_for_batch
from eligibility.inputs.jsonl_blocks import LineBlock
from eligibility.safe_text import visible

if TYPE_CHECKING:
    from eligibility.services.pipeline import Pipeline

_HEADER = struct.Struct(">Q")

#: What a worker is told before its first chunk: the rule pack (by value), the options
#: to keep, the detail and the assessment date.
Setup = tuple[object, "tuple[str, ...] | None", str, "dt.date | None"]

#: Run by the parent as ``python -c BOOTSTRAP PATH...``: the worker sees the modules the
#: parent sees (the same ``sys.path``), whatever way the parent was started.
BOOTSTRAP = ("import sys; sys.path[:] = sys.argv[1:]; "
             "from eligibility.services.worker import main; main()")


def _proxy(mapping: dict[object, object]) -> MappingProxyType[object, object]:
    return MappingProxyType(mapping)


#: A pack's read-only mappings (``model/frozen.py``) are sent as the dicts they show.
_REDUCERS = {**copyreg.dispatch_table,
             MappingProxyType: lambda proxy: (_proxy, (dict(proxy),))}


def send(stream: IO[bytes], item: object) -> None:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(item)
    _write_all(stream, _HEADER.pack(len(buffer.getbuffer())))
    _write_all(stream, buffer.getbuffer())
    stream.flush()


def _write_all(stream: IO[bytes], data: bytes | memoryview) -> None:
    """All of ``data``: an unbuffered pipe may take less than it is given in one write."""
    view = memoryview(data)
    while view:
        view = view[stream.write(view):]


def receive(stream: IO[bytes]) -> object:
    """The next frame's object; raises ``EOFError`` if the stream ends before a whole one.

    ``stream`` may be unbuffered (the parent reads workers so, to know without waiting
    whether an answer has come): a frame is read whatever the size of each read."""
    header = _read_exactly(stream, _HEADER.size)
    (size,) = _HEADER.unpack(header)
    return pickle.loads(_read_exactly(stream, size))


def _read_exactly(stream: IO[bytes], size: int) -> bytearray:
    data = bytearray(size)
    view = memoryview(data)
    got = 0
    while got < size:
        count = stream.readinto(view[got:])  # type: ignore[attr-defined]
        if not count:
            raise EOFError("stream ended" if got == 0 and size == _HEADER.size
                           else "stream ended inside a frame")
        got += count
    return data


def main() -> None:
    """A spawned worker: the setup is the first frame on stdin."""
    # In a session of its own, a terminal's Ctrl-C does not reach a worker; should one
    # be sent anyway, it is the parent's to handle (it ends the workers).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    incoming = os.fdopen(os.dup(0), "rb")
    outgoing = os.fdopen(os.dup(1), "wb")
    # Frames only on the pipes: anything else printed goes to stderr, nothing is read.
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    try:
        setup = cast("Setup", receive(incoming))
    except (EOFError, OSError):
        os._exit(0)
    try:
        serve(incoming, outgoing, setup)
    except BaseException as error:
        stop_on_fault(error)
    os._exit(FAULT)  # serve returned, which it never should


#: A worker's exit status when deciding raised what no record explains (EX_SOFTWARE).
FAULT = 70


def stop_on_fault(error: BaseException) -> NoReturn:
    """End a worker that stopped on a fault: one line on stderr saying why, never a
    traceback, then ``FAULT``. The parent then says which records it held
    (``worker_handle.py``)."""
    lines = f"{type(error).__name__}: {error}".splitlines()
    line = visible(lines[0])[:500] if lines else type(error).__name__
    with contextlib.suppress(OSError):
        os.write(2, f"eligibility: a --jobs worker process stopped: {line}\n".encode())
    os._exit(FAULT)


def serve(incoming: IO[bytes], outgoing: IO[bytes], setup: Setup) -> NoReturn:
    """Answer every chunk on ``incoming`` with its ``EncodedChunk`` on ``outgoing``, after
    saying which pack decides them; a spawned worker and a forked one alike."""
    pipeline = _ready(outgoing, *setup)
    tasks: queue.SimpleQueue[object] = queue.SimpleQueue()
    threading.Thread(target=_read_tasks, args=(incoming, tasks), daemon=True).start()
    results: queue.SimpleQueue[object] = queue.SimpleQueue()
    threading.Thread(target=_send_results, args=(outgoing, results), daemon=True).start()
    # As the command line tunes it for a batch (collector.py), for the worker's life.
    tune_for_batch()
    while True:
        chunk = tasks.get()
        # Raw lines of a JSON Lines file are decoded here, not in the parent.
        records = chunk.records() if isinstance(chunk, LineBlock) else chunk
        results.put(pipeline.encode(records))  # type: ignore[arg-type]


def _send_results(outgoing: IO[bytes], results: queue.SimpleQueue[object]) -> None:
    """Send each result in turn. A result may be larger than a pipe holds, so the parent,
    reading another worker's result first, would keep this one's ``write`` waiting: in
    a thread of its own it waits while the next chunk is decided. At most the parent's
    few chunks in flight wait here."""
    while True:
        try:
            send(outgoing, results.get())
        except OSError:  # the parent is gone
            os._exit(0)
        except BaseException as error:  # else the parent would wait for it for ever
            stop_on_fault(error)


def _ready(outgoing: IO[bytes], rules: object, options: tuple[str, ...] | None,
           detail: str, as_of: dt.date | None) -> Pipeline:
    """The pipeline the parent asked for, once it has been told the pack's digest; or,
    if it cannot be made, one line to the parent and an exit."""
    try:
        from eligibility.services.pipeline import Pipeline
        pipeline = Pipeline(rules, detail, options, as_of)  # type: ignore[arg-type]
        answer: tuple[str, str] = ("ready", pipeline.digest)
    except BaseException as error:  # whatever it is, said to the parent in one line
        lines = f"{type(error).__name__}: {error}".splitlines()
        answer = ("failed", lines[0][:500] if lines else type(error).__name__)
    try:
        send(outgoing, answer)
    except OSError:
        os._exit(0)
    if answer[0] != "ready":
        os._exit(1)
    return pipeline


def _read_tasks(incoming: IO[bytes], tasks: queue.SimpleQueue[object]) -> None:
    """Queue every chunk the parent sends; when its end of the pipe closes, stop at once.

    The parent never has more than a few chunks in flight per worker, so the queue
    stays small; it is read ahead only so that the parent's write never waits for a
    worker that is itself waiting to write a result.
    """
    while True:
        try:
            tasks.put(receive(incoming))
        except (EOFError, OSError):  # the parent is done, or gone
            os._exit(0)
        except BaseException as error:  # a frame it cannot read: a fault, not an end
            stop_on_fault(error)
