"""``--jobs N``: chunks evaluated in N worker processes, results back in input order.

Why not ``multiprocessing.Pool``: its ``imap`` keeps every finished chunk until the
output is read (hundreds of MB behind a paused reader), and when the consumer fails
its exit handler can block for ever and leave workers behind. What a batch needs is
small enough to own:

* A fixed window. Chunk *i* goes to worker *i mod N* and results are read back in the
  same order, so order needs no buffer, and no more than ``DEPTH`` chunks per worker are
  ever in flight: input is read only as fast as output is written.
* A pause in the input (a slow stdin) delivers everything in flight before reading on.
* Every worker is ended and reaped in ``finally``, whatever the way out: done, an
  error, Ctrl-C, or the consumer closing the generator. Workers run in a session of
  their own, so a Ctrl-C at the terminal reaches only this process, which prints the
  one line; and a worker whose parent died sees its stdin close and exits at once
  (see ``services.worker``).
* A worker that dies (killed, out of memory) is an error naming the records it held,
  never a hang and never a silently missing chunk.
* The pack goes to each worker by value, and each answers with the digest of the pack
  it will decide with before it gets a chunk: a pack file edited during a run changes
  nothing, and a worker that cannot start (or holds another pack) is one error, said
  once, and the run ends; no worker is ever started again in its place.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import itertools
import signal
import subprocess
import sys
from collections.abc import Generator, Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from eligibility.errors import WorkerError
from eligibility.inputs.jsonl import LineBlock
from eligibility.inputs.reader import InputRecord
from eligibility.rulepack.identity import identified
from eligibility.rulepack.loader import load_pack
from eligibility.rulepack.model import RulePack
from eligibility.safe_text import visible
from eligibility.services.worker import BOOTSTRAP, receive, send

if TYPE_CHECKING:
    from eligibility.render.wire import EncodedChunk

#: Chunks in flight per worker: one being evaluated, one waiting, so a worker never
#: idles while the parent writes output.
DEPTH = 2
#: Seconds a worker gets to exit on its own before it is killed.
GRACE_SECONDS = 5.0


_STARTING = "while starting"


class _Worker:
    """One worker process, and which records each chunk it holds spans, oldest first."""

    def __init__(self, pack: RulePack, options: tuple[str, ...] | None,
                 detail: str = "full", as_of: dt.date | None = None) -> None:
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", BOOTSTRAP, *sys.path], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, start_new_session=True)
        except OSError as error:
            raise WorkerError(f"cannot start a worker process: {error.strerror}") from None
        self.held: collections.deque[str] = collections.deque()
        try:
            self._send((pack, options, detail, as_of), _STARTING)
        except WorkerError:
            self.stop(finished=False)
            raise

    def ready(self, digest: str) -> None:
        """Wait for the worker's first answer: ready, with the pack ``digest`` names."""
        try:
            answer = receive(cast(IO[bytes], self.process.stdout))
        except (EOFError, OSError):
            raise self._died(_STARTING) from None
        match answer:
            case ("ready", str(got)) if got == digest:
                return
            case ("ready", str(got)):
                raise WorkerError(f"a --jobs worker process holds another rule pack ({got}) "
                                  f"than this run ({digest}); nothing was evaluated")
            case ("failed", str(why)):
                raise WorkerError(f"a --jobs worker process could not start: {visible(why)}")
        raise WorkerError("a --jobs worker process answered what no worker sends")

    def submit(self, chunk: Sequence[InputRecord] | LineBlock) -> None:
        span = (f"while evaluating {chunk.span}" if isinstance(chunk, LineBlock)
                else f"while evaluating {chunk[0].source} to {chunk[-1].source}")
        self._send(chunk, span)
        self.held.append(span)

    def result(self) -> EncodedChunk:
        span = self.held.popleft()
        try:
            return cast("EncodedChunk", receive(cast(IO[bytes], self.process.stdout)))
        except (EOFError, OSError):
            raise self._died(span) from None

    def _send(self, item: object, span: str) -> None:
        try:
            send(cast(IO[bytes], self.process.stdin), item)
        except OSError:
            raise self._died(span) from None

    def _died(self, span: str) -> WorkerError:
        try:
            code = self.process.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        how = ("stopped answering" if code is None
               else f"was killed by signal {-code}" if code < 0 else f"exited with status {code}")
        lost = "nothing was evaluated" if span == _STARTING else "the output is incomplete"
        return WorkerError(f"a --jobs worker process {how} {span}; {lost}")

    def stop(self, *, finished: bool) -> None:
        """End the worker and reap it: when all is done, by closing its stdin (it exits at
        once); otherwise by killing it first, so that nothing here waits on it."""
        if not finished:
            self.process.kill()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        try:
            self.process.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def map_ordered(chunks: Iterable[Sequence[InputRecord] | LineBlock | None],
                rules: str | Path | RulePack,
                jobs: int, options: tuple[str, ...] | None = None, detail: str = "full",
                as_of: dt.date | None = None) -> Generator[EncodedChunk, None, None]:
    """Each chunk's ``EncodedChunk`` (``batch.assess_encoded``), in order; ``None`` in
    ``chunks`` means the input paused: every result in flight is delivered before the
    next chunk is read."""
    pack = identified(rules if isinstance(rules, RulePack) else load_pack(rules))
    workers: list[_Worker] = []
    finished = False
    try:
        for _ in range(jobs):
            workers.append(_Worker(pack, options, detail, as_of))
        for worker in workers:  # all start at once; then each must say it is ready
            worker.ready(pack.digest)
        turns = itertools.cycle(workers)
        in_flight: collections.deque[_Worker] = collections.deque()
        for chunk in chunks:
            if chunk is None:
                while in_flight:
                    yield in_flight.popleft().result()
                continue
            if len(in_flight) == DEPTH * jobs:
                yield in_flight.popleft().result()
            worker = next(turns)
            worker.submit(chunk)
            in_flight.append(worker)
        while in_flight:
            yield in_flight.popleft().result()
        finished = True
    finally:
        _stop_all(workers, finished=finished)


def _stop_all(workers: list[_Worker], *, finished: bool) -> None:
    # A second Ctrl-C must not cut the clean-up short and leave a worker behind.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for worker in workers:
            worker.stop(finished=finished)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
