"""Counterfactuals: derived from the rules, ordered smallest first, and each one checked
by applying its patch and evaluating again (for every worked case and a test-only pack
with upper age bounds and every operator)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from counterfactual_checks import check_assessment, check_combined

from eligibility import Assessment, RulePack, available_packs, evaluate, load_pack
from eligibility.cli import main
from eligibility.engine.counterfactual import apply_patch, combined_patch
from eligibility.rulepack import WorkedCase

BOUNDS = Path(__file__).parent / "fixtures" / "bounds-pack"
PACK_CASES = [(pack, case) for pack in available_packs() for case in pack.cases]


#: The checker re-evaluates patched profiles as JSON, without a date: cases with a
#: birth_date (and so an as_of) have their changes checked in test_ages_birth_date.py.
UNDATED = [(pack, case) for pack, case in PACK_CASES if case.as_of is None]


@pytest.mark.parametrize(("pack", "case"), UNDATED,
                         ids=[f"{pack.name}:{case.name}" for pack, case in UNDATED])
def test_every_worked_case_counterfactual_is_checked_by_the_engine(
        pack: RulePack, case: WorkedCase) -> None:
    check_assessment(case.profile, evaluate(case.profile, rules=pack, as_of=case.as_of), pack)


def test_teen_and_adults_only_option_waits_two_years() -> None:
    option = evaluate({"age_years": 16, "severity": "severe",
                       "topical_response": "inadequate"}).option("tralokinumab")
    [change] = option.counterfactuals
    assert (change.kind, change.eligible_at_months, change.wait_months) == ("wait", 216, 24)
    assert change.change == "at 18 years, in 2 years"
    assert change.needed == "18 years or older"
    assert "16 years" in change.sentence and "in 2 years" in change.sentence
    assert change.patch == {"age_months": 216, "age_years": None, "birth_date": None}


@pytest.mark.parametrize(("profile", "eligible", "when"), [
    ({"age_months": 60}, 61, "at 5 years 1 month, in 1 month"),      # "older than": +1 month
    ({"age_years": 4.5}, 61, "at 5 years 1 month, in 7 months"),
    ({"age_years": 2}, 61, "at 5 years 1 month, in 3 years 1 month"),
])
def test_above_threshold_is_met_one_month_later(profile: dict[str, object], eligible: int,
                                                when: str) -> None:
    option = evaluate({**profile, "severity": "severe", "topical_response": "inadequate",
                       "allergies": ["pollen"], "allergy_eczema_link": True}
                      ).option("allergen_immunotherapy")
    [change] = option.counterfactuals
    assert change.eligible_at_months == eligible and change.change == when


def test_fractional_age_counts_completed_months() -> None:
    option = evaluate({"age_years": 17.5, "severity": "severe",
                       "topical_response": "inadequate"}).option("tralokinumab")
    assert option.counterfactuals[0].change == "at 18 years, in 6 months"


def test_upper_bound_already_passed_can_never_be_met() -> None:
    pack = load_pack(BOUNDS)
    option = evaluate({"age_years": 70, "severity": "severe", "topical_response": "inadequate"},
                      rules=pack).option("youth_trial")
    [change] = option.counterfactuals
    assert change.criterion == "youth_trial.max_age"
    assert (change.kind, change.possible, change.patch) == ("never", False, {})
    assert "never" in change.sentence and "70 years" in change.sentence
    assert combined_patch(option) is None


def test_unknown_age_with_an_upper_bound_is_filled_in_below_it() -> None:
    pack = load_pack(BOUNDS)
    profile: dict[str, object] = {"severity": "severe", "topical_response": "inadequate"}
    option = evaluate(profile, rules=pack).option("youth_trial")
    kinds = {c.criterion: (c.kind, c.eligible_at_months) for c in option.counterfactuals}
    assert kinds == {"youth_trial.min_age": ("fill_in", 24),
                     "youth_trial.max_age": ("fill_in", 143)}
    check_assessment(profile, evaluate(profile, rules=pack), pack)


def test_unsatisfiable_age_says_no_change_can() -> None:
    pack = load_pack(BOUNDS)
    for profile in ({}, {"age_months": 3}):
        [change] = evaluate(profile, rules=pack).option("never_open").counterfactuals
        assert (change.kind, change.possible) == ("never", False)


def test_categorical_lists_every_value_that_would_satisfy() -> None:
    pack = load_pack(BOUNDS)
    option = evaluate({"age_years": 6, "severity": "severe", "topical_response": "adequate"},
                      rules=pack).option("youth_trial")
    [change] = option.counterfactuals
    assert change.values == ("inadequate", "not_advisable")
    assert change.needed == "inadequate or not advisable"
    assert change.sentence == ("Met if topical response were inadequate or not advisable "
                               "(it is adequate).")


def test_smallest_change_first_fill_in_then_change_then_shorter_wait() -> None:
    pack = load_pack(BOUNDS)
    profile: dict[str, object] = {"age_years": 10, "severity": "moderate", "conditions": ["asthma"],
                                  "allergy_eczema_link": True, "topical_response": "inadequate"}
    option = evaluate(profile, rules=pack).option("adult_study")
    order = [(c.kind, c.criterion) for c in option.counterfactuals]
    assert order == [
        ("fill_in", "adult_study.weight"),
        ("change", "adult_study.severe"),
        ("change", "adult_study.two_conditions"),
        ("change", "adult_study.no_allergy_link"),
        ("wait", "adult_study.older_than_18"),   # 8 years 1 month away
        ("wait", "adult_study.at_least_21"),     # 11 years away
    ]
    waits = [c.wait_months for c in option.counterfactuals if c.kind == "wait"]
    assert waits == [97, 132]
    two = next(c for c in option.counterfactuals if c.criterion == "adult_study.two_conditions")
    assert two.patch == {"conditions": ("asthma", "condition 2")}
    check_assessment(profile, evaluate(profile, rules=pack), pack)


def test_combined_patch_reconciles_overlapping_rules() -> None:
    pack = load_pack(BOUNDS)
    profile: dict[str, object] = {"age_years": 10}
    option = evaluate(profile, rules=pack).option("adult_study")
    combined = combined_patch(option)
    assert combined is not None
    # moderate-or-severe and severe-only agree on severe; two lower bounds take the later.
    assert combined["severity"] == "severe" and combined["age_months"] == 252
    check_combined(profile, option, pack)


def test_any_of_lists_each_alternative() -> None:
    profile = {"age_years": 40, "severity": "severe", "topical_response": "adequate",
               "systemic_response": "not_tried", "allergy_eczema_link": False,
               "conditions": ["asthma", "hay_fever"], "weight_kg": 70}
    option = evaluate(profile, rules=load_pack(BOUNDS)).option("adult_study")
    assert [(c.field, c.kind) for c in option.counterfactuals] == [
        ("topical_response", "change"), ("systemic_response", "change")]


def test_apply_patch_null_removes_a_field() -> None:
    assert apply_patch({"age_years": 3, "severity": "mild"},
                       {"age_years": None, "age_months": 40}) == {"severity": "mild",
                                                                  "age_months": 40}


def test_output_schema_documents_counterfactuals(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--output"]) == 0
    schema = json.loads(capsys.readouterr().out)
    counterfactual = schema["$defs"]["Counterfactual"]
    for name in ("criterion", "field", "kind", "needed", "values", "eligible_at_months",
                 "wait_months", "change", "sentence", "possible", "patch"):
        assert counterfactual["properties"][name].get("description"), name
    assert "smallest change first" in counterfactual["description"]
    option = schema["$defs"]["OptionAssessment"]["properties"]["counterfactuals"]
    assert "smallest change first" in option["description"]


def test_counterfactuals_are_in_the_json_record() -> None:
    record = evaluate({"age_years": 16, "severity": "severe", "topical_response": "inadequate"}
                      ).model_dump(mode="json")
    tralokinumab = next(o for o in record["options"] if o["id"] == "tralokinumab")
    assert tralokinumab["counterfactuals"][0]["patch"] == {"age_months": 216, "age_years": None,
                                                           "birth_date": None}
    json.dumps(record)  # JSON-ready
    again = Assessment.model_validate(record).option("tralokinumab")
    assert again.counterfactuals[0].wait_months == 24


def test_apply_patch_never_shares_a_patch_list() -> None:
    patch: dict[str, object] = {"allergies": ["allergy 1"]}
    merged = apply_patch({}, patch)  # type: ignore[arg-type]
    merged["allergies"].append("x")  # type: ignore[attr-defined]
    assert patch == {"allergies": ["allergy 1"]}
