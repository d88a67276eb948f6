"""Checks that a pack's tests make sense for the profile fields they read.

The pydantic models check the files' shape; these check their meaning: the field
exists, the operator suits it, values belong to the field's vocabulary and thresholds
lie in the profile's range. Each problem is a sentence naming the rule id and a fix.
"""

from __future__ import annotations

from decimal import Decimal

from eligibility.model.fields import (
    MAX_AGE_MONTHS,
    NUMBER_RANGES,
    OPERATORS_BY_KIND,
    RULE_FIELDS,
    categories,
)
from eligibility.rulepack.model import Criterion, Test
from eligibility.suggest import did_you_mean


def test_problems(rule_id: str, test: Test) -> list[str]:
    """Problems with one test of rule ``rule_id``; empty when it is sound."""
    kind = RULE_FIELDS.get(test.field)
    if kind is None:
        hint = did_you_mean(test.field, RULE_FIELDS)
        return [f"rule '{rule_id}': unknown field '{test.field}'{hint}; rules may read "
                f"{', '.join(sorted(RULE_FIELDS))}"]
    operator = test.operator
    allowed = OPERATORS_BY_KIND[kind]
    if operator not in allowed:
        return [f"rule '{rule_id}': operator '{operator}' does not suit field '{test.field}' "
                f"({kind}); use {' or '.join(allowed)}"]
    problems: list[str] = []
    if kind == "age":
        months = test.threshold_months
        if months is not None and not 0 <= months <= MAX_AGE_MONTHS:
            problems.append(f"rule '{rule_id}': threshold {getattr(test, operator)!r} is outside "
                            f"the profile's age range (0 to {MAX_AGE_MONTHS // 12} years)")
    elif kind == "category":
        vocabulary = categories(test.field)
        values = test.one_of or []
        if not values:
            problems.append(f"rule '{rule_id}': one_of is empty, so it can never be met")
        for value in values:
            if value not in vocabulary:
                hint = did_you_mean(value, vocabulary)
                problems.append(f"rule '{rule_id}': '{value}' is not a value of '{test.field}'"
                                f"{hint}; values are {', '.join(vocabulary)}")
        if len(set(values)) != len(values):
            problems.append(f"rule '{rule_id}': one_of repeats a value")
    elif kind == "number":
        low, high = NUMBER_RANGES[test.field]
        minimum = test.min_value
        grams = exact_decimal(minimum) * 1000 if minimum is not None else None
        if grams is not None and grams.is_finite() and grams != grams.to_integral_value():
            problems.append(f"rule '{rule_id}': min_value {minimum!r} is finer than a gram; "
                            "round it to at most three decimals")
        if minimum is not None and not low < minimum <= high:
            problems.append(f"rule '{rule_id}': min_value {minimum:g} is outside the range of "
                            f"'{test.field}' ({low:g} to {high:g})")
    return problems


def exact_decimal(number: float) -> Decimal:
    """The number as the pack wrote it: the shortest decimal that reads back as ``number``.

    In binary floating point 32.7 * 1000 is 32700.000000000004, so whole grams must be
    checked in decimal (the compiler turns kilograms into grams the same way).
    """
    return Decimal(repr(number))


def criterion_problems(criterion: Criterion) -> list[str]:
    problems: list[str] = []
    for test in criterion.tests:
        problems.extend(test_problems(criterion.id, test))
    return problems
