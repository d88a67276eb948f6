"""FHIR R4 Bundles drawn together with the profiles they must map to (issue 14).

``fhir_bundles()`` draws a Bundle of one to four patients, each with the Conditions,
AllergyIntolerances, Observations and Medication* that give a known profile, mixed with
resources the mapping must ignore (refuted, entered in error, resolved, preliminary,
another patient's), each referencing its patient in a drawn style (relative, absolute,
``urn:uuid:``). ``FhirCase.profiles`` is what each Patient must map to. ``restyled``
rewrites every reference in one style: the answer must not change.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from hypothesis import strategies as st

from eligibility.inputs.fhir.valuesets import ELEMENT, FIELD

SNOMED = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
OWN = "urn:eligibility:CodeSystem:ad-assessment"
BASE = "https://ehr.example.org/fhir/"
Style = Literal["relative", "absolute", "urn"]
STYLES: tuple[Style, ...] = ("relative", "absolute", "urn")
#: Codes drawn, with what they must map to (the kit's own copy: an independent oracle).
AD_CODES = ((SNOMED, "24079001"), (ICD, "L20.9"), (ICD, "L20.89"), (ICD, "L20.0"))
SEVERITIES = {"mild": "255604002", "moderate": "6736007", "severe": "24484000"}
ALLERGENS = {"dust_mite": "260147004", "tree_pollen": "782576004",
             "grass_pollen": "256277009", "pet_dander": "264287008", "mould": "84489001"}
CONDITIONS = {"asthma": (SNOMED, "195967001"), "hay_fever": (ICD, "J30.1"),
              "allergic_rhinitis": (SNOMED, "61582004")}
RESPONSES = {"not-tried": "not_tried", "adequate": "adequate", "inadequate": "inadequate",
             "not-advisable": "not_advisable"}
POUND_KG = Decimal("0.45359237")
#: The Condition element severity is read from, as the mapping's data names it.
SEVERITY = ELEMENT[FIELD["ad_severity"]].rpartition(".")[2]


@dataclass(frozen=True)
class FhirCase:
    """A Bundle, the assessment date, and each Patient's expected profile (by id, in
    entry order), as ``Profile.model_dump(exclude_none=True)`` gives it."""

    bundle: Mapping[str, Any]
    as_of: dt.date
    profiles: tuple[tuple[str, Mapping[str, Any]], ...]


def _coded(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _status(kind: str, code: str) -> dict[str, Any]:
    return _coded(f"http://terminology.hl7.org/CodeSystem/{kind}", code)


@st.composite
def _patient(draw: st.DrawFn, ident: str, as_of: dt.date) -> tuple[list[dict[str, Any]],
                                                                    dict[str, Any]]:
    """One patient's resources (subject ``Patient/<id>``) and the profile they give."""
    expected: dict[str, Any] = {"id": ident}
    patient: dict[str, Any] = {"resourceType": "Patient", "id": ident}
    born = draw(st.dates(dt.date(1930, 1, 1), as_of))
    precision = draw(st.sampled_from(("day", "month", "year", "none")))
    if precision != "none":
        text = {"day": born.isoformat(), "month": born.isoformat()[:7],
                "year": born.isoformat()[:4]}[precision]
        patient["birthDate"] = expected[FIELD["patient_birth_date"]] = text
    resources = [patient]
    counter = iter(range(1000))

    def add(kind: str, body: dict[str, Any]) -> None:
        element = "patient" if kind == "AllergyIntolerance" else "subject"
        resources.append({"resourceType": kind, "id": f"{ident}-{next(counter)}",
                          element: {"reference": f"Patient/{ident}"}, **body})

    severity = draw(st.sampled_from((None, "none", *SEVERITIES)))
    if severity is not None:
        body: dict[str, Any] = {"clinicalStatus": _status("condition-clinical", "active"),
                                "code": _coded(*draw(st.sampled_from(AD_CODES)))}
        if severity != "none":
            body[SEVERITY] = _coded(SNOMED, SEVERITIES[severity])
            expected[FIELD["ad_severity"]] = severity
        add("Condition", body)
    # Ignored: a refuted diagnosis and a resolved one, whatever their severity.
    add("Condition", {"clinicalStatus": _status("condition-clinical", "active"),
                      "verificationStatus": _status("condition-ver-status", "refuted"),
                      "code": _coded(*AD_CODES[0]), SEVERITY: _coded(SNOMED, SEVERITIES["mild"])})
    if draw(st.booleans()):
        add("Condition", {"clinicalStatus": _status("condition-clinical", "resolved"),
                          "code": _coded(*AD_CODES[1]),
                          SEVERITY: _coded(SNOMED, SEVERITIES["severe"])})
    others = draw(st.lists(st.sampled_from(sorted(CONDITIONS)), unique=True))
    for name in others:
        add("Condition", {"clinicalStatus": _status("condition-clinical", "active"),
                          "code": _coded(*CONDITIONS[name])})
    if others:
        expected[FIELD["other_conditions"]] = sorted(others)
    allergies = draw(st.one_of(st.none(), st.just("none-known"),
                               st.lists(st.sampled_from(sorted(ALLERGENS)), min_size=1,
                                        unique=True)))
    if allergies == "none-known":
        add("AllergyIntolerance", {"code": _coded(SNOMED, "716186003")})
        expected[FIELD["allergens"]] = []
    elif isinstance(allergies, list):
        for name in allergies:
            add("AllergyIntolerance", {"code": _coded(SNOMED, ALLERGENS[name]),
                                       "clinicalStatus": _status(
                                           "allergyintolerance-clinical", "active")})
        expected[FIELD["allergens"]] = sorted(allergies)
        add("AllergyIntolerance", {"code": _coded(SNOMED, ALLERGENS["mould"]),
                                   "verificationStatus": _status(
                                       "allergyintolerance-verification", "entered-in-error")})
    _weight(draw, add, expected, as_of)
    for question in ("topical-response", "systemic-response"):
        answer = draw(st.sampled_from((None, *RESPONSES)))
        if answer is not None:
            add("Observation", _observation(question, answer, as_of))
            expected[FIELD[question]] = RESPONSES[answer]
    link = draw(st.sampled_from((None, "linked", "not-linked")))
    if link is not None:
        add("Observation", _observation("allergy-eczema-link", link, as_of))
        expected[FIELD["allergy-eczema-link"]] = link == "linked"
    if draw(st.booleans()):  # tried, never read as an answer
        add("MedicationRequest", {"status": "active", "intent": "order",
                                  "medicationCodeableConcept": _coded(
                                      "http://www.whocc.no/atc", "D07AC01")})
    return resources, expected


