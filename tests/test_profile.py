"""Strict profile validation: wrong types, typos and impossible values name the field."""

from __future__ import annotations

import math

import pytest

from eligibility import Profile, ProfileError, evaluate
from eligibility.model.profile import parse_profile


@pytest.mark.parametrize(("data", "field", "fragment"), [
    ({"age_years": "9"}, "age_years", "valid number"),
    ({"age_years": True}, "age_years", "valid number"),
    ({"age_months": 6.5}, "age_months", "valid integer"),
    ({"age_years": math.nan}, "age_years", "finite"),
    ({"age_years": math.inf}, "age_years", "finite"),
    ({"age_years": -1}, "age_years", "greater than or equal to 0"),
    ({"age_years": 131}, "age_years", "less than or equal to 130"),
    ({"age_months": 131 * 12}, "age_months", "less than or equal"),
    ({"severity": "very bad"}, "severity", "'mild', 'moderate' or 'severe'"),
    ({"severity": 3}, "severity", "'mild'"),
    ({"allergy_eczema_link": "yes"}, "allergy_eczema_link", "valid boolean"),
    ({"allergy_eczema_link": 1}, "allergy_eczema_link", "valid boolean"),
    ({"allergies": "dust_mite"}, "allergies", "valid list"),
    ({"allergies": ["dust_mite", 4]}, "allergies.1", "valid string"),
    ({"allergies": [""]}, "allergies.0", "at least 1 character"),
    ({"id": "x" * 201}, "id", "at most 200"),
    ({"allergies": ["a"] * 65}, "allergies", "at most 64"),
    ({"weight_kg": 0}, "weight_kg", "greater than 0"),
])
def test_invalid_values_name_the_field(data: dict[str, object], field: str, fragment: str) -> None:
    with pytest.raises(ProfileError) as caught:
        evaluate(data)
    assert caught.value.field == field
    assert fragment in str(caught.value)


@pytest.mark.parametrize(("typo", "meant"), [
    ("sevrity", "severity"), ("agee", "age_years"), ("age", "age_years"),
    ("allergy", "allergies"), ("topical", "topical_response"),
])
def test_unknown_field_suggests_the_closest(typo: str, meant: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({typo: 1})
    assert caught.value.field == typo
    assert f"did you mean '{meant}'?" in str(caught.value)


def test_unknown_field_without_a_close_match_gets_no_guess() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({"zzzzzz": 1})
    assert "did you mean" not in str(caught.value)


@pytest.mark.parametrize("value", [[], "profile", 3, None, True])
def test_non_objects_are_rejected(value: object) -> None:
    with pytest.raises(ProfileError, match="must be a JSON object"):
        parse_profile(value)


def test_ages_must_agree_within_a_month() -> None:
    assert parse_profile({"age_years": 1.5, "age_months": 19}).age_in_months == 19
    with pytest.raises(ProfileError, match="disagree") as caught:
        parse_profile({"age_years": 1.5, "age_months": 20})
    assert caught.value.field == "age_years"


@pytest.mark.parametrize(("years", "months"), [(0.5, 6), (5, 60), (17.99, 215), (18, 216),
                                               (14 / 12, 14), (0.49, 5)])
def test_age_in_completed_months(years: float, months: int) -> None:
    assert Profile(age_years=years).age_in_months == months


def test_integer_years_are_numbers_and_free_text_allergies_are_kept() -> None:
    profile = parse_profile({"age_years": 7, "allergies": ["birch pollen"]})
    assert profile.age_years == 7.0
    assert profile.allergies == ["birch pollen"]


def test_profile_is_immutable() -> None:
    profile = Profile(age_years=3)
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error type
        profile.age_years = 4  # type: ignore[misc]


@pytest.mark.parametrize(("value", "meant"), [("Severe", "severe"), ("sever", "severe"),
                                              ("MODERATE", "moderate")])
def test_a_value_outside_the_vocabulary_gets_did_you_mean(value: str, meant: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({"severity": value})
    assert f"(did you mean '{meant}'?)" in str(caught.value)
    assert caught.value.suggestion == meant and caught.value.field == "severity"


def test_a_value_nothing_like_the_vocabulary_gets_no_guess() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({"topical_response": "xyz"})
    assert "did you mean" not in str(caught.value)
