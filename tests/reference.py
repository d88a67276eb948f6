"""An independent, deliberately naive interpreter of a rule pack, used only by tests.

It reads the ``Profile`` directly (no integer encoding, no durable-rules, no shared code
with ``compiler.py``/``decide.py`` beyond the pack models) so that the differential test
compares two implementations that could not share a bug.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from eligibility import Profile
from eligibility.rulepack.model import Criterion, RulePack, Test

Outcome = Literal["met", "not_met", "unknown"]


def test_outcome(test: Test, profile: Profile) -> Outcome:
    op = test.operator
    if test.field == "age":
        if profile.age_years is None and profile.age_months is None:
            return "unknown"
        months = profile.age_months if profile.age_months is not None else int(
            (profile.age_years or 0) * 12 + 1e-9)
        limit = test.threshold_months
        assert limit is not None
        ok = {"at_least": months >= limit, "above": months > limit,
              "below": months < limit, "at_most": months <= limit}[op]
        return "met" if ok else "not_met"
    value = getattr(profile, test.field)
    if value is None:
        return "unknown"
    if op == "one_of":
        ok = value in (test.one_of or [])
    elif op == "equals":
        ok = value is test.equals
    elif op == "min_items":
        ok = len(value) >= (test.min_items or 0)
    elif op == "min_value":
        ok = Decimal(repr(value)) >= Decimal(repr(test.min_value or 0))
    else:  # pragma: no cover - a new operator must be taught here too
        raise AssertionError(f"reference interpreter does not know {op}")
    return "met" if ok else "not_met"


def criterion_outcome(criterion: Criterion, profile: Profile) -> Outcome:
    outcomes = [test_outcome(test, profile) for test in criterion.tests]
    if any(outcome == "met" for outcome in outcomes):
        return "met"
    if any(outcome == "unknown" for outcome in outcomes):
        return "unknown"
    return "not_met"


def reference_statuses(pack: RulePack, profile: Profile) -> dict[str, tuple[str, dict[str, Outcome]]]:
    """Per option: (status, {criterion id: outcome})."""
    result: dict[str, tuple[str, dict[str, Outcome]]] = {}
    for option in pack.options:
        outcomes = {c.id: criterion_outcome(c, profile) for c in pack.criteria_of(option)}
        values = list(outcomes.values())
        if "not_met" in values:
            status = "not_candidate"
        elif "unknown" in values:
            status = "needs_information"
        else:
            status = "candidate"
        result[option.id] = (status, outcomes)
    return result
