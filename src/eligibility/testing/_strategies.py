"""``profiles()`` and ``boundary_profiles()``: valid patients, shaped by the rule pack.

Uniformly random profiles rarely make anyone a candidate (every criterion of an option
must line up), so half of the draws *aim* at some options of the pack: their criteria
are read from the pack and met, then, often, one of them is made unknown or failing.
Every status of every option therefore comes up often, for any pack, without this
module naming a single option or threshold.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, SearchStrategy

from eligibility.errors import ProfileError
from eligibility.model.fields import AGE, AGE_MONTHS, AGE_YEARS, BIRTH_DATE, FIELDS, profile_fields
from eligibility.model.profile import Profile, parse_profile
from eligibility.rulepack.model import Criterion, Option, RulePack, Test
from eligibility.suggest import did_you_mean
from eligibility.testing._packs import (
    MAX_MONTHS,
    Boundary,
    PackLike,
    boundaries,
    is_threshold,
    pack_argument,
    resolve,
    thresholds,
)
from eligibility.testing._values import (
    age_fields,
    age_range,
    field_values,
    free_values,
    intersect,
    items,
    months_near,
)


def profiles(*, rules: PackLike = None, complete: bool = False, rulepack: PackLike = None,
             as_of: dt.date | SearchStrategy[dt.date] | None = None,
             **fixed: Any) -> SearchStrategy[Profile]:
    """Valid ``Profile``s over the whole space, unknown (missing) fields included.

    ``profiles(severity="severe")`` fixes a field (a value, ``None`` for "always unknown",
    or a strategy); ``complete=True`` makes every field present. Ages and weights cluster
    around the thresholds of ``rules`` (the default pack unless given; ``rulepack=`` is
    a deprecated alias).

    ``as_of`` (a date, or a strategy of dates) opts in to birth dates: ages are then also
    written as a ``birth_date`` (full, ``YYYY-MM`` or ``YYYY``), and every profile is
    dated on its ``as_of`` (``Profile.as_of``), which ``evaluate(profile)`` then uses. A
    profile turned into JSON loses its date: pass ``profile.as_of`` on with it.
    """
    pack = pack_argument(rules, rulepack, "profiles")
    checked = _checked_fixed(fixed)
    if BIRTH_DATE in checked and checked[BIRTH_DATE] is not None and as_of is None:
        raise InvalidArgument("profiles(birth_date=...) needs as_of=DATE: a birth date is "
                              "read on the date of the assessment")
    dates = as_of if as_of is None or isinstance(as_of, SearchStrategy) else st.just(as_of)
    return _profiles(pack, complete, checked, dates)


def boundary_profiles(rules: PackLike = None, *,
                      rulepack: PackLike = None) -> SearchStrategy[Profile]:
    """Profiles at and around every threshold of the pack's rules.

    Each draw picks one value next to one rule's threshold (ages one month either side,
    weights one gram either side, list lengths one either side, every category value,
    both booleans, unknown), puts it in a profile that meets the option's *other*
    criteria, so that this one rule decides the option's status. ``rulepack=`` is a
    deprecated alias of ``rules=``.
    """
    return _boundary_profiles(pack_argument(rules, rulepack, "boundary_profiles"))


@st.composite
def _profiles(draw: DrawFn, rulepack: PackLike, complete: bool, fixed: dict[str, Any],
              dates: SearchStrategy[dt.date] | None = None) -> Profile:
    pack = resolve(rulepack)
    as_of = None if dates is None else draw(dates)
    values = free_values(draw, pack, complete)
    if draw(st.booleans()):
        # Aim at a random subset of options (each with even odds, so none is favoured).
        aimed = [o for o in pack.options if draw(st.booleans())]
        aimed = aimed or [draw(st.sampled_from(pack.options))]
        _aim_at(draw, pack, aimed, values)
        # Half the aimed draws keep their candidates; the rest lose one criterion.
        twists = ("none", "none", "fail") if complete else ("none", "none", "unknown", "fail")
        twist = draw(st.sampled_from(twists))
        if twist != "none":
            option = draw(st.sampled_from(aimed))
            criterion = draw(st.sampled_from(pack.criteria_of(option)))
            _twist(draw, criterion, twist, values)
    return _finish(draw, values, complete, fixed, as_of)


@st.composite
def _boundary_profiles(draw: DrawFn, rulepack: PackLike) -> Profile:
    pack = resolve(rulepack)
    point = draw(st.sampled_from(_points(pack)))
    option = pack.option(point.option)
    criterion = next(c for c in pack.criteria_of(option) if c.id == point.criterion)
    values = free_values(draw, pack, complete=False)
    _aim_at(draw, pack, [option], values)
    _place(draw, criterion, point, values)
    return _finish(draw, values, complete=False, fixed={})


def _points(pack: RulePack) -> list[Boundary]:
    """Each criterion's boundary values once, for one option using it; the values of a
    numeric threshold three times over: a threshold off by a month is the bug this
    strategy exists to catch, so it gets most of the example budget."""
    points: list[Boundary] = []
    seen: set[str] = set()
    for point in boundaries(pack):
        key = f"{point.criterion}/{point.test_index}/{point.value!r}"
        if key in seen:
            continue
        seen.add(key)
        option = pack.option(point.option)
        criterion = next(c for c in pack.criteria_of(option) if c.id == point.criterion)
        weight = 3 if is_threshold(criterion.tests[point.test_index]) else 1
        points.extend([point] * weight)
    return points


# -- aiming at an option ------------------------------------------------------------------

def _aim_at(draw: DrawFn, pack: RulePack, options: list[Option], values: dict[str, Any]) -> None:
    """Meet every criterion of each option (one test of each any_of), as far as they can
    all be met together: an option whose age range excludes the others' is left out."""
    low, high = 0, MAX_MONTHS
    aged = False
    wanted: dict[str, list[Test]] = {}
    done: set[str] = set()
    for option in options:
        criteria = [c for c in pack.criteria_of(option) if c.id not in done]
        chosen = [draw(st.sampled_from(criterion.tests)) for criterion in criteria]
        ages = [test for test in chosen if FIELDS[test.field].kind == "age"]
        new_low, new_high = low, high
        for test in ages:
            new_low, new_high = intersect(new_low, new_high, age_range(test, met=True))
        if new_low > new_high:
            continue
        low, high, aged = new_low, new_high, aged or bool(ages)
        done.update(criterion.id for criterion in criteria)
        for test in chosen:
            if FIELDS[test.field].kind != "age":
                wanted.setdefault(test.field, []).append(test)
    if aged:
        values[AGE] = draw(months_near(thresholds(pack)[AGE], low, high))
    for field, tests in wanted.items():
        strategy = _meeting_all(tests)
        if strategy is not None:
            values[field] = draw(strategy)


