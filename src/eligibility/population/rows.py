"""Profiles in, rows of the output schema out: the one place population screening evaluates.

Every answer comes from ``Evaluator.evaluate_each``, the same validation, engine and
assessment the command line uses: this module only moves values between Arrow (or JSON
payloads) and the evaluator. Each profile is validated once here (``parse_profile``,
``dated``) so its age is at hand for the screening report, and the valid ``Profile`` is
what the evaluator receives (it takes a ``Profile`` as it is).

An invalid profile is a row with its ``error`` and null options, never an exception: a
population has bad records, and one must not stop the other ten million.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from eligibility.engine.evaluation import Evaluator
from eligibility.errors import EligibilityError, ProfileError
from eligibility.model.age import AgeInterval
from eligibility.model.assessment import Assessment
from eligibility.model.profile import Profile, parse_profile
from eligibility.population.schema import ID, output_schema
from eligibility.safe_text import visible


@dataclass(frozen=True)
class Screened:
    """One profile's result: its assessment (and age) or why it could not be evaluated."""

    id: str | None
    assessment: Assessment | None
    age: AgeInterval | None
    error: str | None


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


def screen(evaluator: Evaluator, items: Sequence[object], as_of: dt.date | None) -> list[Screened]:
    """Each profile mapping's result, in order (an invalid one names its problem)."""
    parsed: list[Profile | str] = []
    for item in items:
        try:
            parsed.append(parse_profile(item).dated(as_of))
        except ProfileError as error:
            parsed.append(visible(error.message or str(error)))
    valid = [profile for profile in parsed if isinstance(profile, Profile)]
    results: Iterator[Assessment | EligibilityError | str]
    try:
        results = iter(evaluator.evaluate_each(valid, as_of=as_of))
    except Exception:
        # Something unexpected in the chunk as a whole: each profile again on its own,
        # so the fault is pinned on the one that causes it.
        results = iter([_one(evaluator, profile, as_of) for profile in valid])
    out: list[Screened] = []
    for item, profile in zip(items, parsed, strict=True):
        if isinstance(profile, str):
            out.append(Screened(_given_id(item), None, None, profile))
            continue
        result = next(results)
        if isinstance(result, Assessment):
            out.append(Screened(_given_id(item), result, profile.age, None))
        else:
            out.append(Screened(_given_id(item), None, None, visible(str(result))))
    return out


def _one(evaluator: Evaluator, profile: Profile, as_of: dt.date | None) -> Assessment | str:
    try:
        return evaluator.evaluate(profile, as_of=as_of)
    except EligibilityError as error:
        return str(error)
    except Exception as error:
        return f"internal error while evaluating: {type(error).__name__}: {error}"


def _given_id(item: object) -> str | None:
    """The id as the input gave it (joins back to the source table), when it is text."""
    value = item.get(ID) if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def to_batch(results: Sequence[Screened], evaluator: Evaluator, as_of: dt.date | None) -> pa.RecordBatch:
    """The results as one batch of ``output_schema(evaluator.pack)``."""
    pack = evaluator.pack
    schema = output_schema(pack)
    count = len(results)
    columns: list[list[object]] = [[result.id for result in results]]
    for position, option_id in enumerate(pack.option_ids):
        statuses: list[object] = []
        missing: list[object] = []
        for result in results:
            if result.assessment is None:
                statuses.append(None)
                missing.append(None)
                continue
            option = result.assessment.options[position]
            if option.id != option_id:  # pragma: no cover - the evaluator keeps pack order
                option = result.assessment.option(option_id)
            statuses.append(option.status)
            missing.append(list(option.missing_fields))
        columns += [statuses, missing]
    columns += [[pack.name] * count, [pack.info.version] * count, [pack.digest] * count,
                [as_of] * count, [result.error for result in results]]
    arrays = [pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
