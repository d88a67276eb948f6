"""A FHIR Bulk Data export (NDJSON, one resource type per file) → patients, in bounded memory.

``$export`` writes each resource type to its own files (``Patient.ndjson``,
``Condition.000.ndjson.gz``, …: several per type, possibly gzipped, references relative or
absolute; https://hl7.org/fhir/uv/bulkdata/export.html). Joining them by patient in
memory would hold a whole population. Instead each resource read is reduced to the
elements the mapping reads and stored (``marshal``: a private file of this process, read
back by it), under its Patient's id, in SQLite's private temporary database on disk
(``sqlite3`` is in the standard library; its page cache is capped at ``CACHE_KIB``); patients are then
read back one at a time, in Patient file and line order. What stays in memory is that
cache, one batch of rows being written and one patient's resources, whatever the size of
the export (``bench/fhir_bench.py`` measures it). Medication resources (which belong to
no patient) are stored by id, and fetched for the patients whose medicationReference
names them.

Where the time goes (profiled, ``bench/fhir_bench.py``): decoding the JSON lines and
mapping each patient; SQLite is written a batch of rows at a time (one call per row was
a tenth of a run) and a row names its file by number, not by its path.
"""

from __future__ import annotations

import gzip
import itertools
import marshal
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from typing import Any, BinaryIO, cast

from eligibility.errors import Problem
from eligibility.inputs.decode import decode
from eligibility.inputs.fhir.bundle import Group, owner_of, problem_order, unresolved
from eligibility.inputs.fhir.elements import ID, quoted
from eligibility.inputs.fhir.limits import MAX_DEPTH, MAX_LINE_BYTES, MAX_RESOURCES_PER_PATIENT
from eligibility.inputs.fhir.medications import attach_medications
from eligibility.inputs.fhir.references import target_id
from eligibility.inputs.fhir.valuesets import TERMINOLOGY
from eligibility.inputs.lines import TooLong, content, handle_lines

#: The SQLite page cache, in KiB: the constant part of the memory a Bulk join needs.
CACHE_KIB = 8 * 1024
#: Rows written to SQLite at once (bounded: ~10 resources' worth of memory per 10 rows).
BATCH = 2000
SCHEMA = """
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;
CREATE TABLE patient (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                      part INTEGER NOT NULL, line INTEGER NOT NULL, resource BLOB NOT NULL);
CREATE TABLE member (patient TEXT NOT NULL, part INTEGER NOT NULL, line INTEGER NOT NULL,
                     reference TEXT NOT NULL, resource BLOB NOT NULL);
CREATE TABLE medication (id TEXT PRIMARY KEY, resource BLOB NOT NULL) WITHOUT ROWID;
"""
#: One opened part of the export: its name as records show it, and its bytes.
Part = tuple[str, BinaryIO]
_MEMBER = "INSERT INTO member VALUES (?, ?, ?, ?, ?)"
#: A Medication appearing twice keeps its first line, as a Bundle keeps its first entry.
_MEDICATION = "INSERT OR IGNORE INTO medication VALUES (?, ?)"


