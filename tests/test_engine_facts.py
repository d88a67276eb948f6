"""A fact written a field at a time from remembered parts (``engine/facts.py``) is the
fact ``encode`` defines, byte for byte, whatever was remembered before it."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.engine.evaluation import evaluator_for
from eligibility.engine.facts import FactText, encode
from eligibility.model.profile import Profile
from eligibility.testing import profiles


def _defined(profile: Profile, keys: tuple[str, ...]) -> str:
    values = encode(profile)
    return ",".join(f'"{key}":{values[key]:d}' for key in keys)


@settings(max_examples=200, deadline=None)
@given(batch=st.lists(st.one_of(profiles(), profiles(as_of=dt.date(2026, 6, 1))), min_size=1,
                      max_size=20))
def test_a_fact_is_what_encode_defines(batch: list[Profile]) -> None:
    compiled = evaluator_for("article-2023").engine.compiled
    fresh = FactText(compiled.fact_keys)
    for _ in range(2):  # the second time, every part is remembered
        for profile in batch:
            assert fresh(profile) == _defined(profile, compiled.fact_keys)
            assert compiled.fact_text(profile) == _defined(profile, compiled.fact_keys)


def test_keys_not_side_by_side_are_written_one_by_one() -> None:
    compiled = evaluator_for("article-2023").engine.compiled
    shuffled = tuple(reversed(compiled.fact_keys))
    profile = Profile(age_years=30, severity="severe", allergies=["dust mite"], weight_kg=41.5)
    assert FactText(shuffled)(profile) == _defined(profile, shuffled)
