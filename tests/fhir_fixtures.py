"""Small builders of valid FHIR R4 resources for the FHIR input tests, and the oracle.

Every fixture a test builds goes through ``valid`` (or ``valid_bundle``), which parses it
with ``fhir.resources`` (R4B models: the package ships R5, R4B and STU3 but no R4; R4B
is R4's compatible ballot release for these resource types, while R5 rejects R4's
MedicationStatement and Condition shapes). The runtime never imports it: it reads plain
JSON with its own small readers.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import Any

import pytest

SNOMED = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ATC = "http://www.whocc.no/atc"
OWN = "urn:eligibility:CodeSystem:ad-assessment"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
AI_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
AI_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
AD = (SNOMED, "24079001")
SEVERITY = {"mild": "255604002", "moderate": "6736007", "severe": "24484000"}


def concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def patient(ident: str = "p1", birth: str | None = "2010-05-03", **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient", "id": ident}
    if birth is not None:
        resource["birthDate"] = birth
    return resource | extra


def condition(ident: str, code: tuple[str, str] = AD, *, subject: str = "Patient/p1",
              clinical: str | None = "active", verification: str | None = None,
              severity: str | None = None, recorded: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Condition", "id": ident,
                                "code": concept(*code), "subject": {"reference": subject}}
    if clinical is not None:
        resource["clinicalStatus"] = concept(CLINICAL, clinical)
    if verification is not None:
        resource["verificationStatus"] = concept(VERIFICATION, verification)
    if severity is not None:
        resource["severity"] = concept(SNOMED, SEVERITY[severity])
    if recorded is not None:
        resource["recordedDate"] = recorded
    return resource


def allergy(ident: str, code: tuple[str, str] | None = (SNOMED, "260147004"), *,
            subject: str = "Patient/p1", clinical: str | None = "active",
            verification: str | None = None, category: list[str] | None = None,
            text: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "AllergyIntolerance", "id": ident,
                                "patient": {"reference": subject}}
    if code is not None or text is not None:
        resource["code"] = concept(*code) if code is not None else {}
        if text is not None:
            resource["code"]["text"] = text
    if clinical is not None:
        resource["clinicalStatus"] = concept(AI_CLINICAL, clinical)
    if verification is not None:
        resource["verificationStatus"] = concept(AI_VERIFICATION, verification)
    if category is not None:
        resource["category"] = category
    return resource


def weight(ident: str, value: float, unit: str = "kg", *, subject: str = "Patient/p1",
           when: str = "2026-05-01", status: str = "final", system: str = UCUM) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": ident, "status": status,
            "code": concept(LOINC, "29463-7"), "subject": {"reference": subject},
            "effectiveDateTime": when,
            "valueQuantity": {"value": value, "unit": unit, "system": system, "code": unit}}


def answer(ident: str, question: str, value: str, *, subject: str = "Patient/p1",
           when: str = "2026-05-01", status: str = "final") -> dict[str, Any]:
    return {"resourceType": "Observation", "id": ident, "status": status,
            "code": concept(OWN, question), "subject": {"reference": subject},
            "effectiveDateTime": when, "valueCodeableConcept": concept(OWN, value)}


def medication(ident: str, kind: str = "MedicationRequest", code: str = "D07AC01", *,
               subject: str = "Patient/p1", status: str | None = None,
               do_not_perform: bool | None = None) -> dict[str, Any]:
    defaults = {"MedicationRequest": "active", "MedicationStatement": "active",
                "MedicationAdministration": "completed", "MedicationDispense": "completed"}
    resource: dict[str, Any] = {"resourceType": kind, "id": ident,
                                "status": status or defaults[kind],
                                "medicationCodeableConcept": concept(ATC, code),
                                "subject": {"reference": subject}}
    if kind == "MedicationRequest":
        resource["intent"] = "order"
    if kind == "MedicationAdministration":
        resource["effectiveDateTime"] = "2026-01-01"
    if do_not_perform is not None:
        resource["doNotPerform"] = do_not_perform
    return resource


def bundle(*resources: Mapping[str, Any], kind: str = "collection",
           full_urls: Mapping[str, str] | None = None) -> dict[str, Any]:
    entries = []
    for resource in resources:
        entry: dict[str, Any] = {"resource": dict(resource)}
        reference = f"{resource['resourceType']}/{resource.get('id')}"
        if full_urls and reference in full_urls:
            entry["fullUrl"] = full_urls[reference]
        if kind in ("transaction", "batch"):
            entry["request"] = {"method": "PUT", "url": reference}
        entries.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def _oracle(name: str) -> Any:
    if os.environ.get("CI"):
        return importlib.import_module(name)
    return pytest.importorskip(name)


def valid(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    """``resource`` unchanged, after the oracle accepted it as valid FHIR."""
    kind = str(resource["resourceType"])
    module = _oracle(f"fhir.resources.R4B.{kind.lower()}")
    getattr(module, kind).model_validate(dict(resource))
    return resource


def valid_bundle(value: Mapping[str, Any]) -> Mapping[str, Any]:
    _oracle("fhir.resources.R4B.bundle").Bundle.model_validate(dict(value))
    return value


def write_bulk(value: Mapping[str, Any], folder: Any, *, parts: int = 1,
               gzipped: tuple[str, ...] = ()) -> None:
    """The Bundle's resources as a Bulk export in ``folder``: ``parts`` files per type, in
    order (the first lines in the first file), ``Type.ndjson.gz`` for the types in
    ``gzipped``. As an exporter would, references to a fullUrl become ``Type/id``."""
    import gzip
    import json
    from pathlib import Path

    local = {entry["fullUrl"]: f"{entry['resource']['resourceType']}/{entry['resource']['id']}"
             for entry in value["entry"] if "fullUrl" in entry}
    by_type: dict[str, list[list[str]]] = {}
    for entry in value["entry"]:
        resource = json.loads(json.dumps(entry["resource"]))
        for element in ("subject", "patient"):
            target = resource.get(element)
            if isinstance(target, dict) and target.get("reference") in local:
                target["reference"] = local[target["reference"]]
        by_type.setdefault(resource["resourceType"], [[]])[0].append(json.dumps(resource) + "\n")
    for kind, [every] in list(by_type.items()):
        size = -(-len(every) // parts)
        by_type[kind] = [every[start:start + size] for start in range(0, size * parts, size)]
    for kind, files in by_type.items():
        for number, lines in enumerate(files):
            name = f"{kind}.{number:03}.ndjson" if parts > 1 else f"{kind}.ndjson"
            data = "".join(lines).encode()
            if kind in gzipped:
                Path(folder, name + ".gz").write_bytes(gzip.compress(data))
            else:
                Path(folder, name).write_bytes(data)
