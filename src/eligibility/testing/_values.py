"""Strategies for single field values, crowding around the rule pack's thresholds.

A threshold off by a month, a gram or one list item is the likeliest bug in a pack or
in code built on it, so numbers are drawn mostly next to thresholds read from the pack.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from eligibility.model import allergens
from eligibility.model.age import age_on, exact_years
from eligibility.model.fields import AGE_MONTHS, AGE_YEARS, BIRTH_DATE, FIELDS, REFERENCE_FIELDS, RuleField
from eligibility.model.profile import NOT_AN_ENTRY
from eligibility.rulepack.model import RulePack, Test
from eligibility.testing._packs import MAX_MONTHS, thresholds


def free_values(draw: DrawFn, pack: RulePack, complete: bool) -> dict[str, Any]:
    """Every field of the registry drawn on its own; absent (unknown) about half the time.

    Keys are the profile's reference fields and the rule fields (age as completed months,
    under ``AGE``): ``age_fields`` writes the age as a user might.
    """
    limits = thresholds(pack)
    strategies: dict[str, SearchStrategy[Any]] = dict.fromkeys(REFERENCE_FIELDS, ids())
    for name, entry in FIELDS.items():
        strategies[name] = _any_value(entry, limits.get(name, []))
    values: dict[str, Any] = {}
    for name, strategy in strategies.items():
        values[name] = draw(strategy) if complete or draw(st.booleans()) else None
    return values


def _any_value(entry: RuleField, limits: list[float]) -> SearchStrategy[Any]:
    if entry.kind == "age":
        return months_near(limits)
    if entry.kind == "category":
        return st.sampled_from(entry.vocabulary)
    if entry.kind == "boolean":
        return st.booleans()
    if entry.kind == "list":
        return items(entry.name, 0, 5)
    if entry.kind == "allergy":
        return allergy_lists()
    return numbers_near(entry, limits)


def free_texts(max_size: int, *, entry: bool = False) -> SearchStrategy[str]:
    """Text the profile accepts: printable, not blank, and (for list entries) not "none"."""
    texts = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1,
                    max_size=max_size).map(str.strip).filter(bool)
    if entry:
        texts = texts.filter(lambda text: text.lower() not in NOT_AN_ENTRY)
    return texts


def _readable(text: str) -> bool:
    """An entry the profile accepts on its own, that is not a none-known phrase."""
    try:
        allergens.check_entry(text)
    except ValueError:
        return False
    return not allergens.is_none_known(text)


def allergy_entries(*readings: allergens.Reading) -> SearchStrategy[str]:
    """Allergy entries as a clinician writes them, drawn from the shipped vocabulary: every
    allergen's names and synonyms (in any case, '_' for spaces), NKDA phrases, and
    unclassified free text; ``readings`` narrows them to those readings."""
    wanted = readings or (*allergens.CATEGORIES, "no_known_drug", "unclassified")
    choices: list[SearchStrategy[str]] = []
    for reading in wanted:
        if reading == "unclassified":
            choices.append(free_texts(20).filter(
                lambda text: _readable(text) and allergens.reading(text) == "unclassified"))
        else:
            texts = st.sampled_from(allergens.examples(reading))
            choices.append(st.one_of(texts, texts.map(str.upper),
                                     texts.map(lambda text: text.replace(" ", "_"))))
    return st.one_of(choices)


def allergy_lists(*readings: allergens.Reading, low: int = 0) -> SearchStrategy[list[str]]:
    """Allergy lists: entries of ``readings`` (all by default), or, when ``low`` is 0 and
    no reading is asked for, a list of none-known phrases (which reads as [])."""
    lists = st.lists(allergy_entries(*readings), min_size=low, max_size=max(low, 5))
    if readings or low:
        return lists
    none_known = st.lists(st.sampled_from(sorted(allergens.vocabulary().none_known)),
                          min_size=1, max_size=2)
    return st.one_of(lists, none_known)


def ids() -> SearchStrategy[str]:
    return st.one_of(st.from_regex(r"[a-z]{1,3}-[0-9]{1,4}", fullmatch=True), free_texts(30))


def months_near(limits: list[float], low: int = 0, high: int = MAX_MONTHS) -> SearchStrategy[int]:
    """Ages in ``[low, high]`` months, crowding around the pack's age thresholds.

    A threshold off by a few months is the likeliest bug in a pack or its use, so most
    draws land one month either side of a threshold or within a year of one; the rest
    are the range's ends or anywhere in it.
    """
    inside = [int(m) for m in limits if low - 12 <= int(m) <= high + 12]
    near = sorted({m + step for m in inside for step in (-1, 0, 1) if low <= m + step <= high})
    bands = [st.integers(max(low, m - 12), min(high, m + 12)) for m in inside
             if max(low, m - 12) <= min(high, m + 12)]
    choices: list[SearchStrategy[int]] = [st.sampled_from(sorted({low, high})),
                                          st.integers(low, high)]
    if near:
        choices = [st.sampled_from(near), st.one_of(bands), *choices]
    return st.one_of(choices)


def numbers_near(entry: RuleField, limits: list[float]) -> SearchStrategy[float]:
    """Numbers in the field's range: a thousandth (a gram) and a unit either side of each
    threshold, the typical range, or anywhere in the range."""
    low, high = float(entry.low), float(entry.high)
    near = sorted({round(w + step, 3) for w in limits for step in (-1, -0.001, 0, 0.001, 1)
                   if low < w + step <= high})
    choices: list[SearchStrategy[float]] = [
        st.floats(low, high, exclude_min=True, allow_nan=False, allow_infinity=False)]
    if entry.typical is not None:
        choices.insert(0, st.floats(*entry.typical))
    if near:
        choices.insert(0, st.sampled_from(near))
    return st.one_of(choices)


def items(field: str, low: int, high: int) -> SearchStrategy[list[str]]:
    item = st.one_of(st.sampled_from(FIELDS[field].examples or ("other",)),
                     free_texts(20, entry=True))
    return st.lists(item, min_size=low, max_size=max(low, high))


def age_range(test: Test, *, met: bool) -> tuple[int, int]:
    """Months meeting (or failing) an age test, as an inclusive range; may be empty."""
    limit = test.threshold_months or 0
    below_met = test.operator in ("below", "at_most")
    first_out = {"at_least": limit, "above": limit + 1, "below": limit, "at_most": limit + 1}
    split = first_out[test.operator]  # ages >= split are on the "high" side
    low_side, high_side = (0, split - 1), (split, MAX_MONTHS)
    return low_side if below_met == met else high_side


def intersect(low: int, high: int, other: tuple[int, int]) -> tuple[int, int]:
    return max(low, other[0]), min(high, other[1])


def field_values(test: Test, *, met: bool) -> SearchStrategy[Any] | None:
    """Values of the test's field that meet (or fail) it; ``None`` when there are none."""
    operator = test.operator
    entry = FIELDS[test.field]
    if entry.kind == "age":
        low, high = age_range(test, met=met)
        if low > high:
            return None
        return months_near([test.threshold_months or 0], low, high)
    if operator == "one_of":
        wanted = set(test.one_of or [])
        pool = [v for v in entry.vocabulary if (v in wanted) == met]
        return st.sampled_from(pool) if pool else None
    if operator == "equals":
        return st.just(test.equals if met else not test.equals)
    if operator == "includes":
        if met:
            return st.tuples(allergy_lists(), allergy_lists("environmental", low=1)).map(
                lambda pair: [*pair[0], *pair[1]] if not _says_none(pair[0]) else pair[1])
        return allergy_lists("food", "drug", "insect_venom", "other")
    if operator == "min_items":
        count = test.min_items or 0
        if met:
            return items(test.field, count, count + 3)
        return items(test.field, 0, count - 1) if count > 0 else None
    assert test.min_value is not None
    limit = test.min_value
    bottom, top = float(entry.low), float(entry.high)
    if met:
        return st.floats(limit, top) if limit <= top else None
    below = math.nextafter(limit - 0.001, bottom)
    return st.floats(bottom, below, exclude_min=True) if below > bottom else None


