"""The FHIR readers behind the reader interface: a Bundle ``.json``, a Bulk export's NDJSON.

A Bundle is a ``.json`` file the JSON profile reader would also claim: this reader says
it is its own when the first bytes hold ``"resourceType"``, which no profile has. Bulk
files (``.ndjson``, ``.ndjson.gz``) are parts of one export: they are read together
(``JoiningReader``), wherever the first of them stands among the inputs. Either way a
record per Patient, in input order, then a record per problem that belongs to no Patient
read (an unresolved reference names the Patient it references).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from eligibility.errors import Problem, ProfileError
from eligibility.inputs.base import InputRecord, Source
from eligibility.inputs.decode import decode
from eligibility.inputs.fhir.limits import MAX_BUNDLE_BYTES, MAX_DEPTH, MAX_ENTRIES
from eligibility.inputs.files import Unreadable, open_regular, shown

if TYPE_CHECKING:
    from eligibility.inputs.fhir.bulk import Part
    from eligibility.inputs.fhir.bundle import Group


def record_of(source: str, group: Group, as_of: dt.date) -> InputRecord:
    """One group's input record: the profile with its notes and provenance, or the error."""
    from eligibility.inputs.fhir.bundle import patient_of
    from eligibility.inputs.fhir.notes import record_note
    from eligibility.inputs.fhir.observations import MAX_WEIGHT_AGE

    patient = patient_of(group, as_of, MAX_WEIGHT_AGE)
    notes = tuple(record_note(note) for note in patient.notes)
    ident = patient.patient_id or None
    if patient.profile is None:
        return InputRecord(source, error=patient.error(), notes=notes, profile_id=ident,
                           provenance=patient.provenance)
    return InputRecord(source, payload=patient.profile, notes=notes, profile_id=ident,
                       provenance=patient.provenance)


def undated(name: str) -> InputRecord:
    """The one record of FHIR input read without an assessment date.

    Ages, the latest weight and whether a patient had died all depend on the day: the
    library never reads the clock (only the command line does, once, for "today"), so a
    caller that passes no ``as_of`` gets this error rather than an answer for some day.
    """
    return InputRecord(f"{name}:0", error=ProfileError(
        f"{name}: FHIR input needs the assessment date (as_of; on the command line "
        "--as-of, default today)", field="as_of"))


class FhirBundleReader:
    """``.json`` files holding a FHIR R4 Bundle (recognised by ``resourceType``)."""

    suffixes = (".json",)
    max_bytes = MAX_BUNDLE_BYTES

    def sniff(self, head: bytes) -> bool | None:
        return b'"resourceType"' in head

    def read(self, source: Source) -> Iterator[InputRecord]:
        from eligibility.inputs.fhir.bundle import bundle_groups, bundle_problem

        as_of = source.as_of
        if as_of is None:
            yield undated(source.name)
            return
        data = source.handle.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            yield InputRecord(f"{source.name}:0", error=ProfileError(
                f"{source.name}: a Bundle larger than {self.max_bytes} bytes; export the "
                "population with FHIR Bulk Data (NDJSON) instead"))
            return
        decoded = decode(data, f"{source.name}:0", strip_bom=True, max_depth=MAX_DEPTH)
        if decoded.error is not None:
            yield decoded
            return
        bundle = decoded.payload
        problem = bundle_problem(bundle)
        if problem is None and isinstance(bundle, dict) and \
                len(bundle.get("entry") or ()) > MAX_ENTRIES:
            problem = Problem(f"Bundle.entry holds more than {MAX_ENTRIES} entries",
                              field="Bundle.entry")
        if problem is not None or not isinstance(bundle, dict):
            yield InputRecord(f"{source.name}:0", error=ProfileError(
                f"{source.name}: {problem.message if problem else 'not a Bundle'}",
                field=problem.field if problem else None))
            return
        for group in bundle_groups(bundle):
            yield record_of(f"{source.name}:{group.position}", group, as_of)


class FhirBulkReader:
    """Bulk Data NDJSON (``.ndjson``, ``.ndjson.gz``): one resource per line, the files
    of one export read together and joined by patient."""

    suffixes = (".ndjson", ".ndjson.gz")

    def sniff(self, head: bytes) -> bool | None:
        return None

    def read(self, source: Source) -> Iterator[InputRecord]:
        """One part on its own (a single export file, already open)."""
        from eligibility.inputs.fhir.bulk import bulk_groups

        as_of = source.as_of
        if as_of is None:
            yield undated(source.name)
            return
        for name, group in bulk_groups(iter([(source.name, source.handle)])):
            yield record_of(name, group, as_of)

    def read_together(self, names: Sequence[str], as_of: dt.date | None) -> Iterator[InputRecord]:
        from eligibility.inputs.fhir.bulk import bulk_groups

        if as_of is None:
            yield undated(shown(names[0]) if names else "FHIR Bulk export")
            return
        for name, group in bulk_groups(_opened(names)):
            yield record_of(name, group, as_of)


def _opened(names: Sequence[str]) -> Iterator[Part | tuple[str, Problem]]:
    """Each file opened in turn (and closed when the next is asked for)."""
    for name in names:
        display = shown(name)
        try:
            handle = open_regular(name)
        except Unreadable as error:
            yield display, Problem(f"{display}: cannot read: {error.reason}")
            continue
        with handle:
            yield display, handle

