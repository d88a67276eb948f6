"""What every input reader is: one small interface, and the records it yields.

A reader turns one opened input (a file, or stdin) into an iterator of ``InputRecord``,
one per profile, within its own limits. Readers are interchangeable (``formats.py``
lists them): adding an input format means one new module with one reader, and one
line registering it. Nothing a reader reads is trusted or dropped: a profile that cannot
be read becomes a record holding the reason, so every input is answered.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol, runtime_checkable

from eligibility.errors import ProfileError, UsageError


class InputError(UsageError):
    """An input the user named cannot be read at all: a path, or an empty stdin (exit 2)."""


@dataclass(frozen=True)
class InputRecord:
    """One profile's worth of input: where it came from and what it decoded to."""

    source: str
    payload: object = None
    error: ProfileError | None = None


#: Yielded (only when asked for) when stdin has no more input ready for now: a batch
#: writes what it has rather than wait for a full chunk. Never a record.
PAUSE = InputRecord("<pause>")


@dataclass(frozen=True)
class Source:
    """One opened input, handed to the reader chosen for it.

    ``name`` is the input as records name it (undecodable bytes escaped); ``handle`` is
    positioned at its start; ``pauses`` asks a stream reader to yield ``PAUSE`` when no
    more input is ready for now.
    """

    name: str
    handle: BinaryIO
    pauses: bool = False


@runtime_checkable
class Reader(Protocol):
    """Reads one input format.

    ``suffixes`` are the file name endings it reads: folder mode lists the files some
    reader names. When several readers name a suffix, the
    one whose ``sniff`` of the file's first bytes says ``True`` reads it, else the first
    that has no opinion (``None``); ``False`` means "not mine".
    """

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The file name endings read, lower case with the dot (``(".json",)``)."""
        ...

    def sniff(self, head: bytes) -> bool | None:
        """Whether a file that starts with ``head`` is in this format (``None``: no opinion)."""
        ...

    def read(self, source: Source) -> Iterator[InputRecord]:
        """Every profile in ``source``, one record each, in order; never raises for bad input."""
        ...


def unreadable(name: str, reason: str) -> InputRecord:
    """The record for an input that cannot be read at all (line 0: the input itself)."""
    return InputRecord(f"{name}:0", error=ProfileError(f"{name}: cannot read: {reason}"))
