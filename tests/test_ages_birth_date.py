"""birth_date with the assessment date as_of (issue 11, "Ages"): exact calendar ages for
full dates, intervals for partial ones, never the clock. Failed on main (no birth_date,
no as_of argument)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import evaluate
from eligibility.engine.evaluation import Evaluator
from eligibility.errors import ProfileError
from eligibility.model import age
from eligibility.model.profile import parse_profile

JUNE = dt.date(2026, 6, 1)


def _age(birth: str, as_of: dt.date) -> age.AgeInterval:
    interval = parse_profile({"birth_date": birth}).dated(as_of).age
    assert interval is not None
    return interval


def test_partial_birth_year_is_an_interval() -> None:
    interval = _age("2008", JUNE)
    assert interval.text == "between 17 years 5 months 1 day and 18 years 5 months"
    assert age.outcome("at_least", 216, interval) == "unknown"
    reason = {r.criterion: r for r in evaluate({"birth_date": "2008"}, as_of=JUNE)
              .option("tralokinumab").reasons}["tralokinumab.adult"]
    assert reason.outcome == "unknown"
    assert reason.patient_value == interval.text


def test_full_dates_use_calendar_arithmetic() -> None:
    assert _age("2008-06-01", JUNE).is_point
    assert age.outcome("at_least", 216, _age("2008-06-01", JUNE)) == "met"
    assert age.outcome("at_least", 216, _age("2008-06-02", JUNE)) == "not_met"
    # Leap day: 1 year old on 1 March in a common year, never on 28 February.
    assert _age("2020-02-29", dt.date(2021, 2, 28)).text == "11 months 30 days"
    assert _age("2020-02-29", dt.date(2021, 3, 1)).text == "1 year"
    assert _age("2020-01-31", dt.date(2020, 3, 1)).text == "1 month"


def test_month_precision() -> None:
    assert _age("2008-06", JUNE).text == "between 17 years 11 months 2 days and 18 years"


def test_future_and_invalid_birth_dates_are_refused() -> None:
    with pytest.raises(ProfileError, match="after the assessment date") as error:
        evaluate({"birth_date": "2026-06-02"}, as_of=JUNE)
    assert error.value.field == "birth_date"
    with pytest.raises(ProfileError, match="after the assessment date"):
        evaluate({"birth_date": "2027"}, as_of=JUNE)
    evaluate({"birth_date": "2026"}, as_of=JUNE)  # some day of 2026 is not after it
    for bad in ("2008-13", "2008-02-30", "08", "2008/01/01", "20080101"):
        with pytest.raises(ProfileError) as error:
            parse_profile({"birth_date": bad})
        assert error.value.field == "birth_date"


def test_birth_date_needs_an_as_of_and_the_clock_is_never_read() -> None:
    with pytest.raises(ProfileError, match="needs the date") as error:
        evaluate({"birth_date": "2008-06-01"})
    assert error.value.field == "birth_date"
    evaluator = Evaluator("article-2023")
    assert [type(r).__name__ for r in evaluator.evaluate_each(
        [{"birth_date": "2008"}, {"age_years": 3}])] == ["ProfileError", "Assessment"]
    assert evaluator.evaluate({"birth_date": "2008"}, as_of=JUNE).statuses() == \
        evaluator.evaluate_each([{"birth_date": "2008"}], as_of=JUNE)[0].statuses()  # type: ignore[union-attr]


def test_birth_date_must_agree_with_the_age_given() -> None:
    evaluate({"birth_date": "2008-06-01", "age_years": 18}, as_of=JUNE)
    evaluate({"birth_date": "2008-06-01", "age_months": 215}, as_of=JUNE)
    with pytest.raises(ProfileError, match="disagree"):
        evaluate({"birth_date": "2008-06-01", "age_years": 16}, as_of=JUNE)


def test_wait_counts_from_the_youngest_end() -> None:
    option = evaluate({"birth_date": "2008", "severity": "severe",
                       "topical_response": "inadequate"}, rules="article-2023",
                      as_of=JUNE).option("tralokinumab")
    (wait,) = [c for c in option.counterfactuals if c.criterion == "tralokinumab.adult"]
    # The youngest possible (born 2008-12-31) is 209 months 1 day: 18 in under 7 months,
    # promised at 7 months, never earlier.
    assert (wait.kind, wait.wait_months) == ("wait", 7)


@settings(max_examples=200, deadline=None)
@given(born=st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
       later=st.integers(0, 40000), precision=st.sampled_from((4, 7, 10)))
def test_partial_interval_holds_every_full_date(born: dt.date, later: int, precision: int) -> None:
    as_of = born + dt.timedelta(days=later)
    exact = _age(born.isoformat(), as_of)
    partial = _age(born.isoformat()[:precision], as_of)
    assert partial.low <= exact.low and exact.high <= partial.high
    for operator in age.AGE_OPERATORS:
        for threshold in (exact.low.numerator - 1, exact.low.numerator, exact.low.numerator + 1):
            decided = age.outcome(operator, max(0, threshold), partial)
            assert decided in ("unknown", age.outcome(operator, max(0, threshold), exact))


@settings(max_examples=200, deadline=None)
@given(born=st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
       first=st.integers(0, 40000), second=st.integers(0, 40000))
def test_calendar_age_is_monotone(born: dt.date, first: int, second: int) -> None:
    young, old = sorted((first, second))
    a = _age(born.isoformat(), born + dt.timedelta(days=young)).codes
    b = _age(born.isoformat(), born + dt.timedelta(days=old)).codes
    assert a <= b
