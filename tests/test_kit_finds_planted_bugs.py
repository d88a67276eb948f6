"""The kit's promise, demonstrated: a user's tests built only on ``eligibility.testing``
and ``hypothesis`` catch a rule threshold moved by a year, within the default budget.

The planted bug is a copy of the default pack whose tralokinumab rule says adults start
at 17. The user's tests below check the aid (here: the buggy pack) against the reference
pack's limits; Hypothesis must find a counterexample in 100 examples, its default.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis.strategies import SearchStrategy

from eligibility import Profile, RulePack, evaluate, load_pack
from eligibility.testing import (
    assert_label_limits_at_all_ages,
    boundary_profiles,
    profiles,
)

RULES = Path(__file__).resolve().parents[1] / "rules"


@pytest.fixture(scope="module")
def adults_at_17(tmp_path_factory: pytest.TempPathFactory) -> RulePack:
    folder = tmp_path_factory.mktemp("planted") / "article-2023"
    shutil.copytree(RULES / "article-2023", folder)
    rule = folder / "options" / "tralokinumab.toml"
    text = rule.read_text()
    assert 'at_least = "18 years"' in text
    rule.write_text(text.replace('at_least = "18 years"', 'at_least = "17 years"'))
    pack = load_pack(folder)
    assert evaluate({"age_years": 17.5, "severity": "severe", "topical_response": "inadequate"},
                    rules=pack).option("tralokinumab").status == "candidate"
    return pack


def _users_test(strategy: SearchStrategy[Profile],
                check: Callable[[Profile], None]) -> Callable[[], None]:
    """A test as a user writes it, at Hypothesis's default budget of 100 examples."""
    @settings(max_examples=100, database=None, derandomize=True)
    @given(strategy)
    def test(profile: Profile) -> None:
        check(profile)
    return test


@pytest.mark.parametrize("name", ["label limits at all ages on profiles",
                                  "label limits at all ages on boundary profiles"])
def test_the_kit_catches_adults_at_17(adults_at_17: RulePack, name: str) -> None:
    reference = load_pack("article-2023")
    checks: dict[str, tuple[SearchStrategy[Profile], Callable[[Profile], None]]] = {
        "label limits at all ages on profiles": (
            profiles(),
            lambda p: assert_label_limits_at_all_ages(p, adults_at_17, reference)),
        "label limits at all ages on boundary profiles": (
            boundary_profiles(reference),
            lambda p: assert_label_limits_at_all_ages(p, adults_at_17, reference)),
    }
    strategy, check = checks[name]
    with pytest.raises(AssertionError, match="tralokinumab"):
        _users_test(strategy, check)()


def test_the_same_checks_pass_on_the_real_pack() -> None:
    reference = load_pack("article-2023")
    _users_test(boundary_profiles(reference),
                lambda p: assert_label_limits_at_all_ages(p, reference, reference))()
