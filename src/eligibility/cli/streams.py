"""Standard streams the command can count on, and a named error for each way they fail.

Why: a full disk (``> /dev/full``), a closed stdout or stdin (``>&-``, ``<&-``) or a
stdout that cannot encode the text (``PYTHONIOENCODING=ascii``) used to end in a Python
traceback and exit status 1, which means "some input was invalid". Here a write that
fails raises ``OutputError`` (exit 3), a reader that went away ``ReaderGone`` (exit 141,
quietly), and reading a closed stdin ``InputClosedError`` (exit 3); ``main`` prints one
line for each. Text a stdout cannot encode is written as ``\\uXXXX`` escapes instead.

Only the process's own streams are guarded (``guard`` runs in the entry point, not in
``main``), so tests and library callers keep whatever streams they set up.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Any

from eligibility.errors import EligibilityError


class OutputError(EligibilityError):
    """The output could not be written (exit status 3); what was written may end mid-record."""


class ReaderGone(OutputError):
    """Whatever read the output stopped reading (``| head``): not a failure, but not all written."""


class InputClosedError(EligibilityError):
    """Standard input was named (``-``) but is closed (exit status 3)."""


class GuardedFile(io.FileIO):
    """A file written to (fd 1, or ``--output``'s), whose write errors are
    ``OutputError``, never a bare ``OSError``; ``where`` is said after "the output"."""

    where = ""

    def write(self, data: Any, /) -> int:
        try:
            return super().write(data)
        except BrokenPipeError:
            raise ReaderGone("the reader of the output went away") from None
        except OSError as error:
            raise unwritable(error, self.where) from None


def unwritable(error: OSError, where: str = "") -> OutputError:
    """The error of an output that could not be written (``where``: " to FILE" or "")."""
    return OutputError(f"cannot write the output{where}: {error.strerror}")


def guarded_text(fd: int, where: str) -> io.TextIOWrapper:
    """A UTF-8 text stream over ``fd`` (closed with it), as ``open(fd, "w",
    encoding="utf-8", newline="")`` makes, whose write errors are ``OutputError``."""
    raw = GuardedFile(fd, "w")
    raw.where = where
    return io.TextIOWrapper(io.BufferedWriter(raw), encoding="utf-8", newline="")


class _ClosedStdin:
    """Stands in for a closed stdin: harmless to ask about, an error to read."""

    def isatty(self) -> bool:
        return False

    def _closed(self, *_: object) -> Any:
        raise InputClosedError("cannot read standard input (-): it is closed")

    fileno = read = readline = readlines = __iter__ = _closed

    @property
    def buffer(self) -> Any:
        return self._closed()


_guarded_fd: int | None = None


def guard() -> OutputError | None:
    """Put guarded streams in place of the process's; an error if stdout is closed.

    A closed fd 1 or 0 is also filled with /dev/null, so that no file opened later
    takes its number and is written to, or read from, as if it were the stream.
    """
    global _guarded_fd
    if sys.stdin is None:
        _point_at_devnull(0, os.O_RDONLY)
        sys.stdin = _ClosedStdin()  # type: ignore[assignment,unused-ignore]
    if sys.stderr is None:
        _point_at_devnull(2, os.O_WRONLY)
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - kept for the life of the process
    if sys.stdout is None:
        _point_at_devnull(1, os.O_WRONLY)
        return OutputError("cannot write the output: standard output is closed")
    old = sys.stdout
    with contextlib.suppress(AttributeError, OSError, ValueError):
        fd = old.fileno()
        raw = GuardedFile(fd, "w", closefd=False)
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw), encoding=old.encoding,
                                      errors="backslashreplace", newline="\n",
                                      line_buffering=bool(old.line_buffering))
        _guarded_fd = fd
    return None


def silence_stdout() -> None:
    """After a failed write, send whatever is still buffered nowhere, so that the final
    flush at exit does not fail a second time (and print a traceback of its own)."""
    if _guarded_fd is not None:
        _point_at_devnull(_guarded_fd, os.O_WRONLY)


def _point_at_devnull(fd: int, flags: int) -> None:
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, flags)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
