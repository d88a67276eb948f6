"""FHIR references to a patient: ``urn:uuid:``, relative and absolute all name one Patient.

A Bundle names a Patient by its ``fullUrl`` (``urn:uuid:…`` or an absolute URL) and by
``Patient/<id>``; a Bulk export by ``Patient/<id>``, relative or absolute
(https://hl7.org/fhir/uv/bulkdata/export.html). Every form comes down to the Patient's
``id`` here, so the join never depends on which style the sender chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eligibility.inputs.fhir.elements import Bad, obj, text

#: The element of each resource type read that says whose it is.
SUBJECT = {"Condition": "subject", "AllergyIntolerance": "patient", "Observation": "subject",
           "MedicationRequest": "subject", "MedicationStatement": "subject",
           "MedicationAdministration": "subject", "MedicationDispense": "subject"}
URN = ("urn:uuid:", "urn:oid:")


def subject_reference(resource: Mapping[str, Any], kind: str) -> str:
    """The reference text of the resource's patient element (``Bad`` when missing)."""
    element = SUBJECT[kind]
    target = obj(resource, element, kind)
    reference = text(target, "reference", f"{kind}.{element}") if target is not None else None
    if not reference:
        raise Bad(f"{kind}.{element}", "missing: whose record this is cannot be told")
    return reference


def patient_id(reference: str, aliases: Mapping[str, str]) -> str | None:
    """The Patient id a reference names; None when it names something else (a Group).

    ``aliases`` maps a Bundle's fullUrls to the Patient ids they stand for. A ``urn:uuid:``
    that no fullUrl declares is taken as the Patient id itself (Synthea and most Bulk
    exporters make the id the uuid).
    """
    reference = reference.split("/_history/", 1)[0]
    if reference in aliases:
        return aliases[reference]
    if reference.startswith(URN):
        return reference.split(":", 2)[2]
    parts = reference.rstrip("/").split("/")
    if len(parts) < 2 or parts[-2] != "Patient" or not parts[-1]:
        return None
    return parts[-1]


def target_id(reference: str, kind: str) -> str | None:
    """The id of the ``kind`` resource a reference names: relative (``Medication/m1``),
    absolute (``https://ehr.example.org/fhir/Medication/m1``, ``/_history/2`` dropped) or
    ``urn:uuid:<id>``; None when it names another type, or nothing."""
    reference = reference.split("/_history/", 1)[0]
    if reference.startswith(URN):
        return reference.split(":", 2)[2] or None
    parts = reference.rstrip("/").split("/")
    if len(parts) < 2 or parts[-2] != kind or not parts[-1]:
        return None
    return parts[-1]


def full_url_aliases(full_url: str | None, patient: str) -> dict[str, str]:
    """Every way to name this Patient besides ``Patient/<id>``: its fullUrl."""
    aliases = {f"Patient/{patient}": patient}
    if full_url:
        aliases[full_url] = patient
    return aliases
