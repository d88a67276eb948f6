"""Property: for any profile and any option that is not a candidate, applying one
suggested change per blocking criterion yields a candidate, or the explanation says
why no change can; and every single suggested change meets its criterion.

The profile strategy is local on purpose (the public ``eligibility.testing`` kit is
being built elsewhere); it leans on ages near every threshold of both packs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from counterfactual_checks import check_assessment
from hypothesis import given
from hypothesis import strategies as st

from eligibility import evaluate, load_pack
from eligibility.explanation import explain
from eligibility.profile import CATEGORIES, KNOWN_ALLERGIES, KNOWN_CONDITIONS, MAX_AGE_YEARS

BOUNDS = Path(__file__).parent / "fixtures" / "bounds-pack"
#: Pack names or folders (strings, so a falsifying example prints short).
PACKS = ["article-2023", str(BOUNDS)]
#: Months on and beside every age threshold in the two packs (6 months ... 65 years).
NEAR_THRESHOLDS = sorted({m + d for m in (6, 24, 60, 144, 216, 252, 780) for d in (-1, 0, 1)})

_ITEMS = st.one_of(st.sampled_from(KNOWN_ALLERGIES + KNOWN_CONDITIONS),
                   st.text(st.characters(categories=("L", "N", "P")), min_size=1, max_size=12)
                   .filter(lambda text: text.lower() not in {"none", "no", "na", "nil", "nothing",
                                                             "unknown", "?"}))
_AGE = st.one_of(
    st.just({}),
    st.builds(lambda months: {"age_months": months},
              st.one_of(st.sampled_from(NEAR_THRESHOLDS), st.integers(0, MAX_AGE_YEARS * 12))),
    st.builds(lambda years: {"age_years": years},
              st.floats(0, MAX_AGE_YEARS, allow_nan=False, allow_infinity=False)),
)
_FIELDS = st.fixed_dictionaries({}, optional={
    "severity": st.sampled_from(CATEGORIES["severity"]),
    "topical_response": st.sampled_from(CATEGORIES["topical_response"]),
    "systemic_response": st.sampled_from(CATEGORIES["systemic_response"]),
    "allergies": st.lists(_ITEMS, max_size=3),
    "allergy_eczema_link": st.booleans(),
    "conditions": st.lists(_ITEMS, max_size=2),
    "weight_kg": st.floats(1, 500, allow_nan=False, allow_infinity=False),
})


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    return {**draw(_AGE), **draw(_FIELDS)}


@pytest.mark.parametrize("rules", PACKS, ids=lambda rules: Path(rules).name)
@given(profile=profiles())
def test_suggested_changes_are_checked_by_the_engine(rules: str, profile: dict[str, Any]) -> None:
    pack = load_pack(rules)
    check_assessment(profile, evaluate(profile, rules=pack), pack)


@pytest.mark.parametrize("rules", PACKS, ids=lambda rules: Path(rules).name)
@given(profile=profiles())
def test_explanation_confirms_or_says_why_not(rules: str, profile: dict[str, Any]) -> None:
    for option in explain(profile, rules=load_pack(rules)).options:
        if option.option.status == "candidate":
            assert option.changes == () and option.combined is None
            continue
        assert all(checked.verified is (True if checked.change.possible else None)
                   for checked in option.changes)
        if option.impossible:
            assert option.combined is None
            for rule_id in option.impossible:
                assert all(c.kind == "never" for c in option.option.counterfactuals
                           if c.criterion == rule_id)
        else:
            assert option.combined_status == "candidate", (option.combined, option.changes)