def _says_none(entries: list[str]) -> bool:
    return any(allergens.is_none_known(entry) for entry in entries)


def age_fields(draw: DrawFn, months: int | None, as_of: dt.date | None = None) -> dict[str, Any]:
    """One completed-months age, written as a user might: months, years, or both; with an
    assessment date ``as_of``, also as a birth_date (full, or partial: an interval that
    holds the age, so a rule near it may be unknown)."""
    if months is None:
        return {}
    forms = ("months", "years", "fraction", "both")
    form = draw(st.sampled_from(forms if as_of is None else (*forms, "born")))
    if form == "born":
        assert as_of is not None
        return {BIRTH_DATE: birth_date(draw, months, as_of)}
    if form == "months":
        return {AGE_MONTHS: months}
    years = months / 12
    while exact_years(years) < months:  # 215 / 12 as a float may sit a hair under 215 months
        years = math.nextafter(years, math.inf)
    if form == "fraction" and months < MAX_MONTHS:
        share = draw(st.floats(0.0, 0.95))
        candidate = (months + share) / 12
        if months <= exact_years(candidate) < months + 1:
            years = candidate
    if form == "both":
        return {AGE_MONTHS: months, AGE_YEARS: years}
    return {AGE_YEARS: years}


def birth_date(draw: DrawFn, months: int, as_of: dt.date) -> str:
    """A birth date of someone ``months`` completed months old on ``as_of``, written in full
    (``YYYY-MM-DD``) or partially (``YYYY-MM``, ``YYYY``), never after ``as_of``."""
    years, month = divmod(as_of.year * 12 + as_of.month - 1 - months, 12)
    latest = dt.date(years, month + 1, min(as_of.day, calendar.monthrange(years, month + 1)[1]))
    born = latest - dt.timedelta(days=draw(st.integers(0, 27)))
    if math.floor(age_on(born, as_of).low) != months:  # a day too far back: a month older
        born = latest
    return born.isoformat()[:draw(st.sampled_from((10, 7, 4)))]
