"""Knowledge of the shipped packs that issue 11 corrected, pinned beyond the worked cases.

Step care: immunotherapy follows topical treatment that was tried and not enough, so the
topical response decides and the systemic response never does. Trial options: their age
and weight come from the trials' registry records, so no infant and no patient of
unknown age is a trial candidate. Sources: each is cited so that a reader can find it.
"""

from __future__ import annotations

import itertools

import pytest

from eligibility import available_packs, evaluate, load_pack
from eligibility.rulepack import RulePack

PACKS = [pack.name for pack in available_packs()]
#: Everything but the treatment history fits every option of both packs.
FAVOURABLE: dict[str, object] = {"age_years": 30, "severity": "severe", "weight_kg": 70,
                                 "allergies": ["dust_mite"], "allergy_eczema_link": True}
SYSTEMIC = [None, "not_tried", "adequate", "inadequate", "not_advisable"]
TRIAL_OPTIONS = ["lebrikizumab", "nemolizumab"]


def _profile(**values: object) -> dict[str, object]:
    return {**FAVOURABLE, **{k: v for k, v in values.items() if v is not None}}


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize(("topical", "systemic"),
                         list(itertools.product(["adequate", "not_tried"], SYSTEMIC)))
def test_topicals_that_work_or_were_never_tried_rule_every_option_out(
        pack: str, topical: str, systemic: str | None) -> None:
    statuses = evaluate(_profile(topical_response=topical, systemic_response=systemic),
                        rules=pack).statuses()
    assert set(statuses.values()) == {"not_candidate"}, statuses


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("systemic", SYSTEMIC)
def test_an_unknown_topical_response_is_asked_for_not_the_systemic_one(
        pack: str, systemic: str | None) -> None:
    assessment = evaluate(_profile(systemic_response=systemic), rules=pack)
    for option in assessment.options:
        assert option.status == "needs_information", option.id
        assert option.missing_fields == ("topical_response",), (option.id, option.missing_fields)


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("topical", [None, "not_tried", "adequate", "inadequate", "not_advisable"])
def test_the_systemic_response_never_changes_a_status(pack: str, topical: str | None) -> None:
    """The article names oral immunosuppressants as an example, not as a required step."""
    seen = {tuple(sorted(evaluate(_profile(topical_response=topical, systemic_response=s),
                                  rules=pack).statuses().items()))
            for s in SYSTEMIC}
    assert len(seen) == 1, seen


@pytest.mark.parametrize("pack", PACKS)
def test_topicals_tried_and_not_enough_let_every_option_proceed(pack: str) -> None:
    statuses = evaluate(_profile(topical_response="inadequate"), rules=pack).statuses()
    assert set(statuses.values()) == {"candidate"}, statuses


def test_not_advisable_topicals_follow_each_packs_reading() -> None:
    """The article does not cover it; the labels do, except Nemluvio's, given with topicals."""
    profile = _profile(topical_response="not_advisable")
    assert set(evaluate(profile).statuses().values()) == {"not_candidate"}
    assert evaluate(profile, rules="us-labels-2026").statuses() == {
        "dupilumab": "candidate", "tralokinumab": "candidate",
        "allergen_immunotherapy": "not_candidate", "lebrikizumab": "candidate",
        "nemolizumab": "not_candidate"}


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("option", TRIAL_OPTIONS)
def test_no_child_under_12_is_a_candidate_for_the_trial_drugs(pack: str, option: str) -> None:
    """Every month from birth to 11 years 11 months, with everything else favourable."""
    for months in range(0, 144):
        profile = {**_profile(topical_response="inadequate"), "age_months": months}
        del profile["age_years"]
        status = evaluate(profile, rules=pack).option(option).status
        assert status == "not_candidate", (months, status)
    adolescent = {**_profile(topical_response="inadequate"), "age_years": 12}
    assert evaluate(adolescent, rules=pack).option(option).status == "candidate"


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("option", TRIAL_OPTIONS)
def test_an_unknown_age_is_never_a_trial_candidate(pack: str, option: str) -> None:
    profile = _profile(topical_response="inadequate")
    del profile["age_years"]
    assessment = evaluate(profile, rules=pack).option(option)
    assert assessment.status == "needs_information"
    assert "age_years" in assessment.missing_fields


def test_the_lebrikizumab_trials_need_40_kg_as_the_label_does() -> None:
    for pack in PACKS:
        for weight, status in ((39.9, "not_candidate"), (40, "candidate"),
                               (None, "needs_information")):
            profile = _profile(topical_response="inadequate", weight_kg=weight)
            if weight is None:
                del profile["weight_kg"]
            assert evaluate(profile, rules=pack).option("lebrikizumab").status == status, (
                pack, weight)


def test_trial_criteria_cite_the_trial_records_as_investigational() -> None:
    pack = load_pack("article-2023")
    cited = {criterion.id: criterion for option in pack.options
             if option.kind == "investigational_biologic"
             for criterion in option.criteria}
    assert {cited[rule].source.document for rule in
            ("lebrikizumab.adolescent_or_adult", "lebrikizumab.weight")} == {"advocate-trials"}
    assert cited["nemolizumab.age"].source.document == "arcadia-trials"
    assert {criterion.evidence for criterion in cited.values()} == {"investigational"}
    sources = {source.id: source for source in pack.sources}
    assert "NCT04146363" in (sources["advocate-trials"].location or "")
    assert "NCT04178967" in (sources["advocate-trials"].location or "")
    assert "NCT03985943" in (sources["arcadia-trials"].location or "")
    assert "NCT03989349" in (sources["arcadia-trials"].location or "")


@pytest.mark.parametrize("pack", available_packs(), ids=lambda pack: pack.name)
def test_every_source_says_what_it_is_and_where_a_reader_finds_it(pack: RulePack) -> None:
    for source in pack.sources:
        assert source.kind and source.published, source.id
        assert "shared/" not in (source.location or ""), source.id
        assert not (source.location or "").endswith(".txt"), source.id
    [article] = [source for source in pack.sources if source.id == "article"]
    assert article.kind == "consumer health article" and article.published == "2023"
    assert "not shipped" in (article.location or "")
