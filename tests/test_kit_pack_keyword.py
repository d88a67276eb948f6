"""The testing kit takes its rule pack as ``rules=``, the keyword ``evaluate`` takes.

``rulepack=``, which half the kit's functions used to take, still works as a deprecated
alias: same pack, same answers, and a ``DeprecationWarning`` naming the function.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.strategies import SearchStrategy

from eligibility import Profile, evaluate
from eligibility.testing import (
    assert_agrees_with_reference,
    assert_deterministic,
    assert_dropping_never_creates_candidate,
    assert_invariants,
    assert_label_limits,
    assert_label_limits_at_all_ages,
    assert_monotone_in_age,
    assert_unknown_never_not_met,
    assert_well_formed,
    boundary_profiles,
    profiles,
)

PACK = "us-labels-2026"
PATIENT = Profile(age_years=13, severity="severe", topical_response="inadequate", weight_kg=39.5)
ASSESSED = evaluate(PATIENT, rules=PACK)

CHECKS: dict[str, Callable[..., None]] = {
    "assert_well_formed": lambda **pack: assert_well_formed(ASSESSED, **pack),
    "assert_unknown_never_not_met":
        lambda **pack: assert_unknown_never_not_met(PATIENT, ASSESSED, **pack),
    "assert_label_limits": lambda **pack: assert_label_limits(PATIENT, ASSESSED, **pack),
    "assert_agrees_with_reference":
        lambda **pack: assert_agrees_with_reference(PATIENT, ASSESSED, **pack),
    "assert_label_limits_at_all_ages":
        lambda **pack: assert_label_limits_at_all_ages(PATIENT, **pack),
    "assert_monotone_in_age": lambda **pack: assert_monotone_in_age(PATIENT, "lebrikizumab", **pack),
    "assert_dropping_never_creates_candidate":
        lambda **pack: assert_dropping_never_creates_candidate(PATIENT, **pack),
    "assert_deterministic": lambda **pack: assert_deterministic(PATIENT, **pack),
    "assert_invariants": lambda **pack: assert_invariants(PATIENT, **pack),
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_check_takes_rules_and_the_deprecated_rulepack(name: str) -> None:
    check = CHECKS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rules= never warns
        check(rules=PACK)
    with pytest.warns(DeprecationWarning, match=rf"{name}\(rulepack=...\) is deprecated"):
        check(rulepack=PACK)
    with pytest.raises(TypeError, match="both rules= and rulepack="):
        check(rules=PACK, rulepack=PACK)


def test_the_alias_really_chooses_the_pack() -> None:
    """An assessment made with another pack fails the default pack's check, and passes
    when either keyword names the pack it was made with."""
    with pytest.raises(AssertionError, match="made with pack us-labels-2026"):
        assert_well_formed(ASSESSED)
    assert_well_formed(ASSESSED, rules=PACK)
    with pytest.warns(DeprecationWarning):
        assert_well_formed(ASSESSED, rulepack=PACK)


def _draws(strategy: SearchStrategy[Profile]) -> list[str]:
    seen: list[str] = []

    @settings(derandomize=True, max_examples=30, database=None)
    @given(strategy)
    def collect(profile: Profile) -> None:
        seen.append(profile.model_dump_json())

    collect()
    return seen


@pytest.mark.parametrize("make", [profiles, boundary_profiles], ids=lambda f: f.__name__)
def test_strategies_draw_the_same_profiles_under_either_keyword(
        make: Callable[..., SearchStrategy[Profile]]) -> None:
    by_rules = _draws(make(rules=PACK))
    with pytest.warns(DeprecationWarning, match=rf"{make.__name__}\(rulepack=...\)"):
        aliased: Any = make(rulepack=PACK)
    assert _draws(aliased) == by_rules
    assert _draws(make()) != by_rules  # the default pack draws differently: the pack counts
    with pytest.raises(TypeError, match="both rules= and rulepack="):
        make(rules=PACK, rulepack=PACK)
