"""The testing kit itself: its API, its strategies' reach, and that its checks can fail."""

from __future__ import annotations

import importlib.metadata
import math
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

import eligibility.testing as kit
from eligibility import Assessment, Profile, ProfileError, evaluate, load_pack
from eligibility.model.profile import PROFILE_FIELDS, parse_profile
from eligibility.rulepack import RulePack
from eligibility.testing import (
    InvalidProfile,
    assert_invariants,
    assert_label_limits,
    assert_unknown_never_not_met,
    assert_well_formed,
    boundary_profiles,
    invalid_profiles,
    profiles,
)

RULES = Path(__file__).resolve().parents[1] / "rules"


def test_exported_names_are_pinned() -> None:
    assert sorted(kit.__all__) == kit.__all__
    assert kit.__all__ == [
        "FhirCase", "InvalidProfile", "JsonlBatch", "ProfileFile", "Record",
        "assert_agrees_with_reference", "assert_deterministic",
        "assert_dropping_never_creates_candidate", "assert_invariants", "assert_label_limits",
        "assert_label_limits_at_all_ages", "assert_monotone_in_age",
        "assert_unknown_never_not_met", "assert_well_formed", "boundary_profiles",
        "fhir_bundles", "invalid_profiles", "jsonl_batches", "profile_files", "profiles",
        "register_profiles", "restyled",
    ]
    for name in kit.__all__:
        assert hasattr(kit, name), name


