"""A FHIR Bulk Data export (NDJSON, one resource type per file) → patients, in bounded memory.

``$export`` writes each resource type to its own files (``Patient.ndjson``,
``Condition.000.ndjson.gz``, …: several per type, possibly gzipped, references relative or
absolute; https://hl7.org/fhir/uv/bulkdata/export.html). Joining them by patient in
memory would hold a whole population. Instead each resource read is reduced to the
elements the mapping reads and stored (``marshal``: a private file of this process, read
back by it), under its Patient's id, in a temporary SQLite database on disk (``sqlite3``
is in the standard library; its page cache is capped at ``CACHE_KIB``); patients are then
read back one at a time, in Patient file and line order. What stays in memory is that
cache and one patient's resources, whatever the size of the export
(``bench/fhir_bench.py`` measures it).
"""

from __future__ import annotations

import gzip
import itertools
import marshal
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import closing
from typing import Any, BinaryIO, cast

from eligibility.errors import Problem
from eligibility.inputs.decode import decode
from eligibility.inputs.fhir.bundle import Group, owner_of, problem_order, unresolved
from eligibility.inputs.fhir.elements import ID, quoted
from eligibility.inputs.fhir.limits import MAX_DEPTH, MAX_LINE_BYTES, MAX_RESOURCES_PER_PATIENT
from eligibility.inputs.fhir.valuesets import TERMINOLOGY
from eligibility.inputs.lines import TooLong, content, handle_lines

#: The SQLite page cache, in KiB: the constant part of the memory a Bulk join needs.
CACHE_KIB = 8 * 1024
SCHEMA = """
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;
CREATE TABLE patient (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                      source TEXT NOT NULL, resource BLOB NOT NULL);
CREATE TABLE member (patient TEXT NOT NULL, source TEXT NOT NULL, reference TEXT NOT NULL,
                     resource BLOB NOT NULL);
"""
#: One opened part of the export: its name as records show it, and its bytes.
Part = tuple[str, BinaryIO]


def bulk_groups(parts: Iterator[Part | tuple[str, Problem]]) -> Iterator[tuple[str, Group]]:
    """Every Patient of the export (``(source, group)``, parts in order, then line order),
    then every problem: parts or lines that cannot be read, resources naming a Patient not
    in the export. ``parts`` may hold a problem instead of a part (a file not readable)."""
    fd, path = tempfile.mkstemp(prefix="eligibility-bulk-", suffix=".sqlite")
    os.close(fd)
    try:
        with closing(sqlite3.connect(path, isolation_level=None)) as db:
            db.executescript(f"PRAGMA cache_size=-{CACHE_KIB};" + SCHEMA)
            problems = _load(db, parts)
            db.execute("CREATE INDEX member_patient ON member (patient)")
            yield from _patients(db)
            problems += list(_unresolved(db))
            yield from sorted(problems, key=lambda item: problem_order(item[1]))
    finally:
        os.unlink(path)


def _load(db: sqlite3.Connection, parts: Iterator[Part | tuple[str, Problem]]
          ) -> list[tuple[str, Group]]:
    """Store every resource read; return the problems (lines that are broken: few)."""
    problems: list[tuple[str, Group]] = []
    db.execute("BEGIN")
    for name, part in parts:
        if isinstance(part, Problem):
            problems.append((f"{name}:0", Group(f"{name}:0", "", problem=part)))
            continue
        stream = cast(BinaryIO, gzip.GzipFile(fileobj=part)) if name.lower().endswith(".gz") \
            else part
        try:
            _load_part(db, stream, name, problems)
        except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError
            problems.append((f"{name}:0", Group(f"{name}:0", "", problem=Problem(
                f"{name}: cannot read: {str(error).lower()}"))))
    db.execute("COMMIT")
    return problems


def _load_part(db: sqlite3.Connection, stream: BinaryIO, name: str,
               problems: list[tuple[str, Group]]) -> None:
    for number, line in enumerate(handle_lines(stream, MAX_LINE_BYTES), start=1):
        source = f"{name}:{number}"
        if isinstance(line, TooLong):
            problems.append(_problem(source, "", f"line longer than {MAX_LINE_BYTES} bytes"))
            continue
        body = content(line) if line is not None else b""
        if not body.strip(b" \t\r"):
            continue
        record = decode(body, source, strip_bom=True, line=number, max_depth=MAX_DEPTH)
        resource = record.payload
        if record.error is not None:
            problems.append(_problem(source, "", record.error.message))
        elif not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
            problems.append(_problem(source, "", "not a FHIR resource (no resourceType)"))
        else:
            found = _store(db, resource, source, number)
            if found is not None:
                problems.append(found)


def _store(db: sqlite3.Connection, resource: Mapping[str, Any], source: str,
           number: int) -> tuple[str, Group] | None:
    read = TERMINOLOGY.read.get(resource["resourceType"]) or TERMINOLOGY.read["Medication"]
    kept = marshal.dumps({key: value for key, value in resource.items() if key in read})
    if resource["resourceType"] == "Patient":
        ident = resource.get("id")
        if not isinstance(ident, str) or not ID.fullmatch(ident):
            return _problem(source, str(ident or ""), f"Patient.id {quoted(ident)} is missing or "
                            "not a FHIR id", "Patient.id")
        try:
            db.execute("INSERT INTO patient (id, source, resource) VALUES (?, ?, ?)",
                       (ident, source, kept))
        except sqlite3.IntegrityError:
            return _problem(source, ident, f"Patient.id {quoted(ident)} appears twice",
                            "Patient.id")
        return None
    owner = owner_of(resource, number, {})
    if isinstance(owner, Problem):
        return source, Group(source, "", problem=owner)
    if owner is not None:
        db.execute("INSERT INTO member VALUES (?, ?, ?, ?)", (owner[0], source, owner[1], kept))
    return None


def _patients(db: sqlite3.Connection) -> Iterator[tuple[str, Group]]:
    rows = db.execute("SELECT p.position, p.id, p.source, p.resource, m.resource FROM patient p "
                      "LEFT JOIN member m ON m.patient = p.id ORDER BY p.position, m.rowid")
    for _, group in itertools.groupby(rows, key=lambda row: row[0]):
        first = next(group)
        _, ident, source, patient, _ = first
        resources = [marshal.loads(patient)]
        for row in itertools.chain((first,), group):
            if row[4] is None:
                continue
            if len(resources) > MAX_RESOURCES_PER_PATIENT:
                yield _problem(source, ident, f"Patient/{ident} has more than "
                               f"{MAX_RESOURCES_PER_PATIENT} resources; not read")
                break
            resources.append(marshal.loads(row[4]))
        else:
            yield source, Group(source, ident, tuple(resources))


def _unresolved(db: sqlite3.Connection) -> Iterator[tuple[str, Group]]:
    rows = db.execute("SELECT m.patient, m.source, m.reference, m.resource FROM member m "
                      "WHERE NOT EXISTS (SELECT 1 FROM patient p WHERE p.id = m.patient)")
    for ident, source, reference, resource in rows:
        number = int(source.rpartition(":")[2])
        yield source, Group(source, ident, problem=unresolved(marshal.loads(resource), number,
                                                             reference))


def _problem(source: str, ident: str, message: str,
             field: str | None = None) -> tuple[str, Group]:
    return source, Group(source, ident, problem=Problem(message, field=field))