class _Store:
    """The database being filled, with the rows not yet written."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.names: list[str] = []
        self.members: list[tuple[str, int, int, str, bytes]] = []
        self.medications: list[tuple[str, bytes]] = []
        self.problems: list[tuple[str, Group]] = []

    def flush(self) -> None:
        if self.members:
            self.db.executemany(_MEMBER, self.members)
            self.members.clear()
        if self.medications:
            self.db.executemany(_MEDICATION, self.medications)
            self.medications.clear()


def bulk_groups(parts: Iterator[Part | tuple[str, Problem]]) -> Iterator[tuple[str, Group]]:
    """Every Patient of the export (``(source, group)``, parts in order, then line order),
    then every problem: parts or lines that cannot be read, resources naming a Patient not
    in the export. ``parts`` may hold a problem instead of a part (a file not readable)."""
    # "": SQLite's private temporary database, on disk past the page cache, whose file
    # is unlinked as soon as it is opened: nothing is left behind, even when the process
    # is killed (a named temporary file was, 3 GB for a million patients).
    with closing(sqlite3.connect("", isolation_level=None)) as db:
        db.executescript(f"PRAGMA cache_size=-{CACHE_KIB};" + SCHEMA)
        store = _Store(db)
        _load(store, parts)
        db.execute("CREATE INDEX member_patient ON member (patient)")
        yield from _patients(db, store.names)
        problems = store.problems + list(_unresolved(db, store.names))
        yield from sorted(problems, key=lambda item: problem_order(item[1]))


def _load(store: _Store, parts: Iterator[Part | tuple[str, Problem]]) -> None:
    """Store every resource read; keep the problems (lines that are broken: few)."""
    store.db.execute("BEGIN")
    for name, part in parts:
        if isinstance(part, Problem):
            store.problems.append((f"{name}:0", Group(f"{name}:0", "", problem=part)))
            continue
        store.names.append(name)
        stream = cast(BinaryIO, gzip.GzipFile(fileobj=part)) if name.lower().endswith(".gz") \
            else part
        try:
            _load_part(store, stream, len(store.names) - 1)
        except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError
            store.problems.append((f"{name}:0", Group(f"{name}:0", "", problem=Problem(
                f"{name}: cannot read: {str(error).lower()}"))))
    store.flush()
    store.db.execute("COMMIT")


def _load_part(store: _Store, stream: BinaryIO, part: int) -> None:
    name = store.names[part]
    for number, line in enumerate(handle_lines(stream, MAX_LINE_BYTES), start=1):
        if isinstance(line, TooLong):
            store.problems.append(_problem(f"{name}:{number}", "",
                                           f"line longer than {MAX_LINE_BYTES} bytes"))
            continue
        body = content(line) if line is not None else b""
        if not body.strip(b" \t\r"):
            continue
        record = decode(body, name, strip_bom=True, line=number, max_depth=MAX_DEPTH)
        resource = record.payload
        if record.error is not None:
            store.problems.append(_problem(f"{name}:{number}", "", record.error.message))
        elif not (type(resource) is dict or isinstance(resource, Mapping)) \
                or not isinstance(resource.get("resourceType"), str):
            store.problems.append(_problem(f"{name}:{number}", "",
                                           "not a FHIR resource (no resourceType)"))
        else:
            found = _store(store, resource, part, number)
            if found is not None:
                store.problems.append(found)
        if len(store.members) >= BATCH:
            store.flush()


def _store(store: _Store, resource: Mapping[str, Any], part: int,
           number: int) -> tuple[str, Group] | None:
    kind = resource["resourceType"]
    read = TERMINOLOGY.read.get(kind)
    if read is None:  # a type the mapping does not read (Encounter, Procedure, ...)
        return None
    kept = marshal.dumps({key: value for key, value in resource.items() if key in read})
    if kind == "Medication":
        ident = resource.get("id")
        if isinstance(ident, str) and ID.fullmatch(ident):  # as a Bundle's are indexed
            store.medications.append((ident, kept))
        return None
    source = f"{store.names[part]}:{number}"
    if kind == "Patient":
        ident = resource.get("id")
        if not isinstance(ident, str) or not ID.fullmatch(ident):
            return _problem(source, str(ident or ""), f"Patient.id {quoted(ident)} is missing or "
                            "not a FHIR id", "Patient.id")
        try:
            store.db.execute("INSERT INTO patient (id, part, line, resource) VALUES (?, ?, ?, ?)",
                             (ident, part, number, kept))
        except sqlite3.IntegrityError:
            return _problem(source, ident, f"Patient.id {quoted(ident)} appears twice",
                            "Patient.id")
        return None
    owner = owner_of(resource, number, {})
    if isinstance(owner, Problem):
        return source, Group(source, "", problem=owner)
    if owner is not None:
        store.members.append((owner[0], part, number, owner[1], kept))
    return None


def _patients(db: sqlite3.Connection, names: list[str]) -> Iterator[tuple[str, Group]]:
    rows = db.execute("SELECT p.position, p.id, p.part, p.line, p.resource, m.resource "
                      "FROM patient p LEFT JOIN member m ON m.patient = p.id "
                      "ORDER BY p.position, m.rowid")
    loads = marshal.loads
    find = _finder(db)
    for _, group in itertools.groupby(rows, key=lambda row: row[0]):
        first = next(group)
        _, ident, part, line, patient, _ = first
        source = f"{names[part]}:{line}"
        resources = [loads(patient)]
        for row in itertools.chain((first,), group):
            if row[5] is None:
                continue
            if len(resources) > MAX_RESOURCES_PER_PATIENT:
                yield _problem(source, ident, f"Patient/{ident} has more than "
                               f"{MAX_RESOURCES_PER_PATIENT} resources; not read")
                break
            resources.append(loads(row[5]))
        else:
            yield source, Group(source, ident, tuple(attach_medications(resources, find)))


def _finder(db: sqlite3.Connection) -> Callable[[str], tuple[str, Any] | None]:
    """Finds a stored Medication by the id a reference names (Bulk references are
    relative or absolute ``Medication/<id>``)."""
    def find(reference: str) -> tuple[str, Any] | None:
        ident = target_id(reference, "Medication")
        if ident is None:
            return None
        row = db.execute("SELECT resource FROM medication WHERE id = ?", (ident,)).fetchone()
        return None if row is None else (ident, marshal.loads(row[0]))
    return find


def _unresolved(db: sqlite3.Connection, names: list[str]) -> Iterator[tuple[str, Group]]:
    rows = db.execute("SELECT m.patient, m.part, m.line, m.reference, m.resource FROM member m "
                      "WHERE NOT EXISTS (SELECT 1 FROM patient p WHERE p.id = m.patient)")
    for ident, part, number, reference, resource in rows:
        source = f"{names[part]}:{number}"
        yield source, Group(source, ident, problem=unresolved(marshal.loads(resource), number,
                                                             reference))


def _problem(source: str, ident: str, message: str,
             field: str | None = None) -> tuple[str, Group]:
    return source, Group(source, ident, problem=Problem(message, field=field))
