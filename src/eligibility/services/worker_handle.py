"""The parent's handle on one ``--jobs`` worker process: what it was sent, in order,
and how it ended if it ended early.

Every chunk sent is remembered by the records it spans until its answer is read, so a
worker that dies (killed, out of memory) is an error naming the records it held, never
a hang and never a silently missing chunk. Answers come back in the order chunks went
out; ``answered`` tells, without waiting, whether the oldest one has arrived, so the
parent can decide a chunk itself rather than sit idle.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import select
import subprocess
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from eligibility.errors import WorkerError
from eligibility.inputs.jsonl_blocks import LineBlock
from eligibility.inputs.reader import InputRecord
from eligibility.rulepack.model import RulePack
from eligibility.safe_text import visible
from eligibility.services.processes import Forked, Spawned, WorkerProcess
from eligibility.services.worker import receive, send, serve

if TYPE_CHECKING:
    from eligibility.render.wire import EncodedChunk

#: Seconds a worker gets to exit on its own before it is killed.
GRACE_SECONDS = 5.0

_STARTING = "while starting"


class WorkerHandle:
    """One worker process, and which records each chunk it holds spans, oldest first."""

    def __init__(self, pack: RulePack, options: tuple[str, ...] | None,
                 detail: str = "full", as_of: dt.date | None = None,
                 fork: bool = False) -> None:
        setup = (pack, options, detail, as_of)
        try:
            self.process: WorkerProcess = (
                Forked(functools.partial(serve, setup=setup)) if fork else Spawned())
        except OSError as error:
            raise WorkerError(f"cannot start a worker process: {error.strerror}") from None
        self.held: collections.deque[str] = collections.deque()
        if fork:  # it holds the setup already, as this process does
            return
        try:
            self._send(setup, _STARTING)
        except WorkerError:
            self.stop(finished=False)
            raise

    def ready(self, digest: str) -> None:
        """Wait for the worker's first answer: ready, with the pack ``digest`` names."""
        try:
            answer = receive(self.process.stdout)
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
        # Should the worker be gone, the records it held are the ones lost; this chunk
        # never reached it, but it is the one named when the worker held none.
        self._send(chunk, self.held[0] if self.held else span)
        self.held.append(span)

    def answered(self) -> bool:
        """Whether the oldest answer (or the end of the pipe) can be read without waiting."""
        return bool(select.select([self.process.stdout], [], [], 0)[0])

    def result(self) -> EncodedChunk:
        span = self.held.popleft()
        try:
            return cast("EncodedChunk", receive(self.process.stdout))
        except (EOFError, OSError):
            raise self._died(span) from None

    def _send(self, item: object, span: str) -> None:
        try:
            send(self.process.stdin, item)
        except OSError:
            raise self._died(span) from None

    def _died(self, span: str) -> WorkerError:
        try:
            code: int | None = self.process.wait(GRACE_SECONDS)
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
                stream.close()
        try:
            self.process.wait(GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(GRACE_SECONDS)
