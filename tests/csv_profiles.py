"""Profiles written as CSV the way the README's dialect says, for the CSV input tests.

Kept apart from the reader on purpose: this is an independent writing of the dialect
(a header of field names, lists joined by ';', [] for none known, true/false, an empty
cell for unknown), so a round trip through it tests the reader against the README.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from eligibility.model.profile import PROFILE_FIELDS


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value) if value else "[]"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_csv(profiles: Iterable[Mapping[str, Any]], *, fields: tuple[str, ...] = PROFILE_FIELDS,
           line_ending: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_ending)
    writer.writerow(fields)
    for profile in profiles:
        writer.writerow([cell(profile.get(name)) for name in fields])
    return out.getvalue()
