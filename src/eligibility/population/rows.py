"""Profiles in, rows of the output schema out: the one place population screening evaluates.

A screening row holds, per option, a status and the missing fields, never a reason's
text: so every answer comes from the batch decisions path (``services.decisions``),
which decides a chunk's profiles in shared engine sessions and goes from the engine's
test outcomes straight to statuses, by the same code as the full ``Assessment``
(``tests/test_decisions.py`` holds the two equal). Building each row's full
``Assessment`` (reasons, changes, sources: ~20 KB each) was half of the CPU time
and ~160 MB of memory per 8,192-row chunk. This module only moves values between Arrow
(or input records) and those decisions.

An invalid profile is a row with its ``error`` and null options, never an exception: a
population has bad records, and one must not stop the other ten million.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from eligibility.engine.evaluation import Evaluator
from eligibility.inputs.base import InputRecord
from eligibility.model.assessment import AgeUsed, Status
from eligibility.model.profile import Profile, profile_id
from eligibility.population.schema import ID, output_schema
from eligibility.render.record import ErrorRecord
from eligibility.render.wire import Decided, Evaluated
from eligibility.services.decisions import Decisions


@dataclass(frozen=True, slots=True)
class Screened:
    """One profile's result: per option (pack order) its status and missing fields, and
    the age the decision used; or, with ``statuses`` empty, why it could not be evaluated."""

    id: str | None
    statuses: tuple[Status, ...]
    missing: tuple[tuple[str, ...], ...]
    age: AgeUsed | None
    error: str | None = None


class Screener:
    """One pack's screening rows on one date: the decisions path, made once and reused."""

    def __init__(self, evaluator: Evaluator, as_of: dt.date | None) -> None:
        self.evaluator = evaluator
        self.as_of = as_of
        self._decisions = Decisions(evaluator.pack, as_of=as_of)
        order = tuple(option.id for option in self._decisions.frame.options)
        if order != tuple(evaluator.pack.option_ids):  # pragma: no cover - plan keeps pack order
            raise AssertionError(f"decisions in order {order}, pack {evaluator.pack.option_ids}")

    def payloads(self, items: Sequence[object]) -> list[Screened]:
        """Each profile mapping's (or ``Profile``'s) result, in order."""
        return self.records([InputRecord(f"row {index + 1}", item) for index, item in enumerate(items)])

    def records(self, records: Sequence[InputRecord]) -> list[Screened]:
        """Each input record's result, in order (a reader's error record is an error row).

        A mapping reader's notes and provenance (FHIR) say why a field is unknown and
        where a value came from; a row shows neither, and they never change a status, so
        they are dropped here rather than sending the chunk down the full path.
        """
        plain = [record if not (record.notes or record.provenance) else
                 InputRecord(record.source, record.payload, record.error,
                             profile_id=record.profile_id) for record in records]
        decided = self._decisions.decide(plain)
        return [_screened(record, found) for record, found in zip(plain, decided, strict=True)]


def _screened(record: InputRecord, found: Decided | Evaluated | ErrorRecord) -> Screened:
    if isinstance(found, ErrorRecord):
        ident = _given_id(record.payload) if record.error is None else \
            record.profile_id or profile_id(record.payload)
        return Screened(ident, (), (), None, found.error.message)
    decided = found if isinstance(found, Decided) else Decided.of(found)  # a chunk's fallback
    return Screened(_given_id(record.payload), decided.statuses, decided.missing, decided.age_used)


def payloads(batch: pa.RecordBatch) -> list[dict[str, object]]:
    """The batch's rows as profile mappings: nulls left out (unknown), dates as ISO text."""
    columns = [_python_values(batch.column(index)) for index in range(batch.num_columns)]
    names = batch.schema.names
    rows: list[dict[str, object]] = []
    for values in zip(*columns, strict=True) if columns else [()] * batch.num_rows:
        rows.append({name: value for name, value in zip(names, values, strict=True)
                     if value is not None})
    return rows


def _python_values(column: pa.Array) -> list[object]:
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.dictionary_decode()
    values: list[object] = column.to_pylist()
    if pa.types.is_date(column.type):
        return [None if value is None else _iso(value) for value in values]
    if pa.types.is_decimal(column.type):
        # As written: Decimal('32.7') is 32.7, the float a JSON profile would carry.
        return [None if value is None else float(str(value)) for value in values]
    return values


def _iso(value: object) -> str:
    assert isinstance(value, dt.date)
    return value.isoformat()


def _given_id(item: object) -> str | None:
    """The id as the input gave it (joins back to the source table), when it is text."""
    if isinstance(item, Profile):  # a reader that maps another format (FHIR) gives profiles
        return item.id
    value = item.get(ID) if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def to_batch(results: Sequence[Screened], screener: Screener) -> pa.RecordBatch:
    """The results as one batch of ``output_schema(pack)``."""
    pack = screener.evaluator.pack
    schema = output_schema(pack)
    count = len(results)
    columns: list[list[object]] = [[result.id for result in results]]
    for position in range(len(pack.option_ids)):
        columns.append([result.statuses[position] if result.statuses else None
                        for result in results])
        columns.append([list(result.missing[position]) if result.statuses else None
                        for result in results])
    columns += [[pack.name] * count, [pack.info.version] * count, [pack.digest] * count,
                [screener.as_of] * count, [result.error for result in results]]
    arrays = [pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
