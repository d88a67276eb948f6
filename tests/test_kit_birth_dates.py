"""The testing kit draws birth dates with the date they are read on (issue 11, "Ages").

Opt-in (``profiles(as_of=...)``): a drawn profile is dated on its ``as_of``, so
``evaluate(profile)`` reads its birth_date on that day, and every invariant holds.
Without ``as_of`` no birth_date is drawn (profiles turned into JSON would lose the date).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from eligibility import evaluate
from eligibility.model.profile import Profile
from eligibility.testing import (
    assert_agrees_with_reference,
    assert_label_limits,
    assert_label_limits_at_all_ages,
    assert_unknown_never_not_met,
    assert_well_formed,
    profiles,
)

JUNE = dt.date(2026, 6, 1)


@settings(max_examples=150, deadline=None)
@given(profiles(rules="article-2023", as_of=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))))
def test_birth_date_draws_carry_their_date_and_keep_the_invariants(profile: Profile) -> None:
    assert profile.as_of is not None
    assessment = evaluate(profile, rules="article-2023")
    assert assessment.as_of == profile.as_of
    assert_well_formed(assessment, "article-2023")
    assert_unknown_never_not_met(profile, assessment, "article-2023")
    assert_label_limits(profile, assessment, "article-2023")
    assert_agrees_with_reference(profile, assessment, "article-2023")
    assert_label_limits_at_all_ages(profile, "article-2023")


def test_every_precision_is_drawn_and_none_without_as_of() -> None:
    for length in (4, 7, 10):
        found = find(profiles(as_of=JUNE),
                     lambda profile, n=length: len(profile.birth_date or "") == n,  # type: ignore[misc]
                     settings=settings(max_examples=5000, database=None))
        assert found.as_of == JUNE

    @settings(max_examples=100, deadline=None)
    @given(profiles())
    def plain(profile: Profile) -> None:
        assert profile.birth_date is None and profile.as_of is None

    plain()


def test_a_fixed_birth_date_needs_as_of() -> None:
    with pytest.raises(InvalidArgument, match="needs as_of"):
        profiles(birth_date="2008")
