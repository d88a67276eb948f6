"""medicationReference (issue 14): a Medication* that names its drug by a Medication
resource, contained, or beside it by ``urn:uuid:`` fullUrl, relative or absolute
reference, in a Bundle and in a Bulk export. The drug is read only as evidence that a
treatment was tried; a Medication the input does not hold is said, never guessed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fhir_fixtures import ATC, bundle, concept, condition, medication, patient, valid, valid_bundle

from eligibility.cli import main
from eligibility.inputs.fhir import FhirPatient, iter_bundle_patients, map_patient

AS_OF = dt.date(2026, 6, 1)
TOPICAL, SYSTEMIC = "D07AC01", "L04AD01"  # betamethasone (a topical steroid), ciclosporin


def drug(ident: str, code: str = SYSTEMIC) -> dict[str, Any]:
    return dict(valid({"resourceType": "Medication", "id": ident, "code": concept(ATC, code)}))


def by_reference(ident: str, reference: str, kind: str = "MedicationStatement", *,
                 subject: str = "Patient/p1", status: str | None = None,
                 **extra: Any) -> dict[str, Any]:
    resource = medication(ident, kind, subject=subject, status=status)
    del resource["medicationCodeableConcept"]
    return dict(valid(resource | {"medicationReference": {"reference": reference}} | extra))


def notes(result: FhirPatient) -> dict[str, tuple[str, ...]]:
    return {note.code: note.references for note in result.notes}


@pytest.mark.parametrize("kind", ["MedicationRequest", "MedicationStatement",
                                  "MedicationAdministration", "MedicationDispense"])
def test_a_contained_medication_is_read(kind: str) -> None:
    resource = by_reference("ms1", "#med", kind, contained=[drug("med")])
    result = map_patient([patient(), resource], as_of=AS_OF)
    assert notes(result)["systemic_treatment_recorded"] == (f"{kind}/ms1",)


@pytest.mark.parametrize("reference", ["urn:uuid:7a0c", "Medication/m1",
                                       "https://ehr.example.org/fhir/Medication/m1",
                                       "Medication/m1/_history/2"])
def test_every_reference_style_finds_the_medication_in_a_bundle(reference: str) -> None:
    value = valid_bundle(bundle(patient(), condition("c1"), by_reference("ms1", reference),
                                drug("m1"), full_urls={"Medication/m1": "urn:uuid:7a0c"}))
    [result] = iter_bundle_patients(value, as_of=AS_OF)
    assert notes(result)["systemic_treatment_recorded"] == ("Medication/m1",
                                                            "MedicationStatement/ms1")
    assert "medication_not_found" not in notes(result)


def test_a_transactions_new_medication_is_found_by_its_urn_uuid_alone() -> None:
    """A transaction's new resource may have no id yet, only a urn:uuid fullUrl."""
    uuid = "9b0e5c2a-3f1d-4c8e-a1b2-7d6e5f4a3b2c"
    value = bundle(patient(), condition("c1"), by_reference("ms1", f"urn:uuid:{uuid}"),
                   drug("m1", TOPICAL), kind="transaction")
    entry = value["entry"][3]
    del entry["resource"]["id"]
    entry["fullUrl"], entry["request"] = f"urn:uuid:{uuid}", {"method": "POST", "url": "Medication"}
    [result] = iter_bundle_patients(valid_bundle(value), as_of=AS_OF)
    assert notes(result)["topical_treatment_recorded"] == (f"Medication/{uuid}",
                                                           "MedicationStatement/ms1")
    assert "medication_not_found" not in notes(result)


def test_the_code_is_the_medications_not_a_guess() -> None:
    """The same reference to a topical Medication gives the topical note, not the systemic."""
    value = valid_bundle(bundle(patient(), by_reference("ms1", "Medication/t1"),
                                drug("t1", TOPICAL)))
    [result] = iter_bundle_patients(value, as_of=AS_OF)
    assert set(notes(result)) >= {"topical_treatment_recorded"}
    assert "systemic_treatment_recorded" not in notes(result)


