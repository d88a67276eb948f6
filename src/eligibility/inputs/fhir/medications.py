"""Medication* → evidence that a topical or systemic treatment was tried, as a note only.

A prescription shows a treatment was tried, never how well it worked: it is never read
as "inadequate" (that would make a patient a candidate on a guess). Excluded: status
``entered-in-error``, ``not-taken`` (MedicationStatement), ``not-done`` (administration),
``declined`` (dispense), and a request with ``doNotPerform``.

The drug is ``medicationCodeableConcept``, or the ``code`` of the Medication resource that
``medicationReference`` names: one ``contained`` in the resource (``#med1``), or one beside
it in the input, by ``urn:uuid:`` fullUrl, relative (``Medication/m1``) or absolute
reference (``attach_medications`` brings it to the patient's resources). A reference to
a Medication the input does not hold is a note: which drug it was is not read, and
nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from eligibility.inputs.fhir.elements import Bad, array, boolean, concept, obj, text
from eligibility.inputs.fhir.references import target_id
from eligibility.inputs.fhir.result import Mapped
from eligibility.inputs.fhir.valuesets import value_set

KINDS = frozenset({"MedicationRequest", "MedicationStatement", "MedicationAdministration",
                   "MedicationDispense"})
EXCLUDED_STATUS = frozenset({"entered-in-error", "not-taken", "not-done", "declined"})
TREATMENTS = (("topical_treatment", "topical"), ("systemic_treatment", "systemic"))
#: Finds the Medication a reference names: (its id, the resource), or None.
Finder = Callable[[str], "tuple[str, Mapping[str, Any]] | None"]


def counts(medication: Mapping[str, Any], kind: str) -> bool:
    if text(medication, "status", kind) in EXCLUDED_STATUS:
        return False
    return boolean(medication, "doNotPerform", kind) is not True


def external_reference(resource: Mapping[str, Any]) -> str | None:
    """The medicationReference of a Medication* resource when it names a Medication outside
    the resource (not ``#contained``); None otherwise, or when it is malformed (the
    mapping reports that, naming the element)."""
    if resource.get("resourceType") not in KINDS:
        return None
    target = resource.get("medicationReference")
    reference = target.get("reference") if isinstance(target, Mapping) else None
    if not isinstance(reference, str) or not reference or reference.startswith("#"):
        return None
    return reference


def medication_id(resource: Mapping[str, Any]) -> str | None:
    """The id of the Medication outside ``resource`` its medicationReference names."""
    reference = external_reference(resource)
    return target_id(reference, "Medication") if reference is not None else None


def attach_medications(resources: Iterable[Mapping[str, Any]],
                       find: Finder) -> list[Mapping[str, Any]]:
    """``resources`` and, once each, after them, the Medications their medicationReferences
    name (``find``). A reference written another way than ``Medication/<id>`` resolves to
    (a Bundle's ``urn:uuid:`` fullUrl) is rewritten so, in a copy: ``map_patient`` then
    finds the Medication by id, whoever grouped the resources."""
    out: list[Mapping[str, Any]] = []
    found: dict[str, Mapping[str, Any]] = {}
    for resource in resources:
        reference = external_reference(resource)
        hit = find(reference) if reference is not None else None
        if reference is not None and hit is not None:
            ident, medication = hit
            found.setdefault(ident, medication)
            if target_id(reference, "Medication") != ident:
                resource = {**resource, "medicationReference": {
                    **resource["medicationReference"], "reference": f"Medication/{ident}"}}
        out.append(resource)
    return out + [found[ident] for ident in sorted(found)]


def map_medications(medications: Sequence[tuple[str, Mapping[str, Any]]], out: Mapped,
                    known: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """Notes from ``(reference, resource)`` pairs; ``known``: the input's Medication
    resources by id."""
    tried: dict[str, set[str]] = {}
    unresolved: set[str] = set()
    for reference, medication in medications:
        kind = str(medication.get("resourceType"))
        try:
            if not counts(medication, kind):
                continue
            code, drug = _drug(medication, kind, known or {})
        except Bad as error:
            out.problem(reference, error.path, error.message)
            continue
        if drug is None:
            unresolved.add(reference)
            continue
        for name, what in TREATMENTS:
            if value_set(name).first(code) is not None:
                tried.setdefault(what, set()).update((reference, drug) if drug else (reference,))
    for what, references in sorted(tried.items()):
        out.note(f"{what}_treatment_recorded",
                 f"medication history shows a {what} treatment was prescribed or taken; how "
                 f"well it worked is not read from it ({what}_response is left as recorded)",
                 *references)
    if unresolved:
        out.note("medication_not_found", "a medicationReference names a Medication that is "
                 "not in the input: which drug it was is not read", *unresolved)


def _drug(medication: Mapping[str, Any], kind: str,
          known: Mapping[str, Mapping[str, Any]]) -> tuple[list[tuple[str, str]], str | None]:
    """The drug's codings and where they came from (``""``: the resource itself; a
    Medication's reference; None: a medicationReference that names nothing here)."""
    if medication.get("medicationCodeableConcept") is not None:
        return concept(medication, "medicationCodeableConcept", kind), ""
    target = obj(medication, "medicationReference", kind)
    if target is None:
        return [], ""
    path = f"{kind}.medicationReference"
    reference = text(target, "reference", path)
    if not reference:
        raise Bad(f"{path}.reference", "missing: which Medication cannot be told")
    if reference.startswith("#"):
        for index, item in enumerate(array(medication, "contained", kind)):
            if isinstance(item, Mapping) and item.get("resourceType") == "Medication" \
                    and item.get("id") == reference[1:]:
                return concept(item, "code", f"{kind}.contained[{index}]"), ""
        return [], None
    ident = target_id(reference, "Medication")
    found = known.get(ident) if ident is not None else None
    if found is None:
        return [], None
    return concept(found, "code", "Medication"), f"Medication/{ident}"
