"""``profile_files()`` and ``jsonl_batches()``: file contents for command-line tests.

Each carries what the command line must make of it: for every record, whether it is
valid and, for an invalid one, the field its error record must name (``None`` when the
fault is in the bytes or the JSON rather than in one field).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from eligibility.model.fields import AGE_YEARS, FIELDS
from eligibility.model.profile import Profile
from eligibility.testing._invalid import invalid_profiles
from eligibility.testing._strategies import profiles

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Record:
    """One profile's worth of input: the bytes, and what the command line must report.

    ``profile`` is the valid profile (``None`` for a broken record); ``field`` the field
    an invalid record's error must name, ``None`` when no single field is at fault.
    """

    content: bytes
    profile: Profile | None
    field: str | None = None

    @property
    def valid(self) -> bool:
        return self.profile is not None


@dataclass(frozen=True)
class ProfileFile:
    """The content of one ``.json`` file: one record."""

    content: bytes
    record: Record

    @property
    def valid(self) -> bool:
        return self.record.valid

    @property
    def exit_code(self) -> int:
        return 0 if self.valid else 1


@dataclass(frozen=True)
class JsonlBatch:
    """The content of one ``.jsonl`` file and its records in order (blank lines are none)."""

    content: bytes
    records: tuple[Record, ...]

    @property
    def exit_code(self) -> int:
        """0 when every record is valid, else 1 (the others are still evaluated)."""
        return 0 if all(record.valid for record in self.records) else 1


def profile_files() -> SearchStrategy[ProfileFile]:
    """``.json`` file contents: a valid profile (sometimes with a BOM or pretty-printed) or
    a broken one (invalid JSON, invalid UTF-8, NaN, a duplicate key, not an object, or a
    profile that fails validation)."""
    return st.builds(_as_file, _records(multiline=True), st.booleans())


def jsonl_batches(max_records: int = 12) -> SearchStrategy[JsonlBatch]:
    """JSON Lines contents mixing valid and broken records, with blank lines, CRLF line
    ends and a BOM on the first line now and then."""
    return _batches(max_records)


def _as_file(record: Record, bom: bool) -> ProfileFile:
    content = BOM + record.content if bom else record.content
    return ProfileFile(content, record)


@st.composite
def _batches(draw: DrawFn, max_records: int) -> JsonlBatch:
    records = draw(st.lists(_records(multiline=False), max_size=max_records))
    newline = draw(st.sampled_from((b"\n", b"\r\n")))
    lines: list[bytes] = []
    for record in records:
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from((b"", b"   ", b"\t"))))
        lines.append(record.content)
    final_newline: bool = draw(st.booleans())
    content = newline.join(lines) + (newline if lines and final_newline else b"")
    # A BOM is only skipped at the very start of a record, so only put one there.
    if records and lines[0] is records[0].content and draw(st.integers(0, 4)) == 0:
        content = BOM + content
    return JsonlBatch(content, tuple(records))


def _records(*, multiline: bool) -> SearchStrategy[Record]:
    return st.one_of(_valid(multiline), _valid(multiline), _invalid_profile(), _broken())


@st.composite
def _valid(draw: DrawFn, multiline: bool) -> Record:
    profile = draw(profiles())
    data = profile.model_dump(mode="json", exclude_none=True)
    if draw(st.booleans()):
        # Integers for whole years are what people write; the profile reads them as floats.
        years = data.get(AGE_YEARS)
        if isinstance(years, float) and years.is_integer():
            data[AGE_YEARS] = int(years)
    indent = 2 if multiline and draw(st.booleans()) else None
    text = json.dumps(data, ensure_ascii=draw(st.booleans()), indent=indent)
    return Record(text.encode(), profile)


@st.composite
def _invalid_profile(draw: DrawFn) -> Record:
    bad = draw(invalid_profiles())
    text = json.dumps(bad.data, ensure_ascii=False)
    # A NaN or infinity is refused while reading the JSON, before any field is looked at.
    field = None if _has_non_finite(bad.data) else bad.field
    return Record(text.encode(), None, field)


@st.composite
def _broken(draw: DrawFn) -> Record:
    kind = draw(st.sampled_from(("json", "utf8", "constant", "duplicate", "not_object")))
    if kind == "json":
        text = draw(st.sampled_from(('{"age_years": ', "{age_years: 3}", "{'a': 1}", "{",
                                     '{"severity": "severe",}', "nul")))
        return Record(text.encode(), None)
    if kind == "utf8":
        return Record(b'{"id": "\xff\xfe"}', None)
    if kind == "constant":
        name = draw(st.sampled_from(("NaN", "Infinity", "-Infinity")))
        return Record(f'{{"age_years": {name}}}'.encode(), None)
    if kind == "duplicate":
        name, values = next((name, entry.vocabulary) for name, entry in FIELDS.items()
                            if entry.kind == "category")
        text = f'{{"{name}": "{values[0]}", "{name}": "{values[-1]}"}}'
        return Record(text.encode(), None, name)
    value = draw(st.sampled_from(("[1, 2, 3]", '"profile"', "42", "null", "true", "[]")))
    return Record(value.encode(), None)


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_non_finite(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_non_finite(item) for item in value)
    return False
