"""What the strategies and checks know about a rule pack, read from the pack itself.

Nothing here names an option, a rule id or a threshold: every limit is read from the
pack's tests (``criterion.tests``, ``test.operator``, ``test.threshold_months``,
``min_items``, ``min_value``, ``one_of`` against the field registry's vocabularies). A rule
added to a pack tomorrow is covered by the kit without a code change, and so is a field
added to the registry.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from eligibility.model import allergens
from eligibility.model.age import AgeInterval
from eligibility.model.fields import FIELDS, MAX_AGE_MONTHS, thousandths
from eligibility.model.profile import Profile
from eligibility.rulepack.loader import DEFAULT_PACK, load_pack
from eligibility.rulepack.model import Criterion, Option, RulePack, Test

MAX_MONTHS = MAX_AGE_MONTHS

PackLike = RulePack | str | Path | None


def resolve(rules: PackLike) -> RulePack:
    """A loaded pack: the default pack for ``None``, else a pack object, name or folder."""
    if isinstance(rules, RulePack):
        return rules
    return load_pack(DEFAULT_PACK if rules is None else rules)


def pack_argument(rules: PackLike, rulepack: PackLike, where: str) -> PackLike:
    """The pack given as ``rules=``, or as the deprecated alias ``rulepack=`` (a warning)."""
    if rulepack is None:
        return rules
    if rules is not None:
        raise TypeError(f"{where}() got both rules= and rulepack=; give rules= only")
    warnings.warn(f"{where}(rulepack=...) is deprecated; write rules=... (the keyword "
                  "evaluate() takes)", DeprecationWarning, stacklevel=3)
    return rulepack


def known(profile: Profile, rule_field: str) -> bool:
    """Whether the profile says anything about a rule field (``age``: years or months)."""
    return FIELDS[rule_field].value(profile) is not None


def outcome(test: Test, profile: Profile) -> str:
    """The reference outcome of one test, written independently of the engine.

    ``met``, ``not_met`` or ``unknown``: the documented meaning of each operator, used by
    the invariant checks as the oracle that the engine's answer is compared with.
    """
    value = FIELDS[test.field].value(profile)
    if value is None:
        return "unknown"
    operator = test.operator
    if operator in ("at_least", "above", "below", "at_most"):
        assert isinstance(value, AgeInterval) and test.threshold_months is not None
        return _age_outcome(operator, test.threshold_months, value)
    if operator == "one_of":
        result = value in (test.one_of or [])
    elif operator == "equals":
        result = value is test.equals
    elif operator == "includes":
        readings = [allergens.reading(item) for item in value]  # type: ignore[attr-defined]
        if test.includes in readings:
            return "met"
        if "unclassified" in readings or "no_known_drug" in readings:
            return "unknown"
        result = False
    elif operator == "min_items":
        assert isinstance(value, list)
        result = len(value) >= (test.min_items or 0)
    else:
        assert isinstance(value, float) and test.min_value is not None
        result = thousandths(value) >= thousandths(test.min_value)
    return "met" if result else "not_met"


def criterion_outcome(criterion: Criterion, profile: Profile) -> str:
    """Kleene OR over the criterion's tests: unknown never reads as not met."""
    outcomes = [outcome(test, profile) for test in criterion.tests]
    if "met" in outcomes:
        return "met"
    return "unknown" if "unknown" in outcomes else "not_met"


def is_limit(test: Test) -> bool:
    """A "label limit": a bound on a number (age in months, weight) rather than a category."""
    entry = FIELDS.get(test.field)
    return entry is not None and entry.kind in ("age", "number")


def limits_of(pack: RulePack, option: Option) -> list[tuple[Criterion, Test]]:
    """The option's hard limits: single-test criteria bounding age or weight."""
    return [(criterion, criterion.test) for criterion in pack.criteria_of(option)
            if criterion.test is not None and is_limit(criterion.test)]


def age_tests(pack: RulePack, option: Option) -> list[Test]:
    return [test for criterion in pack.criteria_of(option) for test in criterion.tests
            if FIELDS[test.field].kind == "age"]


@dataclass(frozen=True)
class Boundary:
    """One value at or next to a rule's threshold, and the option whose status it decides."""

    option: str
    criterion: str
    test_index: int
    field: str
    value: object  # months for age, the unit for numbers (kg), a count for lists, a value else


def boundaries(pack: RulePack) -> list[Boundary]:
    """Every value at and around every threshold of the pack, in a stable order.

    Ages one month either side of each age threshold; numbers one thousandth (a gram)
    either side of each threshold; list lengths one either side of ``min_items``; every value
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
    entry = FIELDS[test.field]
    if operator == "min_value":
        assert test.min_value is not None
        limit = thousandths(test.min_value)
        numbers = [(limit + step) / 1000 for step in (-1, 0, 1)]
        return [n for n in numbers if entry.low < n <= entry.high]
    if operator == "includes":  # one entry of each reading, and none known
        return [["dust mite"], ["peanut"], ["penicillin"], ["latex"], ["bee venom"], ["NKDA"],
                ["kiwi fruit"], []]
    if operator == "min_items":
        count = test.min_items or 0
        return [n for n in (count - 1, count, count + 1) if n >= 0]
    if operator == "one_of":
        return list(entry.vocabulary)
    return [False, True]


def is_threshold(test: Test) -> bool:
    """A test with a numeric threshold: an age, a weight or a list length."""
    return test.threshold_months is not None or test.operator in ("min_value", "min_items")


def thresholds(pack: RulePack) -> dict[str, list[float]]:
    """Numeric thresholds of every age and number field (months; the field's unit), for
    biasing draws; empty for a field no rule reads."""
    found: dict[str, list[float]] = {name: [] for name, entry in FIELDS.items()
                                     if entry.kind in ("age", "number")}
    for criterion in pack.all_criteria():
        for test in criterion.tests:
            if test.threshold_months is not None:
                found[test.field].append(test.threshold_months)
            elif test.min_value is not None:
                found[test.field].append(test.min_value)
    return {name: sorted(set(values)) for name, values in found.items()}


def _age_outcome(operator: str, limit: int, age: AgeInterval) -> str:
    """What every age in the interval says, on the interval's ends (not the engine codes)."""
    all_from = age.low >= limit
    none_from = age.high < limit or (age.high == limit and age.high_open)
    all_over = age.low > limit or (age.low == limit and age.low_open)
    none_over = age.high <= limit
    met, failed = {"at_least": (all_from, none_from), "above": (all_over, none_over),
                   "below": (none_from, all_from), "at_most": (none_over, all_over)}[operator]
    return "met" if met else "not_met" if failed else "unknown"
