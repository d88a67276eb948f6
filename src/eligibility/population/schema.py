"""The Arrow schemas of population screening: what a batch of profiles holds, what comes out.

Input: a column ``id`` (the patient id, a string) and any of the profile's fields as
columns, by their profile names: numbers as Arrow integers or floats (``age_months`` an
integer), categories as strings, true/false as booleans, lists as lists of strings, and
``birth_date`` as a date (or a string: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``). A column
left out, or a null, means *unknown*, exactly as a field left out of a JSON profile.
A column the profile does not have is refused by name before anything is evaluated (a
misspelt column would otherwise read as unknown for every patient), and so is a column of
a type its field cannot hold.

Output, one row per input row, in input order: ``id`` as given; per option of the pack,
in pack order, a column named by the option id with its status (``candidate``,
``not_candidate``, ``needs_information``) and ``<id>_missing``, the profile fields that
would decide it; then ``rule_pack``, ``rule_pack_version``, ``rule_pack_digest``,
``as_of`` (the assessment date given, or null), and ``error``: null for an evaluated
profile, else why the profile could not be evaluated (its option columns are null).

The field kinds come from the field registry (``model/fields.py``): no field is named here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from eligibility.errors import EligibilityError
from eligibility.model.fields import AGE_MONTHS, BIRTH_DATE, REFERENCE_FIELDS, field_of, profile_fields
from eligibility.rulepack.model import RulePack
from eligibility.safe_text import clip
from eligibility.suggest import did_you_mean

ID = REFERENCE_FIELDS[0]
#: The pack and date columns that follow the option columns.
TRAILER = ("rule_pack", "rule_pack_version", "rule_pack_digest", "as_of", "error")
MISSING_SUFFIX = "_missing"


class SchemaError(EligibilityError):
    """A table of profiles whose columns cannot be read as profiles: names the column."""


def input_schema() -> pa.Schema:
    """Every column a table of profiles may have, each with its usual type.

    Build tables with it (``pa.Table.from_pylist(rows, schema=input_schema())``):
    inferring a schema from rows takes the first row's keys, and would drop a field the
    first patient lacks for every patient.
    """
    types = {"text": pa.string(), "category": pa.string(), "integer": pa.int64(),
             "number": pa.float64(), "date": pa.date32(), "boolean": pa.bool_(),
             "list": pa.list_(pa.string())}
    return pa.schema([pa.field(name, types[_kind(name)]) for name in profile_fields()])


def output_schema(pack: RulePack) -> pa.Schema:
    """The schema ``evaluate_batches`` writes for ``pack`` (module docstring)."""
    fields = [pa.field(ID, pa.string())]
    for option_id in pack.option_ids:
        fields += [pa.field(option_id, pa.string()),
                   pa.field(option_id + MISSING_SUFFIX, pa.list_(pa.string()))]
    fields += [pa.field("rule_pack", pa.string(), nullable=False),
               pa.field("rule_pack_version", pa.string(), nullable=False),
               pa.field("rule_pack_digest", pa.string(), nullable=False),
               pa.field("as_of", pa.date32()),
               pa.field("error", pa.string())]
    return pa.schema(fields)


def spark_ddl(pack: RulePack) -> str:
    """``output_schema`` as a Spark DDL string (for ``mapInArrow``)."""
    kinds = {pa.string(): "string", pa.list_(pa.string()): "array<string>", pa.date32(): "date"}
    return ", ".join(f"`{field.name}` {kinds[field.type]}" for field in output_schema(pack))


def check_input(schema: pa.Schema) -> None:
    """Refuse, naming the column, a table whose columns cannot be profiles (docstring)."""
    known = profile_fields()
    problems: list[str] = []
    if ID not in schema.names:
        problems.append(f"no '{ID}' column: give each patient's id (a string) in a column '{ID}'")
    seen: set[str] = set()
    for field in schema:
        name = field.name
        if name in seen:
            problems.append(f"column '{clip(name)}' appears twice")
            continue
        seen.add(name)
        if name not in known:
            problems.append(f"unknown column '{clip(name)}'{did_you_mean(name, known)}: select "
                            f"only '{ID}' and profile fields")
        elif not _accepts(name, field.type):
            problems.append(f"column '{name}' is {field.type}, but {name} needs {_wanted(name)}")
    if problems:
        raise SchemaError("table of profiles: " + "; ".join(problems))


def _kind(name: str) -> str:
    entry = field_of(name)
    if entry is None:
        return "text"
    if name == AGE_MONTHS:
        return "integer"
    if name == BIRTH_DATE:
        return "date"
    if entry.kind == "allergy":  # an allergy list is a list of strings too
        return "list"
    return "number" if entry.kind == "age" else entry.kind


def _wanted(name: str) -> str:
    return {"text": "strings", "integer": "whole numbers (an integer column)",
            "date": "dates (or strings YYYY, YYYY-MM, YYYY-MM-DD)", "number": "numbers",
            "category": "strings", "boolean": "booleans", "list": "lists of strings"}[_kind(name)]


def _accepts(name: str, kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_null(kind):  # a column of nulls only: every patient unknown
        return True
    wanted = _kind(name)
    if wanted in ("text", "category"):
        return _is_text(kind)
    if wanted == "integer":
        return bool(pa.types.is_integer(kind))
    if wanted == "number":
        return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind))
    if wanted == "date":
        return bool(pa.types.is_date(kind)) or _is_text(kind)
    if wanted == "boolean":
        return bool(pa.types.is_boolean(kind))
    return _is_list(kind) and (_is_text(kind.value_type) or pa.types.is_null(kind.value_type))


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_string_view(kind))


def _is_list(kind: pa.DataType) -> bool:
    return bool(pa.types.is_list(kind) or pa.types.is_large_list(kind)
                or pa.types.is_fixed_size_list(kind) or pa.types.is_list_view(kind))


def option_columns(pack: RulePack) -> Sequence[str]:
    """The option columns of the output, status and missing alternating, in pack order."""
    return [name for option_id in pack.option_ids for name in (option_id, option_id + MISSING_SUFFIX)]
