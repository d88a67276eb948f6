"""One patient's resources → a ``FhirPatient``: the public mapping other faces call.

``map_patient`` takes the Patient and its own resources, already grouped (a Bundle reader,
a Bulk join, a CDS Hooks prefetch), and never reads files or the clock: the assessment
date is the caller's. Resource types it does not read are ignored. Every mapper reports
problems by FHIR element; a patient with any problem gets no profile, so nothing is
assessed on half-read data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from eligibility.errors import ProfileError
from eligibility.inputs.fhir.allergies import map_allergies
from eligibility.inputs.fhir.conditions import map_conditions
from eligibility.inputs.fhir.elements import ID, Bad, boolean, fhir_date, instant, quoted, reference_of, text
from eligibility.inputs.fhir.medications import KINDS as MEDICATIONS
from eligibility.inputs.fhir.medications import map_medications
from eligibility.inputs.fhir.observations import MAX_WEIGHT_AGE, map_observations
from eligibility.inputs.fhir.result import FhirPatient, Mapped
from eligibility.inputs.fhir.valuesets import ELEMENT, FIELD
from eligibility.model.profile import parse_profile

READ = frozenset({"Patient", "Condition", "AllergyIntolerance", "Observation", *MEDICATIONS})


def map_patient(resources: Iterable[Mapping[str, Any]], *, as_of: dt.date,
                max_weight_age: dt.timedelta = MAX_WEIGHT_AGE) -> FhirPatient:
    """The patient these resources describe, assessed on ``as_of``.

    ``resources`` hold exactly one Patient and any of its Condition, AllergyIntolerance,
    Observation and Medication* resources, and the Medication resources those name by
    ``medicationReference`` (others are ignored). The profile's birth_date
    is dated on ``as_of`` (``Profile.dated``), so ages are exact intervals on that day.
    """
    by_kind: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    drugs: dict[str, Mapping[str, Any]] = {}
    for index, resource in enumerate(resources):
        kind = resource.get("resourceType")
        if isinstance(kind, str) and kind in READ:
            by_kind.setdefault(kind, []).append((reference_of(resource, index), resource))
        elif kind == "Medication" and isinstance(resource.get("id"), str):
            drugs.setdefault(resource["id"], resource)
    out = Mapped()
    patients = by_kind.get("Patient", [])
    if len(patients) != 1:
        out.problem("Bundle", "Patient", f"expected one Patient, found {len(patients)}")
        return _frozen(out, "", False)
    reference, patient = patients[0]
    patient_id = _patient_id(patient, reference, out)
    deceased = _demographics(patient, reference, out, as_of)
    active = map_conditions(by_kind.get("Condition", []), out)
    if not active:
        out.note("no_active_diagnosis", "no active atopic dermatitis Condition was found: "
                 "every option is listed and none can be a candidate (severity unknown)")
    map_allergies(by_kind.get("AllergyIntolerance", []), out)
    map_observations(by_kind.get("Observation", []), out, as_of=as_of,
                     max_weight_age=max_weight_age)
    map_medications([item for kind in sorted(MEDICATIONS) for item in by_kind.get(kind, [])], out,
                    drugs)
    if deceased:
        out.problem(reference, "Patient.deceased[x]",
                    "the patient is recorded as deceased: reported, not assessed")
    return _frozen(out, patient_id, active, deceased, as_of)


def _patient_id(patient: Mapping[str, Any], reference: str, out: Mapped) -> str:
    ident = patient.get("id")
    if isinstance(ident, str) and ID.fullmatch(ident):
        out.set(FIELD["patient_id"], ident, f"Patient/{ident}")
        return ident
    out.problem(reference, "Patient.id", f"{quoted(ident)} is not a FHIR id (1 to 64 of "
                "A-Z a-z 0-9 - .)" if ident is not None else "a Patient needs an id")
    return ""


def _demographics(patient: Mapping[str, Any], reference: str, out: Mapped,
                  as_of: dt.date) -> bool:
    """birth_date into the profile; whether the patient was deceased on ``as_of``."""
    try:
        born = text(patient, "birthDate", "Patient")
        if born is not None:
            out.set(FIELD["patient_birth_date"], fhir_date(born, "Patient.birthDate"), reference)
        if boolean(patient, "deceasedBoolean", "Patient"):
            return True
        died = text(patient, "deceasedDateTime", "Patient")
        if died is not None:
            return instant(died, "Patient.deceasedDateTime")[0].date() <= as_of
    except Bad as error:
        out.problem(reference, error.path, error.message)
    return False


def _frozen(out: Mapped, patient_id: str, active: bool, deceased: bool = False,
            as_of: dt.date | None = None) -> FhirPatient:
    profile = None
    if not out.problems:
        try:
            profile = parse_profile(dict(out.fields)).dated(as_of)
        except ProfileError as error:
            for problem in error.problems:
                element = ELEMENT.get(problem.field or "", "Patient")
                refs = ", ".join(out.provenance().get(problem.field or "", ())) or "Patient"
                out.problem(refs, element, problem.message)
    if deceased:
        out.note("deceased", "the patient is recorded as deceased: not assessed")
    problems = tuple(sorted(out.problems, key=lambda problem: (problem.field or "", problem.message)))
    return FhirPatient(patient_id, profile, problems, out.frozen_notes(), active,
                       out.provenance(), deceased)
