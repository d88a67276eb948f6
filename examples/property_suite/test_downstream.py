"""A downstream property suite: copy this file into your own project's tests.

It tests a small piece of "your" code (``portal_summary``, a line a patient portal might
show) with nothing but ``hypothesis`` and the public kit ``eligibility.testing``. Needs
``pip install 'eligibility[test]'``; does not rely on this repository's conftest.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility import Profile, ProfileError, evaluate
from eligibility.testing import (
    InvalidProfile,
    assert_invariants,
    assert_label_limits,
    boundary_profiles,
    invalid_profiles,
    profiles,
    register_profiles,
)

register_profiles()  # dev / ci / thorough, picked by HYPOTHESIS_PROFILE (ci when CI is set)


def portal_summary(record: Mapping[str, object]) -> str:
    """Your code: the options a patient may be a candidate for, for a portal page."""
    assessment = evaluate(record)
    names = [option.name for option in assessment.options if option.status == "candidate"]
    return "; ".join(names) if names else "no option yet"


@given(profiles())
def test_the_aid_keeps_its_invariants(profile: Profile) -> None:
    assert_invariants(profile)


@given(boundary_profiles())
def test_summary_lists_exactly_the_candidates_within_label_limits(profile: Profile) -> None:
    summary = portal_summary(profile.model_dump(mode="json", exclude_none=True))
    assessment = evaluate(profile)
    assert_label_limits(profile, assessment)
    for option in assessment.options:
        assert (option.name in summary) == (option.status == "candidate"), option.id


@given(profiles(severity="mild"))
def test_mild_eczema_is_never_a_candidate(profile: Profile) -> None:
    assert portal_summary(profile.model_dump(mode="json", exclude_none=True)) == "no option yet"


@given(st.from_type(Profile))
def test_any_profile_gets_a_summary(profile: Profile) -> None:
    assert portal_summary(profile.model_dump(mode="json", exclude_none=True))


@given(invalid_profiles())
def test_bad_records_are_refused_naming_the_field(bad: InvalidProfile) -> None:
    with pytest.raises(ProfileError) as caught:
        portal_summary(bad.data)
    assert caught.value.field == bad.field