def _meeting_all(tests: list[Test]) -> SearchStrategy[Any] | None:
    """Values of one field meeting every test on it (the first test's when they clash)."""
    first = tests[0]
    if first.operator == "one_of":
        pool = [v for v in FIELDS[first.field].vocabulary if all(v in (t.one_of or []) for t in tests)]
        return st.sampled_from(pool) if pool else field_values(first, met=True)
    if first.operator == "min_items":
        count = max(t.min_items or 0 for t in tests)
        return items(first.field, count, count + 3)
    if first.operator == "min_value":
        return field_values(max(tests, key=lambda t: t.min_value or 0.0), met=True)
    return field_values(first, met=True)


def _twist(draw: DrawFn, criterion: Criterion, twist: str, values: dict[str, Any]) -> None:
    """Make one criterion unknown (all its fields absent) or not met (every test failing)."""
    for test in criterion.tests:
        if twist == "unknown":
            values[test.field] = None
            continue
        failing = field_values(test, met=False)
        if failing is not None:
            values[test.field] = draw(failing)


def _place(draw: DrawFn, criterion: Criterion, point: Boundary, values: dict[str, Any]) -> None:
    """Put the boundary value in, and fail the criterion's other tests so it decides."""
    for index, test in enumerate(criterion.tests):
        if index != point.test_index:
            failing = field_values(test, met=False)
            if failing is not None:
                values[test.field] = draw(failing)
    if point.value is None or FIELDS[point.field].kind != "list":
        values[point.field] = point.value
    else:
        assert isinstance(point.value, int)
        values[point.field] = draw(items(point.field, point.value, point.value))


# -- finishing ----------------------------------------------------------------------------

def _finish(draw: DrawFn, values: dict[str, Any], complete: bool,
            fixed: dict[str, Any], as_of: dt.date | None = None) -> Profile:
    months = values.pop(AGE)
    fields: dict[str, Any] = dict(values)
    fields.update(age_fields(draw, months, as_of))
    drawn_fixed = {name: draw(value) if isinstance(value, SearchStrategy) else value
                   for name, value in fixed.items()}
    age_fixed = {AGE_YEARS, AGE_MONTHS, BIRTH_DATE} & set(drawn_fixed)
    if age_fixed:
        for name in (AGE_YEARS, AGE_MONTHS, BIRTH_DATE):
            fields[name] = None
        fields.update(_consistent_age(drawn_fixed, complete))
    fields.update(drawn_fixed)
    try:
        profile = parse_profile(fields)
        return profile if as_of is None else profile.on(as_of)
    except ProfileError as error:
        raise InvalidArgument(f"profiles(): the fixed fields {sorted(fixed)} cannot make a "
                              f"valid profile: {error}") from None


def _consistent_age(fixed: dict[str, Any], complete: bool) -> dict[str, Any]:
    """The other age field, when only one is fixed: absent, or agreeing if ``complete``."""
    if not complete or len({AGE_YEARS, AGE_MONTHS} & set(fixed)) == 2:
        return {}
    if fixed.get(AGE_YEARS) is not None:
        return {AGE_MONTHS: math.floor(fixed[AGE_YEARS] * 12 + 1e-9)}
    if fixed.get(AGE_MONTHS) is not None:
        return {AGE_YEARS: fixed[AGE_MONTHS] / 12}
    return {}


def _checked_fixed(fixed: dict[str, Any]) -> dict[str, Any]:
    """Fail at once, naming the field, for a misspelt field or an invalid fixed value."""
    known = profile_fields()
    for name, value in fixed.items():
        if name not in known:
            raise InvalidArgument(f"profiles() got an unknown field {name!r}"
                                  f"{did_you_mean(name, known)}; fields are "
                                  f"{', '.join(known)}")
        if value is not None and not isinstance(value, SearchStrategy):
            try:
                parse_profile({name: value})
            except ProfileError as error:
                raise InvalidArgument(f"profiles({name}={value!r}): {error}") from None
    return dict(fixed)

