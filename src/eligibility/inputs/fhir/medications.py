"""Medication* → evidence that a topical or systemic treatment was tried, as a note only.

A prescription shows a treatment was tried, never how well it worked: it is never read
as "inadequate" (that would make a patient a candidate on a guess). Excluded: status
``entered-in-error``, ``not-taken`` (MedicationStatement), ``not-done`` (administration),
``declined`` (dispense), and a request with ``doNotPerform``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eligibility.inputs.fhir.elements import Bad, boolean, concept, text
from eligibility.inputs.fhir.result import Mapped
from eligibility.inputs.fhir.valuesets import value_set

KINDS = frozenset({"MedicationRequest", "MedicationStatement", "MedicationAdministration",
                   "MedicationDispense"})
EXCLUDED_STATUS = frozenset({"entered-in-error", "not-taken", "not-done", "declined"})
TREATMENTS = (("topical_treatment", "topical"), ("systemic_treatment", "systemic"))


def counts(medication: Mapping[str, Any], kind: str) -> bool:
    if text(medication, "status", kind) in EXCLUDED_STATUS:
        return False
    return boolean(medication, "doNotPerform", kind) is not True


def map_medications(medications: Sequence[tuple[str, Mapping[str, Any]]], out: Mapped) -> None:
    tried: dict[str, set[str]] = {}
    for reference, medication in medications:
        kind = str(medication.get("resourceType"))
        try:
            if not counts(medication, kind):
                continue
            code = concept(medication, "medicationCodeableConcept", kind)
        except Bad as error:
            out.problem(reference, error.path, error.message)
            continue
        for name, what in TREATMENTS:
            if value_set(name).first(code) is not None:
                tried.setdefault(what, set()).add(reference)
    for what, references in sorted(tried.items()):
        out.note(f"{what}_treatment_recorded",
                 f"medication history shows a {what} treatment was prescribed or taken; how "
                 f"well it worked is not read from it ({what}_response is left as recorded)",
                 *references)