def test_importing_the_package_does_not_import_hypothesis() -> None:
    code = ("import sys, eligibility; "
            "print('hypothesis' in sys.modules, 'eligibility.testing' in sys.modules)")
    env = {**os.environ, "HYPOTHESIS_NO_PLUGINS": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout.split()
    assert out == ["False", "False"]


def test_the_hypothesis_entry_point_is_declared() -> None:
    hooks = [entry for entry in importlib.metadata.entry_points(group="hypothesis")
             if entry.value.startswith("eligibility.")]
    hook = "eligibility.testing._plugin:_hypothesis_setup_hook"
    assert [entry.value for entry in hooks] == [hook]
    assert callable(hooks[0].load())


@given(st.from_type(Profile))
def test_from_type_draws_valid_profiles_through_the_plugin(profile: Profile) -> None:
    assert isinstance(profile, Profile)
    assert parse_profile(profile.model_dump(exclude_none=True)) == profile


@given(profiles())
def test_profiles_are_valid_and_survive_json(profile: Profile) -> None:
    assert Profile.model_validate_json(profile.model_dump_json()) == profile
    assert parse_profile(profile.model_dump(mode="json", exclude_none=True)) == profile


@given(profiles(severity="severe", age_years=None, allergies=st.just(["pollen"])))
def test_fixed_fields_are_honoured(profile: Profile) -> None:
    assert profile.severity == "severe"
    assert profile.age_years is None
    assert profile.allergies == ["pollen"]


@given(profiles(complete=True))
def test_complete_profiles_have_every_field(profile: Profile) -> None:
    # birth_date needs an as_of, which the kit's profiles do not carry: ages are in years/months.
    assert set(profile.known_fields()) >= set(PROFILE_FIELDS) - {"age_years", "age_months",
                                                                 "birth_date"}
    assert profile.age is not None


@given(profiles(complete=True, age_years=16.5))
def test_fixing_one_age_field_keeps_the_other_consistent(profile: Profile) -> None:
    assert profile.age_years == 16.5
    assert profile.age_months in (None, 198)


@pytest.mark.parametrize(("fixed", "fragment"), [
    ({"sevrity": "severe"}, "did you mean 'severity'?"),
    ({"severity": "awful"}, "severity"),
    ({"age_years": "9"}, "age_years"),
])
def test_bad_fixed_fields_fail_at_once_naming_the_field(fixed: dict[str, object],
                                                        fragment: str) -> None:
    with pytest.raises(InvalidArgument, match=fragment):
        profiles(**fixed)


def test_profiles_reach_every_status_of_every_option_often() -> None:
    seen: Counter[tuple[str, str]] = Counter()
    runs = Counter[str]()

    @settings(max_examples=200, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(profiles())
    def collect(profile: Profile) -> None:
        runs["n"] += 1
        for option in evaluate(profile).options:
            seen[(option.id, option.status)] += 1

    collect()
    for option_id in load_pack("article-2023").option_ids:
        for status in ("candidate", "not_candidate", "needs_information"):
            share = seen[(option_id, status)] / runs["n"]
            assert share >= 0.04, (option_id, status, share)


@given(invalid_profiles())
def test_invalid_profiles_are_rejected_naming_their_field(bad: InvalidProfile) -> None:
    with pytest.raises(ProfileError) as caught:
        evaluate(bad.data)
    assert caught.value.field == bad.field, (bad.problem, str(caught.value))


def _pack_with(tmp_path: Path, option: str, extra: str) -> RulePack:
    """A copy of the default pack with TOML text appended to one option's file."""
    folder = tmp_path / "variant"
    for source in (RULES / "article-2023").rglob("*.toml"):
        target = folder / source.relative_to(RULES / "article-2023")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text())
    path = folder / "options" / f"{option}.toml"
    path.write_text(path.read_text() + extra)
    return load_pack(folder)


@pytest.mark.parametrize("pack_name", ["article-2023"])
def test_boundary_profiles_exercise_every_threshold_of_the_pack(pack_name: str) -> None:
    _assert_every_threshold_exercised(load_pack(pack_name))


def test_a_new_rules_threshold_is_covered_without_code_changes(tmp_path: Path) -> None:
    pack = _pack_with(tmp_path, "nemolizumab", """
[[criteria]]
id = "nemolizumab.weight"
title = "Weighs at least 27.5 kg"
rationale = "A made-up limit for this test."
source = { document = "article", section = "Monoclonal antibodies in research" }
evidence = "investigational"
test = { field = "weight_kg", min_value = 27.5 }

[[criteria]]
id = "nemolizumab.young"
title = "Aged 40 years or younger"
rationale = "A made-up upper limit for this test."
source = { document = "article", section = "Monoclonal antibodies in research" }
evidence = "investigational"
test = { field = "age", at_most = "40 years" }
""")
    # The profile on the new limit is one the search below drew (a second, randomised
    # search for it with the default 100 examples missed it about 1 run in 100).
    on_the_limit = _assert_every_threshold_exercised(pack)[("weight_kg", 27.5)]
    assert on_the_limit.weight_kg == 27.5
    reasons = evaluate(on_the_limit, rules=pack).option("nemolizumab").reasons
    assert {r.criterion: r.outcome for r in reasons}["nemolizumab.weight"] == "met"

    # Derandomised like the search above, so every run checks the same 50 profiles. The
    # invariants once failed on a random draw (age_years and age_months that agree widened
    # the age interval); that is fixed in model/age.py and pinned by test_ages_exact.py, and
    # 2,000 random draws of this strategy pass (checked when this comment was written).
    @settings(max_examples=50, database=None, derandomize=True)
    @given(st.one_of(profiles(rules=pack), boundary_profiles(pack)))
    def invariants_hold_for_the_new_pack(profile: Profile) -> None:
        assert_invariants(profile, pack)

    invariants_hold_for_the_new_pack()


def _assert_every_threshold_exercised(pack: RulePack) -> dict[tuple[str, object], Profile]:
    """Each numeric threshold read from the pack, and one unit either side, is drawn;
    returns the first profile drawn with each of those values.

    Derandomised, so every run draws the same profiles: it needs ~350 draws (at most
    ~900 in 100 random runs) of the 3,000 it may use, and a run can never be unlucky.
    """
    wanted: set[tuple[str, object]] = set()
    for criterion in pack.all_criteria():
        for test in criterion.tests:
            if test.threshold_months is not None:
                wanted.update(("age", test.threshold_months + step) for step in (-1, 0, 1))
            elif test.min_items is not None:
                wanted.update((test.field, max(test.min_items + step, 0)) for step in (-1, 0, 1))
            elif test.min_value is not None:
                wanted.update((test.field, round(test.min_value + step / 1000, 3))
                              for step in (-1, 0, 1))
    seen: dict[tuple[str, object], Profile] = {}

    def all_seen(profile: Profile) -> bool:
        for field, _ in wanted:
            seen.setdefault((field, _value(profile, field)), profile)
        return wanted <= seen.keys()

    # find() stops as soon as every wanted value has been drawn; NoSuchExample fails.
    try:
        find(boundary_profiles(pack), all_seen,
             settings=settings(max_examples=3000, database=None, phases=[Phase.generate],
                               derandomize=True, suppress_health_check=[HealthCheck.too_slow]))
    except NoSuchExample:
        raise AssertionError(f"never drawn: {sorted(wanted - seen.keys(), key=repr)}") from None
    return seen


def _value(profile: Profile, field: str) -> object:
    if field == "age":  # the completed months the kit drew
        return None if profile.age is None else math.floor(profile.age.low)
    value = getattr(profile, field)
    return len(value) if isinstance(value, list) else value


# -- the checks can fail, with a message that says why ------------------------------------

def _tampered_status(profile: Profile, option_id: str, status: str) -> Assessment:
    assessment = evaluate(profile)
    options = [option.model_copy(update={"status": status}) if option.id == option_id else option
               for option in assessment.options]
    return assessment.model_copy(update={"options": options})


def test_well_formed_catches_a_status_that_does_not_follow_from_its_reasons() -> None:
    profile = Profile(age_years=30, severity="mild")
    tampered = _tampered_status(profile, "tralokinumab", "candidate")
    with pytest.raises(AssertionError, match="tralokinumab: status 'candidate'"):
        assert_well_formed(tampered)


def test_label_limits_catch_an_under_age_candidate() -> None:
    profile = Profile(age_months=215, severity="severe", topical_response="inadequate")
    tampered = _tampered_status(profile, "tralokinumab", "candidate")
    with pytest.raises(AssertionError, match=r"tralokinumab is a candidate .* 17 years 11 months"):
        assert_label_limits(profile, tampered)
    assert_label_limits(profile, evaluate(profile))


def test_unknown_never_not_met_catches_a_guess() -> None:
    profile = Profile(severity="severe")
    assessment = evaluate(profile)
    option = assessment.option("dupilumab")
    reasons = [reason.model_copy(update={"outcome": "not_met", "missing_fields": []})
               if reason.criterion == "dupilumab.age" else reason for reason in option.reasons]
    guessed = assessment.model_copy(update={"options": [
        option.model_copy(update={"reasons": reasons}) if option.id == "dupilumab" else option
        for option in assessment.options]})
    with pytest.raises(AssertionError, match="unknown must never read as not met"):
        assert_unknown_never_not_met(profile, guessed)
    assert_unknown_never_not_met(profile, assessment)


def test_register_profiles_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from eligibility.testing._settings import chosen_profile
    monkeypatch.delenv("HYPOTHESIS_PROFILE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert chosen_profile() == "dev"
    monkeypatch.setenv("CI", "true")
    assert chosen_profile() == "ci"
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "thorough")
    assert chosen_profile() == "thorough"
    assert kit.register_profiles(load=False) == "thorough"
    assert settings.get_profile("ci").derandomize
