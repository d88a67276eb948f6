"""``--jobs N``: chunks decided in N processes (this one and N - 1 workers), results
back in input order.

Why not ``multiprocessing.Pool``: its ``imap`` keeps every finished chunk until the
output is read (hundreds of MB behind a paused reader), and when the consumer fails
its exit handler can block for ever and leave workers behind. What a batch needs is
small enough to own:

* This process decides chunks too. On 2 cores, two workers beside a parent that only
  forwards bytes leave the parent's share of a core to neither; here the parent hands
  each worker up to ``DEPTH`` chunks and decides the next one itself whenever they all
  still hold that many once every answer that has come is written, so both cores decide.
* A bounded window: at most ``DEPTH`` chunks per worker and ``AHEAD`` decided here are
  ever waiting, and answers are written in input order; input is read only as fast as
  output is written.
* A pause in the input (a slow stdin) delivers everything in flight before reading on.
* Every worker is ended and reaped in ``finally``, whatever the way out: done, an
  error, Ctrl-C, or the consumer closing the generator. Workers run in a session of
  their own, so a Ctrl-C at the terminal reaches only this process, which prints the
  one line; and a worker whose parent died sees its stdin close and exits at once
  (see ``services.worker``). How a worker starts (forked or spawned) is
  ``services.processes``'; what it held when it died, ``services.worker_handle``'.
* The pack goes to each worker by value, and each answers with the digest of the pack
  it will decide with before it gets a chunk: a pack file edited during a run changes
  nothing, and a worker that cannot start (or holds another pack) is one error, said
  once, and the run ends; no worker is ever started again in its place.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import signal
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from eligibility.inputs.jsonl_blocks import LineBlock
from eligibility.inputs.reader import InputRecord
from eligibility.rulepack.identity import identified
from eligibility.rulepack.loader import load_pack
from eligibility.rulepack.model import RulePack
from eligibility.services.processes import can_fork, held_interrupts
from eligibility.services.worker_handle import WorkerHandle

if TYPE_CHECKING:
    from eligibility.render.brief import Detail
    from eligibility.render.wire import EncodedChunk
    from eligibility.services.pipeline import Pipeline

#: Chunks in flight per worker: one being decided, one waiting, so a worker never idles
#: while this process writes output.
DEPTH = 2
#: Chunks decided here that may wait for an older answer from a worker.
AHEAD = 4

def map_ordered(chunks: Iterable[Sequence[InputRecord] | LineBlock | None],
                rules: str | Path | RulePack,
                jobs: int, options: tuple[str, ...] | None = None, detail: str = "full",
                as_of: dt.date | None = None) -> Generator[EncodedChunk, None, None]:
    """Each chunk's ``EncodedChunk`` (``batch.assess_encoded``), in order, decided in
    ``jobs`` processes: this one and ``jobs - 1`` workers; ``None`` in ``chunks`` means
    the input paused: every result in flight is delivered before the next chunk is read."""
    pack = identified(rules if isinstance(rules, RulePack) else load_pack(rules))
    workers: list[WorkerHandle] = []
    finished = False
    fork = can_fork()
    try:
        for _ in range(jobs - 1):
            with held_interrupts():  # a Ctrl-C now comes once the worker is in the list
                workers.append(WorkerHandle(pack, options, detail, as_of, fork))
        for worker in workers:  # all start at once; then each must say it is ready
            worker.ready(pack.digest)
        yield from _Schedule(workers, _Here(pack, options, detail, as_of)).run(chunks)
        finished = True
    finally:
        _stop_all(workers, finished=finished)


class _Here:
    """Chunks decided in this process, when every worker has as many as it should hold."""

    def __init__(self, pack: RulePack, options: tuple[str, ...] | None, detail: str,
                 as_of: dt.date | None) -> None:
        self._setup = (pack, options, detail, as_of)
        self._pipeline: Pipeline | None = None

    def encode(self, chunk: Sequence[InputRecord] | LineBlock) -> EncodedChunk:
        if self._pipeline is None:
            from eligibility.services.pipeline import Pipeline

            pack, options, detail, as_of = self._setup
            self._pipeline = Pipeline(pack, cast("Detail", detail), options, as_of)
        records = chunk.records() if isinstance(chunk, LineBlock) else chunk
        return self._pipeline.encode(records)


class _Schedule:
    """Chunks to workers, each holding at most ``DEPTH``, and to this process when they
    all still hold that many after every answer that has come is written; answers in
    input order.

    Each slot of ``waiting`` is a chunk's answer, in input order: decided here already
    (an ``EncodedChunk``), or the worker that holds it (workers answer in the order they
    were given chunks). At most ``AHEAD`` answers decided here wait for an older one."""

    def __init__(self, workers: list[WorkerHandle], here: _Here) -> None:
        self._workers = workers
        self._here = here
        self._waiting: collections.deque[WorkerHandle | EncodedChunk] = collections.deque()
        self._turns = itertools.cycle(workers) if workers else None

    def run(self, chunks: Iterable[Sequence[InputRecord] | LineBlock | None]
            ) -> Iterator[EncodedChunk]:
        for chunk in chunks:
            if chunk is None:
                while self._waiting:
                    yield self._oldest()
                continue
            yield from self._place(chunk)
        while self._waiting:
            yield self._oldest()

    def _place(self, chunk: Sequence[InputRecord] | LineBlock) -> Iterator[EncodedChunk]:
        while True:
            while self._waiting and self._arrived():
                yield self._oldest()
            worker = self._free_worker()
            if worker is not None:
                worker.submit(chunk)
                self._waiting.append(worker)
                return
            if self._decided_here() < AHEAD:
                self._waiting.append(self._here.encode(chunk))
                return
            yield self._oldest()  # wait for it: everything else is full

    def _arrived(self) -> bool:
        oldest = self._waiting[0]
        return not isinstance(oldest, WorkerHandle) or oldest.answered()

    def _oldest(self) -> EncodedChunk:
        oldest = self._waiting.popleft()
        return oldest.result() if isinstance(oldest, WorkerHandle) else oldest

    def _free_worker(self) -> WorkerHandle | None:
        for _ in self._workers:
            worker = next(self._turns)  # type: ignore[arg-type]
            if len(worker.held) < DEPTH:
                return worker
        return None

    def _decided_here(self) -> int:
        return sum(not isinstance(slot, WorkerHandle) for slot in self._waiting)


def _stop_all(workers: list[WorkerHandle], *, finished: bool) -> None:
    # A second Ctrl-C must not cut the clean-up short and leave a worker behind.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for worker in workers:
            worker.stop(finished=finished)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
