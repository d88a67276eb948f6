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
from eligibility.model.fields import AGE_MONTHS, AGE_YEARS, FIELDS, REFERENCE_FIELDS, RuleField
from eligibility.model.profile import parse_profile
from eligibility.testing import assert_agrees_with_reference, assert_well_formed

PACKS = available_packs()


def _agree(pack: RulePack, profile: Profile) -> None:
    assessment = evaluate(profile, rules=pack)
    assert_agrees_with_reference(profile, assessment, pack)  # every criterion's outcome
    assert_well_formed(assessment, pack)  # every status follows from its reasons


def random_profile(rng: random.Random) -> Profile:
    """Profiles with every field of the registry independently present or missing, ages
    dense near limits; a field added to the registry is drawn without a change here."""
    data: dict[str, object] = {}
    for name in REFERENCE_FIELDS:
        if rng.random() < 0.5:
            data[name] = f"r{rng.randint(0, 9999)}"
    for entry in FIELDS.values():
        if rng.random() < 0.8:
            data.update(_value(rng, entry))
    return parse_profile(data)


def _value(rng: random.Random, entry: RuleField) -> dict[str, object]:
    if entry.kind == "age":
        if rng.random() < 0.5:
            return {AGE_MONTHS: rng.choice([rng.randint(0, 300), rng.randint(0, int(entry.high))])}
        return {AGE_YEARS: round(rng.uniform(0, entry.high / 12), rng.choice([0, 1, 3]))}
    if entry.kind == "category":
        return {entry.name: rng.choice(entry.vocabulary)}
    if entry.kind in ("list", "allergy"):
        return {entry.name: rng.sample(entry.examples, rng.randint(0, min(3, len(entry.examples))))}
    if entry.kind == "boolean":
        return {entry.name: rng.random() < 0.5}
    low, high = entry.typical or (entry.low, entry.high)
    number = round(rng.uniform(low, high), rng.choice([0, 1, 3]))
    return {entry.name: number} if entry.low < number <= entry.high else {}


@pytest.mark.parametrize("pack", PACKS, ids=lambda pack: pack.name)
def test_engine_agrees_with_reference_on_worked_cases(pack: RulePack) -> None:
    for case in pack.cases:
        _agree(pack, parse_profile(case.profile).dated(case.as_of))


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
