"""FHIR R4 → profile mapping (issue 14): one patient's resources, every rule of the mapping.

Every fixture is checked by the FHIR oracle (``fhir_fixtures.valid``) before it is mapped,
so the mapping is tested on valid FHIR, and invalid input only where a test says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from fhir_fixtures import (
    ICD,
    SNOMED,
    allergy,
    answer,
    bundle,
    condition,
    medication,
    patient,
    valid,
    valid_bundle,
    weight,
)

from eligibility import evaluate
from eligibility.inputs.fhir import FhirPatient, iter_bundle_patients, map_patient

AS_OF = dt.date(2026, 6, 1)


def mapped(*resources: dict[str, Any], **options: Any) -> FhirPatient:
    return map_patient([valid(resource) for resource in resources], as_of=AS_OF, **options)


def profile_of(*resources: dict[str, Any]) -> dict[str, Any]:
    result = mapped(*resources)
    assert result.profile is not None, result.problems
    return result.profile.model_dump(exclude_none=True)


def notes(result: FhirPatient) -> set[str]:
    return {note.code for note in result.notes}


def test_a_full_patient_maps_with_provenance() -> None:
    result = mapped(patient(), condition("c1", severity="severe"),
                    allergy("a1"), weight("w1", 88, "[lb_av]"),
                    answer("o1", "topical-response", "inadequate"))
    assert result.patient_id == "p1" and result.has_active_diagnosis and not result.problems
    assert result.profile is not None
    assert result.profile.model_dump(exclude_none=True) == {
        "id": "p1", "birth_date": "2010-05-03", "severity": "severe", "allergies": ["dust_mite"],
        "weight_kg": 39.91612856, "topical_response": "inadequate"}
    assert dict(result.provenance) == {
        "allergies": ("AllergyIntolerance/a1",), "birth_date": ("Patient/p1",),
        "diagnosis": ("Condition/c1",), "id": ("Patient/p1",), "severity": ("Condition/c1",),
        "topical_response": ("Observation/o1",), "weight_kg": ("Observation/w1",)}
    assert result.profile.age is not None and result.profile.age.text == "16 years 29 days"


def test_fhir_patient_is_frozen() -> None:
    result = mapped(patient(), condition("c1"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.patient_id = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.provenance["id"] = ()  # type: ignore[index]


@pytest.mark.parametrize("code", [(SNOMED, "24079001"), (ICD, "L20.9"), (ICD, "L20.84"),
                                  (ICD, "L20.0"), (ICD, "L2089")])
def test_atopic_dermatitis_codes_count(code: tuple[str, str]) -> None:
    assert mapped(patient(), condition("c1", code, severity="moderate")).has_active_diagnosis


def test_a_snomed_code_outside_the_shipped_expansion_is_no_diagnosis_not_a_guess() -> None:
    """200775004 is not in valueset-atopic-dermatitis-snomed.json (whatever it names, it
    could not be verified as a descendant of 24079001): the patient is assessed, no
    option is a candidate, and the record says no active diagnosis was found."""
    result = mapped(patient(), condition("c1", (SNOMED, "200775004"), severity="severe"))
    assert not result.has_active_diagnosis and "no_active_diagnosis" in notes(result)
    assert result.profile is not None and result.profile.severity is None
    assert all(option.status != "candidate"
               for option in evaluate(result.profile, as_of=AS_OF).options)


@pytest.mark.parametrize("code", [(SNOMED, "43116000"), (SNOMED, "40275004"), (ICD, "L30.9"),
                                  (ICD, "L23.9"), (ICD, "L25")])
def test_eczema_and_contact_dermatitis_do_not_count(code: tuple[str, str]) -> None:
    result = mapped(patient(), condition("c1", code, severity="severe"))
    assert not result.has_active_diagnosis and "no_active_diagnosis" in notes(result)
    assert result.profile is not None and result.profile.severity is None


@pytest.mark.parametrize("clinical", ["inactive", "resolved", "remission"])
def test_conditions_not_active_are_excluded(clinical: str) -> None:
    result = mapped(patient(), condition("c1", clinical=clinical, severity="severe"))
    assert not result.has_active_diagnosis


@pytest.mark.parametrize("verification", ["refuted", "entered-in-error"])
def test_refuted_conditions_are_excluded(verification: str) -> None:
    clinical = None if verification == "entered-in-error" else "active"  # con-5
    result = mapped(patient(), condition("c1", clinical=clinical, verification=verification,
                                         severity="severe"))
    assert not result.has_active_diagnosis


@pytest.mark.parametrize("clinical", ["active", "recurrence", "relapse"])
def test_active_conditions_count(clinical: str) -> None:
    assert mapped(patient(), condition("c1", clinical=clinical)).has_active_diagnosis


def test_no_diagnosis_is_assessed_and_none_is_a_candidate() -> None:
    result = mapped(patient(), allergy("a1"), answer("o1", "topical-response", "inadequate"))
    assert result.profile is not None and "no_active_diagnosis" in notes(result)
    statuses = evaluate(result.profile).statuses()
    assert statuses and "candidate" not in statuses.values()


def test_the_most_recent_severity_wins_and_the_conflict_is_noted() -> None:
    result = mapped(patient(), condition("c1", severity="mild", recorded="2024-01-01"),
                    condition("c2", severity="severe", recorded="2025-03-02"))
    assert result.profile is not None and result.profile.severity == "severe"
    assert "conflicting_severity" in notes(result)
    assert result.provenance["severity"] == ("Condition/c2",)


def test_equally_recent_severities_that_disagree_stay_unknown() -> None:
    result = mapped(patient(), condition("c1", severity="mild", recorded="2025-03-02"),
                    condition("c2", severity="severe", recorded="2025-03-02"))
    assert result.profile is not None and result.profile.severity is None
    assert "conflicting_severity" in notes(result)


def test_other_conditions() -> None:
    assert profile_of(patient(), condition("c1", (SNOMED, "195967001")),
                      condition("c2", (ICD, "J30.1")), condition("c3", (ICD, "J30.9")),
                      condition("c4", (ICD, "J45.909")))["conditions"] == [
        "allergic_rhinitis", "asthma", "hay_fever"]


@pytest.mark.parametrize(("code", "expected"), [
    ("260147004", "dust_mite"), ("232350006", "dust_mite"), ("782576004", "tree_pollen"),
    ("256277009", "grass_pollen"), ("264287008", "pet_dander"), ("84489001", "mould")])
def test_allergen_codes(code: str, expected: str) -> None:
    assert profile_of(patient(), allergy("a1", (SNOMED, code)))["allergies"] == [expected]


def test_allergy_category_food_and_medication() -> None:
    assert profile_of(patient(), allergy("a1", (SNOMED, "91935009"), category=["food"]),
                      allergy("a2", (SNOMED, "294505008"), category=["medication"])
                      )["allergies"] == ["drug", "food"]


@pytest.mark.parametrize("status", [("clinical", "inactive"), ("clinical", "resolved"),
                                    ("verification", "refuted"),
                                    ("verification", "entered-in-error")])
def test_excluded_allergies(status: tuple[str, str]) -> None:
    which, value = status
    options: dict[str, Any] = {which: value}
    if value == "entered-in-error":
        options["clinical"] = None  # ait-2
    assert "allergies" not in profile_of(patient(), allergy("a1", **options))


@pytest.mark.parametrize("code", [(SNOMED, "716186003"),
                                  ("http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips",
                                   "no-known-allergies")])
def test_no_known_allergy_gives_none_known(code: tuple[str, str]) -> None:
    assert profile_of(patient(), allergy("a1", code))["allergies"] == []


def test_a_negation_is_never_an_allergen() -> None:
    result = mapped(patient(), allergy("a1", (SNOMED, "716186003")), allergy("a2"))
    assert result.profile is not None and result.profile.allergies == ["dust_mite"]
    assert "no_known_allergy_contradicted" in notes(result)


def test_no_allergy_resources_leave_allergies_unknown() -> None:
    assert "allergies" not in profile_of(patient(), condition("c1"))


@pytest.mark.parametrize(("value", "unit", "kg"), [(70, "kg", 70.0), (3250, "g", 3.25),
                                                   (88, "[lb_av]", 39.91612856)])
def test_weight_units_convert_exactly(value: float, unit: str, kg: float) -> None:
    assert profile_of(patient(), weight("w1", value, unit))["weight_kg"] == kg


def test_88_pounds_is_not_40_kg_for_the_weight_rule() -> None:
    result = mapped(patient(), condition("c1", severity="severe"), weight("w1", 88, "[lb_av]"))
    assert result.profile is not None
    reason = next(reason for option in evaluate(result.profile, as_of=AS_OF).options
                  for reason in option.reasons if reason.criterion.endswith("weight"))
    assert reason.outcome == "not_met"


@pytest.mark.parametrize("unit", ["lb", "kilogram", "[oz_av]", "mg"])
def test_any_other_weight_unit_is_a_problem_naming_the_element(unit: str) -> None:
    result = mapped(patient(), weight("w1", 70, unit))
    assert result.profile is None
    assert result.problems[0].field == "Observation.valueQuantity.code"
    assert "Observation/w1" in result.problems[0].message


def test_the_latest_weight_wins_and_old_or_draft_ones_do_not_count() -> None:
    assert profile_of(patient(), weight("w1", 30, when="2026-01-01"),
                      weight("w2", 42, when="2026-04-01"),
                      weight("w3", 50, when="2026-05-01", status="preliminary"),
                      weight("w4", 60, when="2026-07-01"))["weight_kg"] == 42
    stale = mapped(patient(), weight("w1", 30, when="2024-01-01"))
    assert stale.profile is not None and stale.profile.weight_kg is None
    assert "weight_too_old" in notes(stale)
    longer = mapped(patient(), weight("w1", 30, when="2024-01-01"),
                    max_weight_age=dt.timedelta(days=1000))
    assert longer.profile is not None and longer.profile.weight_kg == 30


@pytest.mark.parametrize("status", ["amended", "corrected"])
def test_amended_and_corrected_weights_count(status: str) -> None:
    assert profile_of(patient(), weight("w1", 41, status=status))["weight_kg"] == 41


def test_own_codesystem_answers() -> None:
    assert profile_of(patient(), answer("o1", "topical-response", "not-tried"),
                      answer("o2", "systemic-response", "not-advisable"),
                      answer("o3", "allergy-eczema-link", "linked")) | {} == {
        "id": "p1", "birth_date": "2010-05-03", "topical_response": "not_tried",
        "systemic_response": "not_advisable", "allergy_eczema_link": True}


def test_medication_history_is_evidence_never_inadequate() -> None:
    result = mapped(patient(), medication("m1"), medication("m2", code="L04AD01"))
    assert result.profile is not None
    assert result.profile.topical_response is None and result.profile.systemic_response is None
    assert {"topical_treatment_recorded", "systemic_treatment_recorded"} <= notes(result)


@pytest.mark.parametrize(("kind", "status", "do_not_perform"), [
    ("MedicationRequest", "entered-in-error", None), ("MedicationRequest", None, True),
    ("MedicationStatement", "entered-in-error", None), ("MedicationStatement", "not-taken", None),
    ("MedicationAdministration", "entered-in-error", None),
    ("MedicationDispense", "entered-in-error", None)])
def test_excluded_medications(kind: str, status: str | None, do_not_perform: bool | None) -> None:
    result = mapped(patient(), medication("m1", kind, status=status,
                                          do_not_perform=do_not_perform))
    assert "topical_treatment_recorded" not in notes(result)


@pytest.mark.parametrize(("birth", "text"), [
    ("2019", "between 6 years 5 months 1 day and 7 years 5 months"),
    ("2019-05", "between 7 years 1 day and 7 years 1 month")])
def test_partial_birth_dates_are_intervals(birth: str, text: str) -> None:
    result = mapped(patient(birth=birth))
    assert result.profile is not None and result.profile.age is not None
    assert result.profile.age.text == text


def test_an_unreadable_birth_date_names_the_element() -> None:
    result = map_patient([patient(birth="not-a-date")], as_of=AS_OF)
    assert result.profile is None and result.problems[0].field == "Patient.birthDate"
    assert "Patient/p1" in result.error().message


@pytest.mark.parametrize("deceased", [{"deceasedBoolean": True},
                                      {"deceasedDateTime": "2025-02-03T10:00:00Z"}])
def test_deceased_patients_are_reported_not_assessed(deceased: dict[str, Any]) -> None:
    result = mapped(patient(**deceased), condition("c1"))
    assert result.deceased and result.profile is None and "deceased" in notes(result)
    assert result.problems[0].field == "Patient.deceased[x]"


def test_a_death_after_the_assessment_date_is_not_yet_a_death() -> None:
    assert mapped(patient(deceasedDateTime="2027-01-01")).profile is not None


def test_reference_styles_name_the_same_patient() -> None:
    value = valid_bundle(bundle(
        patient(), condition("c1", subject="urn:uuid:5f3c", severity="moderate"),
        allergy("a1", subject="https://ehr.example.org/fhir/Patient/p1"),
        weight("w1", 50, subject="Patient/p1/_history/3"),
        full_urls={"Patient/p1": "urn:uuid:5f3c"}))
    [result] = iter_bundle_patients(value, as_of=AS_OF)
    assert result.profile is not None
    assert (result.profile.severity, result.profile.allergies, result.profile.weight_kg) == (
        "moderate", ["dust_mite"], 50)


def test_an_unresolved_reference_is_its_own_problem() -> None:
    value = valid_bundle(bundle(patient(), condition("c1", subject="Patient/ghost")))
    first, second = iter_bundle_patients(value, as_of=AS_OF)
    assert first.patient_id == "p1" and first.profile is not None
    assert second.patient_id == "ghost" and second.profile is None
    assert second.problems[0].field == "Condition.subject"
    assert "Patient/ghost" in second.problems[0].message


@pytest.mark.parametrize("kind", ["collection", "searchset", "transaction", "batch"])
def test_bundle_types(kind: str) -> None:
    value = valid_bundle(bundle(patient(), condition("c1"), kind=kind))
    [result] = iter_bundle_patients(value, as_of=AS_OF)
    assert result.has_active_diagnosis


def test_a_document_bundle() -> None:
    composition = {"resourceType": "Composition", "id": "doc", "status": "final",
                   "type": {"text": "Summary"}, "subject": {"reference": "Patient/p1"},
                   "date": "2026-05-01", "author": [{"display": "Dr A"}], "title": "Summary"}
    value = valid_bundle(bundle(composition, patient(), condition("c1", severity="mild"),
                                kind="document") | {
        "identifier": {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:1"},
        "timestamp": "2026-05-01T10:00:00Z"})
    [result] = iter_bundle_patients(value, as_of=AS_OF)
    assert result.profile is not None and result.profile.severity == "mild"


def test_not_a_bundle() -> None:
    [result] = iter_bundle_patients({"resourceType": "Patient"}, as_of=AS_OF)
    assert result.profile is None and result.problems[0].field == "resourceType"
