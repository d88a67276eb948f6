"""What every input reader is: one small interface, and the records it yields.

A reader turns one opened input (a file, or stdin) into an iterator of ``InputRecord``,
one per profile, within its own limits. Readers are interchangeable (``formats.py``
lists them): adding an input format means one new module with one reader, and one
line registering it. Nothing a reader reads is trusted or dropped: a profile that cannot
be read becomes a record holding the reason, so every input is answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import BinaryIO, Protocol, runtime_checkable

from eligibility.errors import ProfileError, UsageError
from eligibility.model.assessment import Assessment, Note


class InputError(UsageError):
    """An input the user named cannot be read at all: a path, or an empty stdin (exit 2)."""


@dataclass(frozen=True)
class InputRecord:
    """One profile's worth of input: where it came from and what it decoded to."""

    source: str
    payload: object = None
    error: ProfileError | None = None
    #: What a reader that maps another format (FHIR) adds: notes for the record (no
    #: active diagnosis found), whom an error record is about, and where each profile
    #: field's value came from (``{"severity": ("Condition/c1",)}``, for ``explain``).
    notes: tuple[Note, ...] = ()
    profile_id: str | None = None
    provenance: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}))

    def annotated(self, assessment: Assessment) -> Assessment:
        """``assessment`` with this record's notes after the pack's (unchanged without)."""
        if not self.notes:
            return assessment
        return assessment.model_copy(update={"notes": (*assessment.notes, *self.notes)})

    def __reduce__(self) -> tuple[object, ...]:
        # A read-only mapping does not pickle; worker processes receive records.
        return (_record, (self.source, self.payload, self.error, self.notes, self.profile_id,
                          tuple(self.provenance.items())))


def _record(source: str, payload: object, error: ProfileError | None, notes: tuple[Note, ...],
            profile_id: str | None, provenance: tuple[tuple[str, tuple[str, ...]], ...]
            ) -> InputRecord:
    return InputRecord(source, payload, error, notes, profile_id,
                       MappingProxyType(dict(provenance)))


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
    #: The assessment date a reader that computes with dates uses (FHIR: the latest
    #: weight); None: not given (FHIR readers then refuse, never reading the clock).
    as_of: dt.date | None = None


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


@runtime_checkable
class JoiningReader(Reader, Protocol):
    """A reader whose files are read together, being parts of one input (a FHIR Bulk
    export: one resource type per file, joined by patient). Every file it claims among
    the inputs is handed to it at once, where the first of them stands."""

    def read_together(self, names: Sequence[str], as_of: dt.date | None) -> Iterator[InputRecord]:
        """Every profile in the files ``names``, in order; never raises for bad input."""
        ...


def unreadable(name: str, reason: str) -> InputRecord:
    """The record for an input that cannot be read at all (line 0: the input itself)."""
    return InputRecord(f"{name}:0", error=ProfileError(f"{name}: cannot read: {reason}"))
