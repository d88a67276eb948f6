"""One ``--jobs`` worker process: chunks in on stdin, encoded results out on stdout.

The parent (``services.pool``) starts ``python -c BOOTSTRAP`` with its own ``sys.path``,
in a session of its own, and talks to it over two pipes, one frame at a time: an
8-byte big-endian length, then a pickle. The first frame names the rule pack, the
options to keep (``--option``), the detail (``--detail``) and the assessment date
(``--as-of``, or the day the parent chose); every later frame is a
chunk of input records, answered by one ``EncodedChunk``, in order.

Why the shape: a worker must never outlive its parent, whatever happens to the parent
(an error, Ctrl-C, ``kill -9``). The parent closes the worker's stdin when it is done
or gives up, and a thread here does nothing but read stdin: at end of input it ends
the process at once, even in the middle of a chunk. A parent that died closes the
pipes too, so the same path covers it, and writing a result to a parent that is gone
ends the process the same way.

This is also the seam for workers that read their own input: a frame could name a
file and a range of lines instead of carrying the records.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import queue
import signal
import struct
import threading
from typing import IO, cast

_HEADER = struct.Struct(">Q")

#: Run by the parent as ``python -c BOOTSTRAP PATH...``: the worker sees the modules the
#: parent sees (the same ``sys.path``), whatever way the parent was started.
BOOTSTRAP = ("import sys; sys.path[:] = sys.argv[1:]; "
             "from eligibility.services.worker import main; main()")


def send(stream: IO[bytes], item: object) -> None:
    data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive(stream: IO[bytes]) -> object:
    """The next frame's object; raises ``EOFError`` if the stream ends before a whole one."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("stream ended")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("stream ended inside a frame")
    return pickle.loads(data)


def main() -> None:
    # In a session of its own, a terminal's Ctrl-C does not reach a worker; should one
    # be sent anyway, it is the parent's to handle (it ends the workers).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    incoming = os.fdopen(os.dup(0), "rb")
    outgoing = os.fdopen(os.dup(1), "wb")
    # Frames only on the pipes: anything else printed goes to stderr, nothing is read.
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    try:
        setup = cast("tuple[str, tuple[str, ...] | None, str, dt.date | None]", receive(incoming))
    except (EOFError, OSError):
        os._exit(0)
    rules, options, detail, as_of = setup
    from eligibility.services.pipeline import Pipeline
    pipeline = Pipeline(rules, detail, options, as_of)  # type: ignore[arg-type]
    tasks: queue.SimpleQueue[object] = queue.SimpleQueue()
    threading.Thread(target=_read_tasks, args=(incoming, tasks), daemon=True).start()
    while True:
        chunk = tasks.get()
        result = pipeline.encode(chunk)  # type: ignore[arg-type]
        try:
            send(outgoing, result)
        except OSError:  # the parent is gone
            os._exit(0)


def _read_tasks(incoming: IO[bytes], tasks: queue.SimpleQueue[object]) -> None:
    """Queue every chunk the parent sends; when its end of the pipe closes, stop at once.

    The parent never has more than a few chunks in flight per worker, so the queue
    stays small; it is read ahead only so that the parent's write never waits for a
    worker that is itself waiting to write a result.
    """
    while True:
        try:
            tasks.put(receive(incoming))
        except BaseException:
            os._exit(0)
