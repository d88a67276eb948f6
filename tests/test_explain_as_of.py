"""``explain(..., as_of=)``: a profile with a birth_date is explained on its assessment date.

Each suggested change is evaluated again on a changed copy of the profile, which keeps
the birth_date; without the date passed on, checking a change to another field (weight,
allergies) raised "birth_date needs the date of the assessment". The clinician page
explains what a clinician types, date of birth included.
"""

from __future__ import annotations

import datetime as dt

from eligibility import explain

TEEN = {"birth_date": "2010-05-01", "severity": "severe", "topical_response": "inadequate"}
ON = dt.date(2026, 12, 2)


def test_changes_of_a_birth_date_profile_are_checked_on_the_same_date() -> None:
    explained = explain(TEEN, as_of=ON)
    options = {item.option.id: item for item in explained.options}
    assert options["tralokinumab"].option.status == "not_candidate"
    changes = [change for item in explained.options for change in item.changes]
    # Every change with a patch is checked on the same date; one without (allergens, for a
    # clinician to enter) has nothing to check.
    assert all(change.verified for change in changes if change.change.patch)
    assert {change.change.kind for change in changes if not change.change.patch} <= {"enter", "never"}
    assert options["lebrikizumab"].changes[0].change.field == "weight_kg"


def test_the_comparisons_read_the_age_from_the_birth_date() -> None:
    adbry = explain(TEEN, as_of=ON, option="tralokinumab").options[0]
    age = [view for view in adbry.criteria if "years or older" in view.reason.title]
    assert age[0].comparisons == ("age 16 years 7 months 1 day — rule: 18 years or older",)
