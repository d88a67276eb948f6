"""Small FHIR R4 resources for the HTTP tests and the load run: one patient's chart.

Codes are those of the FHIR input's value sets (issue #14): SNOMED CT 24079001 atopic
dermatitis, Condition.severity 24484000 severe / 6736007 moderate, LOINC 29463-7 body
weight in UCUM kg, and the project's CodeSystem for topical response.
"""

from __future__ import annotations

from typing import Any

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
OWN = "urn:eligibility:CodeSystem:ad-assessment"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
SEVERITY = {"mild": "255604002", "moderate": "6736007", "severe": "24484000"}


def patient(ident: str = "p1", birth: str = "1990-04-01") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": ident, "birthDate": birth}


def condition(ident: str, code: str, *, patient_id: str = "p1", severity: str | None = None,
              active: bool = True) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition", "id": ident,
        "clinicalStatus": {"coding": [{"system": CLINICAL,
                                       "code": "active" if active else "resolved"}]},
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "confirmed"}]},
        "code": {"coding": [{"system": SNOMED, "code": code}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "recordedDate": "2025-01-10"}
    if severity is not None:
        resource["severity"] = {"coding": [{"system": SNOMED, "code": SEVERITY[severity]}]}
    return resource


def weight(ident: str, kg: float, *, patient_id: str = "p1",
           when: str = "2026-05-01T09:00:00Z") -> dict[str, Any]:
    return {"resourceType": "Observation", "id": ident, "status": "final",
            "code": {"coding": [{"system": LOINC, "code": "29463-7"}]},
            "subject": {"reference": f"Patient/{patient_id}"}, "effectiveDateTime": when,
            "valueQuantity": {"value": kg, "unit": "kg", "system": "http://unitsofmeasure.org",
                              "code": "kg"}}


def answer(ident: str, question: str, value: str, *, patient_id: str = "p1",
           when: str = "2026-05-01T09:00:00Z") -> dict[str, Any]:
    return {"resourceType": "Observation", "id": ident, "status": "final",
            "code": {"coding": [{"system": OWN, "code": question}]},
            "subject": {"reference": f"Patient/{patient_id}"}, "effectiveDateTime": when,
            "valueCodeableConcept": {"coding": [{"system": OWN, "code": value}]}}


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"fullUrl": f"{r['resourceType']}/{r['id']}", "resource": r}
                      for r in resources]}


def chart(*, severity: str = "severe", topical: str = "inadequate", kg: float = 70.0,
          extra_conditions: int = 0, patient_id: str = "p1") -> dict[str, Any]:
    """A full prefetch for the discovery templates: an adult with active atopic dermatitis."""
    others = [condition(f"c-other-{n}", "38341003", patient_id=patient_id)  # hypertension
              for n in range(extra_conditions)]
    return {
        "patient": patient(patient_id),
        "condition": searchset(condition("c-ad", "24079001", patient_id=patient_id,
                                          severity=severity), *others),
        "allergyIntolerance": searchset(),
        "weight": searchset(weight("w1", kg, patient_id=patient_id)),
        "assessments": searchset(answer("a1", "topical-response", topical,
                                        patient_id=patient_id)),
    }