@pytest.mark.parametrize("reference", ["Medication/absent", "#absent", "urn:uuid:9999"])
def test_a_medication_not_in_the_input_is_said_and_the_patient_assessed(reference: str) -> None:
    value = valid_bundle(bundle(patient(), condition("c1"), by_reference("ms1", reference),
                                drug("m1")))
    [result] = iter_bundle_patients(value, as_of=AS_OF)
    assert result.profile is not None
    assert notes(result)["medication_not_found"] == ("MedicationStatement/ms1",)
    assert not {"systemic_treatment_recorded", "topical_treatment_recorded"} & set(notes(result))


def test_an_excluded_statement_is_not_evidence_even_by_reference() -> None:
    resource = by_reference("ms1", "Medication/m1", status="not-taken")
    result = map_patient([patient(), condition("c1"), resource, drug("m1")], as_of=AS_OF)
    assert not notes(result)


@pytest.mark.parametrize("reference", ["Medication/m1",
                                       "https://ehr.example.org/fhir/Medication/m1"])
def test_a_bulk_export_resolves_as_the_bundle_does(tmp_path: Path, reference: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    resources = [patient(), condition("c1"), by_reference("ms1", reference), drug("m1"),
                 patient("p2"), by_reference("ms2", "Medication/m1", subject="Patient/p2")]
    (tmp_path / "bundle.json").write_text(json.dumps(valid_bundle(bundle(*resources))))
    export = tmp_path / "export"
    export.mkdir()
    for kind in ("Patient", "Condition", "MedicationStatement", "Medication"):
        (export / f"{kind}.ndjson").write_text("".join(
            json.dumps(resource) + "\n" for resource in resources
            if resource["resourceType"] == kind))
    outputs = []
    for path in (tmp_path / "bundle.json", export):
        main(["evaluate", str(path), "--format", "jsonl", "-q", "--as-of", "2026-06-01"])
        outputs.append([{key: value for key, value in json.loads(line).items() if key != "source"}
                        for line in capsys.readouterr().out.splitlines()])
    assert outputs[0] == outputs[1]
    [first, second] = outputs[1]
    for record, ident in ((first, "ms1"), (second, "ms2")):
        [note] = [note for note in record["notes"] if note["id"] == "fhir.systemic_treatment_recorded"]
        assert note["source"]["detail"] == f"Medication/m1, MedicationStatement/{ident}"


def test_a_bulk_medication_is_found_only_by_a_fhir_id(tmp_path: Path) -> None:
    """The first Medication line of an id wins, as a Bundle's first entry does; an id that
    is no FHIR id names nothing, in a Bulk export as in a Bundle."""
    from eligibility.inputs.fhir.bulk import bulk_groups

    lines = [drug("m1"), drug("m1", TOPICAL), {"resourceType": "Medication", "id": "bad id",
                                               "code": concept(ATC, TOPICAL)}]
    (tmp_path / "Medication.ndjson").write_text("".join(json.dumps(line) + "\n" for line in lines))
    (tmp_path / "Patient.ndjson").write_text(json.dumps(patient()) + "\n")
    (tmp_path / "MedicationStatement.ndjson").write_text("".join(
        json.dumps(by_reference(ident, reference)) + "\n"
        for ident, reference in (("ms1", "Medication/m1"), ("ms2", "Medication/bad id"))))
    parts = [(path.name, path.open("rb")) for path in sorted(tmp_path.glob("*.ndjson"))]
    try:
        [(_, group)] = list(bulk_groups(iter(parts)))
    finally:
        for _, handle in parts:
            handle.close()
    result = map_patient(group.resources, as_of=AS_OF)
    assert notes(result)["systemic_treatment_recorded"] == ("Medication/m1",
                                                            "MedicationStatement/ms1")
    assert notes(result)["medication_not_found"] == ("MedicationStatement/ms2",)
    assert "topical_treatment_recorded" not in notes(result)
