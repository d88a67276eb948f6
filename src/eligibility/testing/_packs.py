"""What the strategies and checks know about a rule pack, read from the pack itself.

Nothing here names an option, a rule id or a threshold: every limit is read from the
pack's tests (``criterion.tests``, ``test.operator``, ``test.threshold_months``,
``min_items``, ``min_value``, ``one_of`` against the profile's vocabularies). A rule added
to a pack tomorrow is covered by the kit without a code change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from eligibility.model.fields import RULE_FIELDS
from eligibility.model.profile import CATEGORIES, MAX_AGE_YEARS, Profile
from eligibility.rulepack.loader import DEFAULT_PACK, load_pack
from eligibility.rulepack.model import Criterion, Option, RulePack, Test

MAX_MONTHS = MAX_AGE_YEARS * 12
MAX_WEIGHT = 500.0
#: Whole grams, the unit the engine compares weights in (see ``compiler.py``).
GRAM = 0.001

PackLike = RulePack | str | Path | None


def resolve(rulepack: PackLike) -> RulePack:
    """A loaded pack: the default pack for ``None``, else a pack object, name or folder."""
    if isinstance(rulepack, RulePack):
        return rulepack
    return load_pack(DEFAULT_PACK if rulepack is None else rulepack)


def grams(kilograms: float) -> int:
    """Weights in whole grams, rounded down, computed in decimal from the number as written.

    That is the documented unit of every weight rule: 4.35 kg is 4350 g (binary floating
    point would say 4349.999…) and 39.9999999 kg is still under 40 kg.
    """
    return math.floor(Decimal(repr(kilograms)) * 1000)


def known(profile: Profile, rule_field: str) -> bool:
    """Whether the profile says anything about a rule field (``age`` is years or months)."""
    if rule_field == "age":
        return profile.age_in_months is not None
    return getattr(profile, rule_field) is not None


def outcome(test: Test, profile: Profile) -> str:
    """The reference outcome of one test, written independently of the engine.

    ``met``, ``not_met`` or ``unknown``: the documented meaning of each operator, used by
    the invariant checks as the oracle that the engine's answer is compared with.
    """
    if not known(profile, test.field):
        return "unknown"
    operator = test.operator
    if operator in ("at_least", "above", "below", "at_most"):
        age = profile.age_in_months
        limit = test.threshold_months
        assert age is not None and limit is not None
        result = {"at_least": age >= limit, "above": age > limit,
                  "below": age < limit, "at_most": age <= limit}[operator]
    elif operator == "one_of":
        result = getattr(profile, test.field) in (test.one_of or [])
    elif operator == "equals":
        result = getattr(profile, test.field) is test.equals
    elif operator == "min_items":
        result = len(getattr(profile, test.field)) >= (test.min_items or 0)
    else:
        assert test.min_value is not None
        result = grams(getattr(profile, test.field)) >= grams(test.min_value)
    return "met" if result else "not_met"


def criterion_outcome(criterion: Criterion, profile: Profile) -> str:
    """Kleene OR over the criterion's tests: unknown never reads as not met."""
    outcomes = [outcome(test, profile) for test in criterion.tests]
    if "met" in outcomes:
        return "met"
    return "unknown" if "unknown" in outcomes else "not_met"


def is_limit(test: Test) -> bool:
    """A "label limit": a bound on a number (age in months, weight) rather than a category."""
    return RULE_FIELDS.get(test.field) in ("age", "number")


def limits_of(pack: RulePack, option: Option) -> list[tuple[Criterion, Test]]:
    """The option's hard limits: single-test criteria bounding age or weight."""
    return [(criterion, criterion.test) for criterion in pack.criteria_of(option)
            if criterion.test is not None and is_limit(criterion.test)]


def age_tests(pack: RulePack, option: Option) -> list[Test]:
    return [test for criterion in pack.criteria_of(option) for test in criterion.tests
            if test.field == "age"]


@dataclass(frozen=True)
class Boundary:
    """One value at or next to a rule's threshold, and the option whose status it decides."""

    option: str
    criterion: str
    test_index: int
    field: str
    value: object  # months for age, kilograms for weight, a count for lists, a value else


def boundaries(pack: RulePack) -> list[Boundary]:
    """Every value at and around every threshold of the pack, in a stable order.

    Ages one month either side of each age threshold; weights one gram either side of
    each weight threshold; list lengths one either side of ``min_items``; every value
    of a category; both booleans; and "unknown" (``None``) for every field a rule reads.
    """
    points: list[Boundary] = []
    for option in pack.options:
        for criterion in pack.criteria_of(option):
            for index, test in enumerate(criterion.tests):
                for value in [*values_around(test), None]:
                    points.append(Boundary(option.id, criterion.id, index, test.field, value))
    return points


def values_around(test: Test) -> list[object]:
    operator = test.operator
    if test.threshold_months is not None:
        limit = test.threshold_months
        return [m for m in (limit - 1, limit, limit + 1) if 0 <= m <= MAX_MONTHS]
    if operator == "min_value":
        assert test.min_value is not None
        limit_g = grams(test.min_value)
        weights = [(limit_g + step) / 1000 for step in (-1, 0, 1)]
        return [w for w in weights if 0 < w <= MAX_WEIGHT]
    if operator == "min_items":
        count = test.min_items or 0
        return [n for n in (count - 1, count, count + 1) if n >= 0]
    if operator == "one_of":
        return list(CATEGORIES[test.field])
    return [False, True]


def is_threshold(test: Test) -> bool:
    """A test with a numeric threshold: an age, a weight or a list length."""
    return test.threshold_months is not None or test.operator in ("min_value", "min_items")


def thresholds(pack: RulePack) -> dict[str, list[float]]:
    """Numeric thresholds by rule field (age in months, weight in kg), for biasing draws."""
    found: dict[str, list[float]] = {"age": [], "weight_kg": []}
    for criterion in pack.all_criteria():
        for test in criterion.tests:
            if test.threshold_months is not None:
                found["age"].append(test.threshold_months)
            elif test.min_value is not None and test.field in found:
                found[test.field].append(test.min_value)
    return {name: sorted(set(values)) for name, values in found.items()}