def _observation(question: str, answer: str, as_of: dt.date) -> dict[str, Any]:
    return {"status": "final", "code": _coded(OWN, question),
            "effectiveDateTime": as_of.isoformat(), "valueCodeableConcept": _coded(OWN, answer)}


def _weight(draw: st.DrawFn, add: Any, expected: dict[str, Any], as_of: dt.date) -> None:
    unit = draw(st.sampled_from((None, "kg", "g", "[lb_av]")))
    if unit is None:
        return
    amount = draw(st.integers(2, 300))
    value: float | int = {"kg": amount, "g": amount * 1000, "[lb_av]": amount}[unit]
    kg = float(Decimal(amount) * POUND_KG) if unit == "[lb_av]" else float(amount)
    taken = as_of - dt.timedelta(days=draw(st.integers(0, 300)))
    quantity: dict[str, Any] = {"value": value, "unit": unit,
                                "system": "http://unitsofmeasure.org", "code": unit}
    body: dict[str, Any] = {"status": draw(st.sampled_from(("final", "amended", "corrected"))),
            "code": _coded("http://loinc.org", "29463-7"), "effectiveDateTime": taken.isoformat(),
            "valueQuantity": quantity}
    add("Observation", body)
    older = dict(body, status="final", effectiveDateTime=(taken - dt.timedelta(days=1)).isoformat(),
                 valueQuantity=dict(quantity, value=value * 2))
    add("Observation", older)  # an older weight: the latest wins
    add("Observation", dict(body, status="preliminary",
                            valueQuantity=dict(quantity, value=value * 3)))  # not final: ignored
    expected[FIELD["body_weight"]] = kg


@st.composite
def fhir_bundles(draw: st.DrawFn, *, as_of: dt.date = dt.date(2026, 6, 1),
                 max_patients: int = 4) -> FhirCase:
    """A Bundle of 1 to ``max_patients`` patients, references in drawn styles, with the
    profile each Patient must map to."""
    count = draw(st.integers(1, max_patients))
    resources: list[dict[str, Any]] = []
    profiles = []
    for number in range(count):
        ident = f"pt{number}"
        own, expected = draw(_patient(ident, as_of))
        resources += own
        profiles.append((ident, expected))
    kind = draw(st.sampled_from(("collection", "searchset", "transaction", "batch")))
    styles = draw(st.lists(st.sampled_from(STYLES), min_size=len(resources),
                           max_size=len(resources)))
    return FhirCase(_bundle(resources, kind, styles), as_of, tuple(profiles))


def _bundle(resources: list[dict[str, Any]], kind: str, styles: list[Style]) -> dict[str, Any]:
    entries = []
    for resource, style in zip(resources, styles, strict=True):
        resource = json.loads(json.dumps(resource))
        reference = f"{resource['resourceType']}/{resource['id']}"
        entry: dict[str, Any] = {"fullUrl": _full_url(reference), "resource": resource}
        for element in ("subject", "patient"):
            if element in resource:
                resource[element]["reference"] = _styled(resource[element]["reference"], style)
        if kind in ("transaction", "batch"):
            entry["request"] = {"method": "PUT", "url": reference}
        entries.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def _uuid(ident: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, BASE + ident))


def _full_url(reference: str) -> str:
    """A fullUrl per resource: Patients get urn:uuid (the Synthea style), others absolute."""
    kind, _, ident = reference.partition("/")
    return f"urn:uuid:{_uuid(ident)}" if kind == "Patient" else BASE + reference


def _styled(reference: str, style: Style) -> str:
    """A reference to the same Patient in ``style`` (whatever style it was written in)."""
    ident = reference.split("/")[-1]
    if reference.startswith("urn:uuid:"):
        ident = _IDS.get(reference.removeprefix("urn:uuid:"), ident)
    return {"relative": f"Patient/{ident}", "absolute": f"{BASE}Patient/{ident}",
            "urn": f"urn:uuid:{_uuid(ident)}"}[style]


#: uuid → Patient id, for the ids the kit draws (pt0 … pt63).
_IDS = {_uuid(f"pt{number}"): f"pt{number}" for number in range(64)}


def restyled(bundle: Mapping[str, Any], style: Style) -> dict[str, Any]:
    """The Bundle with every patient reference written in ``style``."""
    copy: dict[str, Any] = json.loads(json.dumps(bundle))
    for entry in copy["entry"]:
        resource = entry["resource"]
        for element in ("subject", "patient"):
            if element in resource:
                resource[element]["reference"] = _styled(resource[element]["reference"], style)
    return copy
