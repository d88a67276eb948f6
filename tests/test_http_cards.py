"""Cards from assessments: the CDS Hooks response rules (``cds_hooks_schema``) and ours."""

from __future__ import annotations

import json

import pytest
from cds_hooks_schema import problems

from eligibility import evaluate
from eligibility.http.cards import md, order_cards, patient_view_cards
from eligibility.http.medications import ordered_options
from eligibility.model.assessment import Assessment

PROFILES = {
    "candidates and trials": {"id": "p1", "age_years": 30, "severity": "severe",
                              "topical_response": "inadequate"},
    "all need information": {"id": "p2"},
    "child": {"id": "p3", "age_months": 8, "severity": "moderate",
              "topical_response": "inadequate", "weight_kg": 9},
    "not a candidate": {"id": "p4", "age_years": 16, "severity": "mild"},
}


def cards_for(name: str, **keys: str) -> tuple[Assessment, list[dict[str, object]]]:
    assessment = evaluate(PROFILES[name], rules="article-2023")
    return assessment, patient_view_cards(assessment, service_id="eligibility-patient-view",
                                          hook_instance=keys.get("hook", "h-1"))


@pytest.mark.parametrize("name", PROFILES)
def test_patient_view_cards_follow_the_spec(name: str) -> None:
    assessment, cards = cards_for(name)
    assert problems({"cards": cards}) == []
    wanted = [o.id for o in assessment.options if o.status != "not_candidate"]
    assert [card["source"]["topic"]["code"] for card in cards] == wanted  # type: ignore[index]
    for card in cards:
        assert card["indicator"] == "info"
        assert card["source"]["label"] == "eligibility: rule pack article-2023 1.0.0"  # type: ignore[index]
        assert len(str(card["summary"])) < 140


def test_trial_options_read_as_trial_options() -> None:
    _, cards = cards_for("candidates and trials")
    nemolizumab = next(c for c in cards if c["source"]["topic"]["code"] == "nemolizumab")  # type: ignore[index]
    assert nemolizumab["summary"] == ("Nemolizumab (in clinical trials): may be eligible for a "
                                      "clinical trial")
    assert "not an approved treatment" in str(nemolizumab["detail"])


def test_needs_information_names_what_is_missing_and_what_would_change_it() -> None:
    _, cards = cards_for("candidates and trials")
    lebrikizumab = next(c for c in cards if c["source"]["topic"]["code"] == "lebrikizumab")  # type: ignore[index]
    assert "needs information for the trials (weight in kg)" in str(lebrikizumab["summary"])
    detail = str(lebrikizumab["detail"])
    assert "**Missing:** `weight_kg`" in detail
    assert "**What would change the answer**" in detail and "weight\\_kg" in detail
    assert "**Criteria**" in detail and "- met: " in detail


def test_uuids_are_deterministic_per_hook_instance() -> None:
    _, first = cards_for("candidates and trials")
    _, again = cards_for("candidates and trials")
    _, other = cards_for("candidates and trials", hook="h-2")
    assert json.dumps(first) == json.dumps(again)
    assert {c["uuid"] for c in first}.isdisjoint({c["uuid"] for c in other})
    assert len({c["uuid"] for c in first}) == len(first)


def test_no_patient_data_in_no_card_when_nothing_applies() -> None:
    _, cards = cards_for("not a candidate")
    assert cards == [] and problems({"cards": cards}) == []


def test_order_select_warns_for_a_not_candidate_option_only() -> None:
    assessment = evaluate(PROFILES["not a candidate"], rules="article-2023")
    cards = order_cards(assessment, ["lebrikizumab", "lebrikizumab", "unknown-option"],
                        service_id="eligibility-order-select", hook_instance="h")
    assert problems({"cards": cards}) == []
    (card,) = cards
    assert card["indicator"] == "warning"
    assert card["summary"] == "Lebrikizumab (in clinical trials): not eligible for the trials"
    assert card["overrideReasons"][0]["code"] == "clinician-judgement"  # type: ignore[index]
    candidate = evaluate(PROFILES["candidates and trials"], rules="article-2023")
    assert order_cards(candidate, ["nemolizumab"], service_id="s", hook_instance="h") == []


def test_markdown_cannot_become_links_or_html() -> None:
    assert md("[click](http://x) <b>*x*</b>\nnext") == (
        "\\[click\\]\\(http://x\\) \\<b\\>\\*x\\*\\</b\\> next")


def _order(coding: dict[str, str], **extra: object) -> dict[str, object]:
    return {"resourceType": "MedicationRequest", "id": "rx1", "status": "draft",
            "intent": "order", "medicationCodeableConcept": {"coding": [coding]}, **extra}


ATC = "http://www.whocc.no/atc"


def test_orders_match_only_verified_codes() -> None:
    drafts = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": _order({"system": ATC, "code": "D11AH10"})},
        {"resource": {**_order({"system": ATC, "code": "D11AH12"}), "id": "rx2"}},
        {"resource": {**_order({"system": ATC, "code": "V01AA"}), "id": "rx3"}}]}  # unverified
    assert ordered_options({"draftOrders": drafts}) == ["lebrikizumab", "nemolizumab"]
    assert ordered_options({"draftOrders": drafts, "selections": ["MedicationRequest/rx2"]}) == [
        "nemolizumab"]
    assert ordered_options({"draftOrders": drafts, "selections": ["MedicationRequest/rx3"]}) == []


def test_a_medication_reference_is_resolved_in_the_bundle_or_contained() -> None:
    medication = {"resourceType": "Medication", "id": "m1",
                  "code": {"coding": [{"system": ATC, "code": "D11AH12"}]}}
    by_reference = {"resourceType": "MedicationRequest", "id": "rx1",
                    "medicationReference": {"reference": "Medication/m1"}}
    drafts = {"resourceType": "Bundle", "entry": [{"resource": by_reference},
                                                  {"resource": medication}]}
    assert ordered_options({"draftOrders": drafts}) == ["nemolizumab"]
    contained = {**by_reference, "medicationReference": {"reference": "#m1"},
                 "contained": [medication]}
    assert ordered_options({"draftOrders": {"entry": [{"resource": contained}]}}) == ["nemolizumab"]
    assert ordered_options({"draftOrders": "nonsense"}) == []
