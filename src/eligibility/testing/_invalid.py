"""``invalid_profiles()``: mappings the aid must reject, each with the field to blame.

Each draw starts from a valid profile and breaks exactly one thing: a wrong JSON type, a
value out of range, a NaN or infinity, a boolean where a number belongs, a misspelt
field name, an empty or over-long text, a bad list item, or two ages that disagree. So
the error must name that one field, and a wrapper that reports errors can be checked
record for record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from eligibility.model.fields import (
    AGE_MONTHS,
    AGE_YEARS,
    FIELDS,
    MAX_AGE_MONTHS,
    field_of,
    profile_fields,
)
from eligibility.model.profile import MAX_ITEMS, MAX_TEXT
from eligibility.testing._strategies import profiles

NAN, INF = math.nan, math.inf
Problems = list[tuple[str, list[Any]]]


@dataclass(frozen=True)
class InvalidProfile:
    """A mapping that must be rejected, the field its error must name, and what is wrong."""

    data: dict[str, Any]
    field: str
    problem: str


def bad_values(name: str) -> Problems:
    """(problem, bad values) pairs for one profile field, from its kind in the registry.
    Every value is wrong for that field alone."""
    entry = field_of(name)
    if entry is None:  # a reference such as ``id``: short text
        return [("wrong type", [7, True, ["p1"], {name: 1}]),
                ("out of range", ["", "x" * (MAX_TEXT + 1)])]
    if name == AGE_YEARS:
        return [("wrong type", ["9", "9 years", [9], {"years": 9}]),
                ("boolean for a number", [True, False]), ("not finite", [NAN, INF, -INF]),
                ("out of range", [-0.5, -1, MAX_AGE_MONTHS / 12 + 0.5, 1e308])]
    if name == AGE_MONTHS:
        return [("wrong type", ["6", 6.5, 6.0, [6]]), ("boolean for a number", [True, False]),
                ("not finite", [NAN, INF]), ("out of range", [-1, MAX_AGE_MONTHS + 1, 10**12])]
    if entry.kind == "category":
        value = entry.vocabulary[-1]
        near = ["very bad", value.capitalize(), value.upper(), f" {value}", f"{value} ",
                value.replace("_", " "), ""]
        return [("wrong type", [3, True, [value], {"level": value}]),
                ("not a known value", [text for text in near if text not in entry.vocabulary])]
    if entry.kind == "boolean":
        return [("wrong type", ["yes", "true", 1, 0, ["true"]])]
    if entry.kind in ("list", "allergy"):
        item = (entry.examples or ("other",))[0]
        return [("wrong type", [item, 1, True, {item: True}]),
                ("out of range", [[item] * (MAX_ITEMS + 1)])]
    high = float(entry.high)
    return [("wrong type", [f"{high:g}", f"{high:g} {entry.unit}", [high]]),
            ("boolean for a number", [True]), ("not finite", [NAN, INF]),
            ("out of range", [entry.low, entry.low - 3.5, high + 0.5, 1e9 + high])]


_BAD_ITEMS: list[Any] = ["", "x" * (MAX_TEXT + 1), 4, True, None, ["pollen"], {"a": "b"}]
#: Allergy entries that say nothing exact (the vocabulary's placeholders, invisible text).
_BAD_ALLERGY_ITEMS: list[Any] = ["null", "[]", "\u2014", "denies", "\u200b", "\ufeff"]


def invalid_profiles() -> SearchStrategy[InvalidProfile]:
    """Mappings that must be rejected, each paired with the field the error must name.

    ``field`` is a profile field (``"age_years"``), a list position (``"allergies.2"``)
    or, for a misspelt name, the misspelt key itself (``"sevrity"``).
    """
    return st.one_of(_bad_value(), _bad_item(), _misspelt_field(), _ages_disagree())


def _base(draw: DrawFn, *without: str) -> dict[str, Any]:
    profile = draw(profiles())
    data = profile.model_dump(exclude_none=True)
    for name in without:
        data.pop(name, None)
    return data


@st.composite
def _bad_value(draw: DrawFn) -> InvalidProfile:
    field = draw(st.sampled_from(profile_fields()))
    problem, values = draw(st.sampled_from(bad_values(field)))
    data = _base(draw)
    data[field] = draw(st.sampled_from(values))
    return InvalidProfile(data, field, problem)


@st.composite
def _bad_item(draw: DrawFn) -> InvalidProfile:
    field = draw(st.sampled_from([name for name, entry in FIELDS.items()
                                  if entry.kind in ("list", "allergy")]))
    good = draw(st.lists(st.sampled_from(FIELDS[field].examples or ("other",)), max_size=4))
    position = draw(st.integers(0, len(good)))
    bad = _BAD_ITEMS + (_BAD_ALLERGY_ITEMS if FIELDS[field].kind == "allergy" else [])
    good.insert(position, draw(st.sampled_from(bad)))
    data = _base(draw)
    data[field] = good
    return InvalidProfile(data, f"{field}.{position}", "bad list item")


@st.composite
def _misspelt_field(draw: DrawFn) -> InvalidProfile:
    known = profile_fields()
    real = draw(st.sampled_from(known))
    typo = draw(_typos(real).filter(lambda name: name not in known))
    data = _base(draw, real)
    data[typo] = draw(st.sampled_from(("severe", 7, True, ["pollen"])))
    return InvalidProfile(data, typo, "misspelt field name")


def _typos(name: str) -> SearchStrategy[str]:
    """Slips a person makes: a letter dropped, doubled or swapped, a case or space change."""
    positions = st.integers(0, len(name) - 1)
    pairs = st.integers(0, len(name) - 2)
    return st.one_of(
        positions.map(lambda i: name[:i] + name[i + 1:]),
        positions.map(lambda i: name[:i] + name[i] + name[i:]),
        pairs.map(lambda i: name[:i] + name[i + 1] + name[i] + name[i + 2:]),
        st.sampled_from((name.upper(), name.capitalize(), name + " ", " " + name,
                         name.replace("_", "-"), name.replace("_", ""))),
    ).filter(bool)


@st.composite
def _ages_disagree(draw: DrawFn) -> InvalidProfile:
    months = draw(st.integers(0, MAX_AGE_MONTHS))
    gap = draw(st.integers(2, 60))
    years_months = months + gap if months + gap <= MAX_AGE_MONTHS else months - gap
    data = _base(draw, AGE_YEARS, AGE_MONTHS)
    data.update({AGE_YEARS: years_months / 12, AGE_MONTHS: months})
    return InvalidProfile(data, AGE_YEARS, "ages disagree")
