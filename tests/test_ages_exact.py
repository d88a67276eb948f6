"""Ages are exact intervals of months: no rounding crosses a threshold (issue 11, "Ages").

Before: ages were cut to whole months (5.04 years was not older than 5), a float rounded
17.99999999995 years up to 18, and age_years 18 with age_months 215 was settled silently
by the months. Each test here failed on that main.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import evaluate
from eligibility.engine.evaluation import evaluator_for
from eligibility.errors import ProfileError
from eligibility.model import age
from eligibility.model.profile import parse_profile
from eligibility.rulepack.model import Test

PACKS = ("article-2023", "us-labels-2026")


def _age_outcomes(pack: str, data: dict[str, object]) -> dict[tuple[str, int], str]:
    """The engine's outcome of every age test of a pack, by (operator, threshold)."""
    engine = evaluator_for(pack).engine
    outcomes = engine.outcomes(parse_profile(data))
    return {(atomic.test.operator, atomic.test.threshold_months or 0): outcomes[atomic.index]
            for atomic in engine.compiled.tests if atomic.test.field == "age"}


def test_five_point_o_four_years_is_older_than_five_years() -> None:
    assert _age_outcomes("us-labels-2026", {"age_years": 5.04})[("above", 60)] == "met"
    assert _age_outcomes("us-labels-2026", {"age_years": 5})[("above", 60)] == "not_met"


def test_a_float_just_under_eighteen_is_not_eighteen() -> None:
    outcomes = _age_outcomes("article-2023", {"age_years": 17.99999999995})
    assert outcomes[("at_least", 216)] == "not_met"
    assert evaluate({"age_years": 17.99999999995}).option("dupilumab").reasons[0].patient_value \
        != "18 years"


def test_years_and_months_straddling_a_threshold_make_it_unknown() -> None:
    outcomes = _age_outcomes("article-2023", {"age_years": 18, "age_months": 215})
    assert outcomes[("at_least", 216)] == "unknown"
    interval = parse_profile({"age_years": 18, "age_months": 215}).age
    assert interval is not None
    assert (interval.low, interval.high, interval.high_open) == (215, 216, False)
    assert interval.text == "between 17 years 11 months and 18 years"


def test_years_and_months_that_agree_are_as_exact_as_the_years_alone() -> None:
    # 40 years with 480 completed months: both hold only at exactly 40 years, so a second
    # field that agrees never makes an answer less certain (the kit's "dropping a field
    # never creates a candidate" invariant found this when the hull was used here).
    both = parse_profile({"age_years": 40, "age_months": 480}).age
    assert both is not None and both.is_point and both.low == 480
    assert _age_outcomes("article-2023", {"age_years": 40, "age_months": 480}) == \
        _age_outcomes("article-2023", {"age_years": 40})
    narrowed = parse_profile({"age_years": 17.95, "age_months": 215}).age
    assert narrowed is not None and narrowed.is_point and narrowed.text == "17.95 years"


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 130 * 12 - 1), st.integers(0, 119))
def test_a_second_age_field_that_agrees_never_widens_the_age(months: int, hundredths: int) -> None:
    years = (months + hundredths / 120) / 12
    alone = age.from_fields(years, None)
    both = age.from_fields(years, months)
    assert alone is not None and both is not None
    if months <= alone.low < months + 1:  # they agree: the interval is within each
        assert both.low >= alone.low and both.high <= alone.high


def test_completed_months_are_an_interval() -> None:
    # 60 completed months may be exactly 5 years or a little more: "older than 5" unknown.
    assert _age_outcomes("us-labels-2026", {"age_months": 60})[("above", 60)] == "unknown"
    assert _age_outcomes("us-labels-2026", {"age_months": 61})[("above", 60)] == "met"
    assert _age_outcomes("article-2023", {"age_months": 215})[("at_least", 216)] == "not_met"


def test_agreement_is_checked_exactly() -> None:
    parse_profile({"age_years": 18, "age_months": 215})  # one month apart: accepted
    with pytest.raises(ProfileError, match="disagree"):
        parse_profile({"age_years": 18.0001, "age_months": 215})


def test_shown_age_is_never_rounded() -> None:
    assert parse_profile({"age_years": 17.99999999995}).age.text == "17.99999999995 years"  # type: ignore[union-attr]
    assert parse_profile({"age_years": 16}).age.text == "16 years"  # type: ignore[union-attr]


_AGES = st.one_of(
    st.builds(lambda years: {"age_years": years},
              st.floats(0, 130, allow_nan=False, allow_infinity=False)),
    st.builds(lambda months: {"age_months": months}, st.integers(0, 1560)),
    st.builds(lambda months, off: {"age_months": months,
                                   "age_years": max(0.0, min(130.0, (months + off) / 12))},
              st.integers(0, 1560), st.floats(-0.99, 0.99)))


@settings(max_examples=150, deadline=None)
@given(data=_AGES, pack=st.sampled_from(PACKS))
def test_engine_decides_what_every_point_inside_decides(data: dict[str, object], pack: str) -> None:
    interval = parse_profile(data).age
    assert interval is not None
    points = [interval.low, (interval.low + interval.high) / 2]
    if not interval.high_open:
        points.append(interval.high)
    for (operator, threshold), engine in _age_outcomes(pack, data).items():
        assert engine == age.outcome(operator, threshold, interval)
        if engine != "unknown":
            for point in points:
                inside = age.AgeInterval(point, point, False, False, "test", "")
                assert age.outcome(operator, threshold, inside) == engine


@settings(max_examples=150, deadline=None)
@given(first=st.fractions(0, 1560), second=st.fractions(0, 1560),
       threshold=st.integers(0, 1560), operator=st.sampled_from(age.AGE_OPERATORS))
def test_outcomes_are_monotone_in_age(first: Fraction, second: Fraction, threshold: int,
                                      operator: str) -> None:
    young, old = sorted((first, second))
    rank = {"not_met": 0, "unknown": 1, "met": 2}
    lower = operator in ("at_least", "above")
    outcomes = [rank[age.outcome(operator, threshold,
                                 age.AgeInterval(x, x, False, False, "test", ""))]
                for x in (young, old)]
    assert outcomes == sorted(outcomes) if lower else outcomes == sorted(outcomes, reverse=True)


def test_rules_check_passes_on_both_packs() -> None:
    from eligibility.services.pack_check import check_pack

    for pack in PACKS:
        report = check_pack(pack)
        assert report.ok, [problem.message for problem in report.problems]


def test_age_test_words_are_unchanged() -> None:
    test = Test.model_validate({"field": "age", "at_least": "18 years"})
    assert test.threshold_months == 216
