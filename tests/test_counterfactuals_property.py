"""Property: for any profile and any option that is not a candidate, applying one
suggested change per blocking criterion yields a candidate, or the explanation says
why no change can; and every single suggested change meets its criterion.

Profiles come from the public ``eligibility.testing`` kit: anywhere in the space, or at
and around every threshold of the pack under test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from counterfactual_checks import check_assessment
from hypothesis import given
from hypothesis import strategies as st

from eligibility import evaluate, load_pack
from eligibility.engine.explanation import explain
from eligibility.testing import boundary_profiles, profiles

BOUNDS = Path(__file__).parent / "fixtures" / "bounds-pack"
#: Pack names or folders (strings, so a falsifying example prints short).
PACKS = ["article-2023", "us-labels-2026", str(BOUNDS)]


def _drawn(data: st.DataObject, rules: str) -> dict[str, Any]:
    """A profile from the public kit: anywhere, or at a threshold of this pack."""
    pack = load_pack(rules)
    profile = data.draw(st.one_of(profiles(rules=pack), boundary_profiles(rules=pack)))
    return profile.model_dump(exclude_none=True)


@pytest.mark.parametrize("rules", PACKS, ids=lambda rules: Path(rules).name)
@given(data=st.data())
def test_suggested_changes_are_checked_by_the_engine(rules: str, data: st.DataObject) -> None:
    pack = load_pack(rules)
    profile = _drawn(data, rules)
    check_assessment(profile, evaluate(profile, rules=pack), pack)


@pytest.mark.parametrize("rules", PACKS, ids=lambda rules: Path(rules).name)
@given(data=st.data())
def test_explanation_confirms_or_says_why_not(rules: str, data: st.DataObject) -> None:
    profile = _drawn(data, rules)
    for option in explain(profile, rules=load_pack(rules)).options:
        if option.option.status == "candidate":
            assert option.changes == () and option.combined is None
            continue
        # A change a clinician must enter (which allergens) has no patch to check.
        assert all(checked.verified is (True if checked.change.possible
                                        and checked.change.kind != "enter" else None)
                   for checked in option.changes)
        if any(checked.change.kind == "enter" for checked in option.changes):
            assert option.combined is None
        elif option.impossible:
            assert option.combined is None
            for rule_id in option.impossible:
                assert all(c.kind == "never" for c in option.option.counterfactuals
                           if c.criterion == rule_id)
        else:
            assert option.combined_status == "candidate", (option.combined, option.changes)
