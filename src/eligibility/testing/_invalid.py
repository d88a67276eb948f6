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

from eligibility.model.profile import MAX_AGE_YEARS, MAX_ITEMS, MAX_TEXT, PROFILE_FIELDS
from eligibility.testing._strategies import profiles

NAN, INF = math.nan, math.inf


@dataclass(frozen=True)
class InvalidProfile:
    """A mapping that must be rejected, the field its error must name, and what is wrong."""

    data: dict[str, Any]
    field: str
    problem: str


#: Per field: (problem, bad values) pairs. Every value is wrong for that field alone.
_BAD_VALUES: dict[str, list[tuple[str, list[Any]]]] = {
    "id": [("wrong type", [7, True, ["p1"], {"id": 1}]),
           ("out of range", ["", "x" * (MAX_TEXT + 1)])],
    "age_years": [("wrong type", ["9", "9 years", [9], {"years": 9}]),
                  ("boolean for a number", [True, False]),
                  ("not finite", [NAN, INF, -INF]),
                  ("out of range", [-0.5, -1, MAX_AGE_YEARS + 0.5, 1e308])],
    "age_months": [("wrong type", ["6", 6.5, 6.0, [6]]),
                   ("boolean for a number", [True, False]),
                   ("not finite", [NAN, INF]),
                   ("out of range", [-1, MAX_AGE_YEARS * 12 + 1, 10**12])],
    "severity": [("wrong type", [3, True, ["severe"], {"level": "severe"}]),
                 ("not a known value", ["very bad", "Severe", "SEVERE", " severe", ""])],
    "topical_response": [("wrong type", [0, False, ["inadequate"]]),
                         ("not a known value", ["failed", "Inadequate", "not tried"])],
    "systemic_response": [("wrong type", [1.5, True, [None]]),
                          ("not a known value", ["none", "inadequate ", "unknown"])],
    "allergies": [("wrong type", ["dust_mite", 1, True, {"dust_mite": True}]),
                  ("out of range", [["pollen"] * (MAX_ITEMS + 1)])],
    "allergy_eczema_link": [("wrong type", ["yes", "true", 1, 0, ["true"]])],
    "conditions": [("wrong type", ["asthma", 0, False, {"asthma": 1}]),
                   ("out of range", [["asthma"] * (MAX_ITEMS + 1)])],
    "weight_kg": [("wrong type", ["70", "70 kg", [70]]),
                  ("boolean for a number", [True]),
                  ("not finite", [NAN, INF]),
                  ("out of range", [0, -3.5, 500.5, 1e9])],
}

_BAD_ITEMS: list[Any] = ["", "x" * (MAX_TEXT + 1), 4, True, None, ["pollen"], {"a": "b"}]


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
    field = draw(st.sampled_from(sorted(_BAD_VALUES)))
    problem, values = draw(st.sampled_from(_BAD_VALUES[field]))
    data = _base(draw)
    data[field] = draw(st.sampled_from(values))
    return InvalidProfile(data, field, problem)


@st.composite
def _bad_item(draw: DrawFn) -> InvalidProfile:
    field = draw(st.sampled_from(("allergies", "conditions")))
    good = draw(st.lists(st.sampled_from(("pollen", "asthma", "mold")), max_size=4))
    position = draw(st.integers(0, len(good)))
    good.insert(position, draw(st.sampled_from(_BAD_ITEMS)))
    data = _base(draw)
    data[field] = good
    return InvalidProfile(data, f"{field}.{position}", "bad list item")


@st.composite
def _misspelt_field(draw: DrawFn) -> InvalidProfile:
    real = draw(st.sampled_from(PROFILE_FIELDS))
    typo = draw(_typos(real).filter(lambda name: name not in PROFILE_FIELDS))
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
    months = draw(st.integers(0, MAX_AGE_YEARS * 12))
    gap = draw(st.integers(2, 60))
    years_months = months + gap if months + gap <= MAX_AGE_YEARS * 12 else months - gap
    data = _base(draw, "age_years", "age_months")
    data.update(age_years=years_months / 12, age_months=months)
    return InvalidProfile(data, "age_years", "ages disagree")
