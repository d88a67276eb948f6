"""How a ``--jobs`` worker process starts: forked from this one when that is safe, else
spawned as a fresh interpreter. Either way it is a process with two pipes to it, in a
session of its own, that ``services.pool`` talks to and reaps the same way.

Why fork: a fresh interpreter spends ~0.2 s of CPU importing the project and its
libraries before it decides anything, per worker; on 2 cores and 100,000 profiles that
is as much time as 4 µs per profile, enough to keep ``--jobs 2`` well short of twice one
process. A forked worker already holds every module and the rule pack as the parent
checked it, and starts in a few milliseconds.

Fork is safe only when no other thread exists (a thread holding a lock at the fork
would leave it held for ever in the child), so a process with threads (a server, a test
runner's helpers) spawns instead, as it does off Linux. The child keeps only its two
pipe ends and the standard streams; every other descriptor it inherited is closed at
once, so a worker never holds another worker's pipe (whose end of input must reach
that worker alone) or this run's output file. It never returns into the parent's
code: it serves chunks and leaves through ``os._exit``, so nothing the parent buffered
is flushed twice and no exit handler of the parent runs in it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO

from eligibility.services.worker import BOOTSTRAP, FAULT, stop_on_fault

#: How often ``wait`` looks at a forked child that has not exited yet.
_POLL_SECONDS = 0.01


class WorkerProcess:
    """What ``services.pool`` needs of a worker process, however it started: its two
    pipes, unbuffered (so that ``select`` on its output tells whether an answer came)."""

    stdin: IO[bytes]
    stdout: IO[bytes]

    def wait(self, timeout: float) -> int:
        """Its exit status (negative: the signal that ended it); raises
        ``subprocess.TimeoutExpired`` if it is still running after ``timeout`` seconds."""
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError


class Spawned(WorkerProcess):
    """A fresh interpreter running ``services.worker.main``, with this ``sys.path``."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", BOOTSTRAP, *sys.path], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, start_new_session=True, bufsize=0)
        assert self._process.stdin is not None and self._process.stdout is not None
        self.stdin, self.stdout = self._process.stdin, self._process.stdout
        widen(self.stdin.fileno())
        widen(self.stdout.fileno())

    def wait(self, timeout: float) -> int:
        return self._process.wait(timeout=timeout)

    def kill(self) -> None:
        self._process.kill()


class Forked(WorkerProcess):
    """A copy of this process that runs ``serve(incoming, outgoing)`` and exits."""

    def __init__(self, serve: Callable[[IO[bytes], IO[bytes]], None]) -> None:
        # Ctrl-C held across the fork (the child ignores it before it could arrive) and
        # until this handle is whole, so that one arriving now finds it able to end it.
        with held_interrupts():
            to_child, from_parent = os.pipe()
            to_parent, from_child = os.pipe()
            widen(to_child)
            widen(to_parent)
            try:
                pid = os.fork()
            except OSError:
                for fd in (to_child, from_parent, to_parent, from_child):
                    os.close(fd)
                raise
            if pid == 0:  # pragma: no cover - the child's lines are measured in the child
                _child(serve, incoming=to_child, outgoing=from_child)
            self.pid = pid
            self._status: int | None = None
            os.close(to_child)
            os.close(from_child)
            self.stdin = os.fdopen(from_parent, "wb", buffering=0)
            self.stdout = os.fdopen(to_parent, "rb", buffering=0)

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self._status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._status = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout)
            time.sleep(_POLL_SECONDS)
        return self._status

    def kill(self) -> None:
        if self._status is None:
            with contextlib.suppress(ProcessLookupError):  # already reaped
                os.kill(self.pid, signal.SIGKILL)


#: What a pipe to or from a worker holds (Linux's default is 64 KiB; 1 MiB is what an
#: unprivileged process may ask for by default).
PIPE_BYTES = 1 << 20


def widen(fd: int) -> None:
    """Let the pipe hold a whole brief chunk's answer, so that it goes in one write. In
    smaller pieces each piece waits for the worker's deciding thread to let go of the
    interpreter (up to its 5 ms switch interval), and the parent waits with it."""
    with contextlib.suppress(OSError, AttributeError):  # a smaller limit, or not Linux
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


@contextlib.contextmanager
def held_interrupts() -> Iterator[None]:
    """Ctrl-C (SIGINT) held back until the block ends, then delivered if it came: for
    steps that must not be cut in two, such as a worker started but not yet known to
    whoever must end it. The mask is this thread's: it holds a Ctrl-C in a process with
    one thread (the command line's, whenever it forks), not one that another thread takes."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def can_fork() -> bool:
    """Whether a worker may be forked from this process: on Linux, with no other thread."""
    return sys.platform == "linux" and threading.active_count() == 1


def _child(serve: Callable[[IO[bytes], IO[bytes]], None], incoming: int,
           outgoing: int) -> None:  # pragma: no cover - runs in the child only
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        os.setsid()
        _keep_only(incoming, outgoing)
        # Frames only on the pipes: anything printed goes to stderr, nothing is read.
        nothing = os.open(os.devnull, os.O_RDONLY)
        os.dup2(nothing, 0)
        os.close(nothing)
        os.dup2(2, 1)
        serve(os.fdopen(incoming, "rb"), os.fdopen(outgoing, "wb"))
    except BaseException as error:
        stop_on_fault(error)
    os._exit(FAULT)  # serve returned, which it never should


def _keep_only(*fds: int) -> None:
    """Close every descriptor above the standard streams but ``fds``."""
    start = 3
    for fd in sorted(fds):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, os.sysconf("SC_OPEN_MAX"))
