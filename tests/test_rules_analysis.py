"""The class analysis behind ``rules check`` and ``rules diff``: sound and exhaustive.

Sound: every value of a field gives the same outcome as its class representative, for
every test that split the field. Faithful: the analysis's own three-valued evaluation
agrees with the real engine on every boundary profile of every shipped option.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility import available_packs, evaluate
from eligibility.model.fields import MAX_AGE_MONTHS
from eligibility.rulepack import RulePack
from eligibility.rulepack import Test as RuleTest
from eligibility.rulepack.analysis import (
    as_point,
    class_grid,
    combinations,
    field_classes,
    option_status,
    profile_of,
)
from eligibility.rulepack.analysis import (
    test_outcome as outcome_of,
)
from eligibility.rulepack.diff import merge_blocks

AGE_OPERATORS = ("at_least", "above", "below", "at_most")


def age_test(operator: str, months: int) -> RuleTest:
    """Written in years when whole (rule files allow at most three digits)."""
    text = f"{months // 12} years" if months % 12 == 0 else f"{months} months"
    return RuleTest.model_validate({"field": "age", operator: text})


def test_age_classes_split_at_each_threshold_in_months() -> None:
    tests = [age_test("at_least", 6), age_test("above", 60), age_test("at_least", 216)]
    classes = field_classes("age", tests)
    # In age codes (``model/age.py``): 2m is exactly m months, 2m+1 strictly after it.
    assert [c.value for c in classes] == [0, 12, 121, 432, None]
    assert [c.label for c in classes] == ["under 6 months", "6 months to 5 years",
                                          "over 5 years to under 18 years",
                                          "18 years or older", "unknown"]


def test_weight_classes_use_the_engines_grams() -> None:
    tests = [RuleTest.model_validate({"field": "weight_kg", "min_value": 40})]
    classes = field_classes("weight_kg", tests, unknown=False)
    assert [c.value for c in classes] == [0, 40_000]
    assert outcome_of(tests[0], 39_999) == "not_met"
    assert outcome_of(tests[0], 40_000) == "met"


THRESHOLDS = st.integers(0, 999) | st.integers(0, 140).map(lambda years: years * 12)


@given(st.lists(st.tuples(st.sampled_from(AGE_OPERATORS), THRESHOLDS), min_size=1, max_size=6),
       st.integers(0, 2 * MAX_AGE_MONTHS))
def test_every_age_behaves_like_its_class_representative(
        specs: list[tuple[str, int]], months: int) -> None:  # months: an age code
    tests = [age_test(operator, threshold) for operator, threshold in specs]
    classes = field_classes("age", tests, unknown=False)
    representative = max(c.value for c in classes if isinstance(c.value, int) and c.value <= months)
    for test in tests:
        assert outcome_of(test, months) == outcome_of(test, representative)


@given(st.sets(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 3)), min_size=1))
def test_merged_blocks_cover_exactly_the_points(points: set[tuple[int, int, int]]) -> None:
    blocks = merge_blocks(sorted(points), 3)
    covered = {point for block in blocks for point in itertools.product(*block)}
    assert covered == points


def _option_points(pack: RulePack) -> list[tuple[str, dict[str, object], str]]:
    cases = []
    for option in pack.options:
        criteria = pack.criteria_of(option)
        for combo in combinations(class_grid(criteria, unknown=True)):
            point = as_point(combo)
            cases.append((option.id, profile_of(point), option_status(criteria, point)))
    return cases


@pytest.mark.parametrize("pack", available_packs(), ids=lambda pack: pack.name)
def test_analysis_agrees_with_the_engine_on_every_boundary_profile(pack: RulePack) -> None:
    checked = 0
    for option_id, profile, expected in _option_points(pack):
        assert evaluate(profile, rules=pack).option(option_id).status == expected, (
            option_id, profile)
        checked += 1
    assert checked > 500  # every class of every option; a broken grid would be tiny
