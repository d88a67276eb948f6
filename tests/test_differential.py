"""The engine against an independent reference reading of the rules, on many profiles.

The reference is the testing kit's (``eligibility.testing``): it reads each test's meaning
straight from the pack, never through the compiler, the engine or ``decide.py``. If
durable-rules, the fact encoding or the three-valued combination ever disagrees with it,
this test names the profile, the option and the criterion.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility import Profile, RulePack, available_packs, evaluate
from eligibility.model.profile import CATEGORIES, KNOWN_ALLERGIES, parse_profile
from eligibility.testing import assert_agrees_with_reference, assert_well_formed

PACKS = available_packs()


def _agree(pack: RulePack, profile: Profile) -> None:
    assessment = evaluate(profile, rules=pack)
    assert_agrees_with_reference(profile, assessment, pack)  # every criterion's outcome
    assert_well_formed(assessment, pack)  # every status follows from its reasons


def random_profile(rng: random.Random) -> Profile:
    """Profiles with every field independently present or missing, ages dense near limits."""
    data: dict[str, object] = {}
    if rng.random() < 0.8:
        if rng.random() < 0.5:
            data["age_months"] = rng.choice([rng.randint(0, 300), rng.randint(0, 1560)])
        else:
            data["age_years"] = round(rng.uniform(0, 130), rng.choice([0, 1, 3]))
    for field, values in CATEGORIES.items():
        if rng.random() < 0.8:
            data[field] = rng.choice(values)
    if rng.random() < 0.8:
        data["allergies"] = rng.sample(KNOWN_ALLERGIES, rng.randint(0, 3))
    if rng.random() < 0.8:
        data["allergy_eczema_link"] = rng.random() < 0.5
    if rng.random() < 0.5:
        data["weight_kg"] = round(rng.uniform(2, 150), rng.choice([0, 1, 3]))
    return Profile.model_validate(data)


@pytest.mark.parametrize("pack", PACKS, ids=lambda pack: pack.name)
def test_engine_agrees_with_reference_on_worked_cases(pack: RulePack) -> None:
    for case in pack.cases:
        _agree(pack, parse_profile(case.profile))


@pytest.mark.parametrize("pack", PACKS, ids=lambda pack: pack.name)
def test_engine_agrees_with_reference_on_5000_seeded_profiles(pack: RulePack) -> None:
    rng = random.Random(20261125)
    for _ in range(5000):
        _agree(pack, random_profile(rng))


@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_engine_agrees_with_reference_on_generated_profiles(seed: int) -> None:
    rng = random.Random(seed)
    for pack in PACKS:
        _agree(pack, random_profile(rng))
