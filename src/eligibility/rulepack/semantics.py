"""Checks that a pack's tests make sense for the profile fields they read.

The pydantic models check the files' shape; these check their meaning: the field
exists, the operator suits it, values belong to the field's vocabulary and thresholds
lie in the profile's range. Each problem is a sentence naming the rule id and a fix.
"""

from __future__ import annotations

from eligibility.model.fields import FIELDS, INCLUDABLE, OPERATORS_BY_KIND, exact_thousandths
from eligibility.rulepack.model import Criterion, Test
from eligibility.suggest import did_you_mean


def test_problems(rule_id: str, test: Test) -> list[str]:
    """Problems with one test of rule ``rule_id``; empty when it is sound."""
    entry = FIELDS.get(test.field)
    if entry is None:
        hint = did_you_mean(test.field, FIELDS)
        return [f"rule '{rule_id}': unknown field '{test.field}'{hint}; rules may read "
                f"{', '.join(sorted(FIELDS))}"]
    kind = entry.kind
    operator = test.operator
    allowed = OPERATORS_BY_KIND[kind]
    if operator not in allowed:
        return [f"rule '{rule_id}': operator '{operator}' does not suit field '{test.field}' "
                f"({kind}); use {' or '.join(allowed)}"]
    problems: list[str] = []
    if kind == "age":
        months = test.threshold_months
        if months is not None and not entry.low <= months <= entry.high:
            problems.append(f"rule '{rule_id}': threshold {getattr(test, operator)!r} is outside "
                            f"the profile's age range (0 to {int(entry.high) // 12} years)")
    elif kind == "category":
        vocabulary = entry.vocabulary
        values = test.one_of or ()
        if not values:
            problems.append(f"rule '{rule_id}': one_of is empty, so it can never be met")
        for value in values:
            if value not in vocabulary:
                hint = did_you_mean(value, vocabulary)
                problems.append(f"rule '{rule_id}': '{value}' is not a value of '{test.field}'"
                                f"{hint}; values are {', '.join(vocabulary)}")
        if len(set(values)) != len(values):
            problems.append(f"rule '{rule_id}': one_of repeats a value")
    elif kind == "allergy":
        wanted = test.includes or ""
        if wanted not in INCLUDABLE:
            hint = did_you_mean(wanted, INCLUDABLE)
            problems.append(f"rule '{rule_id}': includes '{wanted}' is not a category the aid "
                            f"decides{hint}; use {' or '.join(INCLUDABLE)} (the allergens "
                            "allergy shots treat)")
    elif kind == "number":
        low, high = entry.low, entry.high
        minimum = test.min_value
        grams = exact_thousandths(minimum) if minimum is not None else None
        if grams is not None and grams.is_finite() and grams != grams.to_integral_value():
            problems.append(f"rule '{rule_id}': min_value {minimum!r} is finer than a gram; "
                            "round it to at most three decimals")
        if minimum is not None and not low < minimum <= high:
            problems.append(f"rule '{rule_id}': min_value {minimum:g} is outside the range of "
                            f"'{test.field}' ({low:g} to {high:g})")
    return problems


def criterion_problems(criterion: Criterion) -> list[str]:
    problems: list[str] = []
    for test in criterion.tests:
        problems.extend(test_problems(criterion.id, test))
    return problems
