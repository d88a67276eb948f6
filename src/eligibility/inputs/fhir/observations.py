"""Observation → weight (LOINC 29463-7) and the answers coded in the project's CodeSystem.

Weight: the latest final/amended/corrected body weight taken on or before the assessment
date and not older than ``max_weight_age``, in UCUM ``kg``, ``g`` or ``[lb_av]``, converted
exactly (88 [lb_av] is 39.91612856 kg, never rounded to 40). Any other unit is a problem
naming the element, never a guess.

Topical and systemic response and the allergy-eczema link have no standard code: an
Observation coded in ``codesystem-ad-assessment.json`` (``urn:eligibility:CodeSystem:
ad-assessment``) whose ``valueCodeableConcept`` codes the answer gives them; otherwise they
stay unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from eligibility.inputs.fhir.elements import Bad, concept, instant, obj, quoted, text
from eligibility.inputs.fhir.result import Mapped
from eligibility.inputs.fhir.valuesets import FIELD, OWN_SYSTEM, UCUM, value_set

FINAL = frozenset({"final", "amended", "corrected"})
#: How old a weight may be on the assessment date and still be used (configurable).
MAX_WEIGHT_AGE = dt.timedelta(days=365)
ANSWERS = {"not-tried": "not_tried", "adequate": "adequate", "inadequate": "inadequate",
           "not-advisable": "not_advisable"}
#: The project CodeSystem's question codes; the answers to the link question are LINK's.
QUESTIONS = ("topical-response", "systemic-response", "allergy-eczema-link")
LINK_QUESTION = "allergy-eczema-link"
LINK = {"linked": True, "not-linked": False}
Taken = tuple[dt.datetime, str, Mapping[str, Any]]


def map_observations(observations: Sequence[tuple[str, Mapping[str, Any]]], out: Mapped, *,
                     as_of: dt.date, max_weight_age: dt.timedelta = MAX_WEIGHT_AGE) -> None:
    end = dt.datetime.combine(as_of, dt.time.max, tzinfo=dt.UTC)
    weights: list[Taken] = []
    answers: dict[str, list[Taken]] = {}
    for reference, observation in observations:
        try:
            if text(observation, "status", "Observation") not in FINAL:
                continue
            code = concept(observation, "code", "Observation")
            question = next((c for s, c in code if s == OWN_SYSTEM and c in QUESTIONS),
                            None)
            is_weight = value_set("body_weight").first(code) is not None
            if question is None and not is_weight:
                continue
            taken = _taken(observation)
            if taken is None or taken > end:
                continue
            item = (taken, reference, observation)
            if is_weight:
                weights.append(item)
            if question is not None:
                answers.setdefault(question, []).append(item)
        except Bad as error:
            out.problem(reference, error.path, error.message)
    _weight(weights, out, end - max_weight_age)
    for question, items in sorted(answers.items()):
        _answer(question, items, out)


def _taken(observation: Mapping[str, Any]) -> dt.datetime | None:
    """When an observation was made: effective[x], else issued; None when undated."""
    when = text(observation, "effectiveDateTime", "Observation")
    if when is not None:
        return instant(when, "Observation.effectiveDateTime")[1]
    period = obj(observation, "effectivePeriod", "Observation")
    if period is not None:
        for key in ("end", "start"):
            value = text(period, key, "Observation.effectivePeriod")
            if value is not None:
                return instant(value, f"Observation.effectivePeriod.{key}")[1]
    issued = text(observation, "issued", "Observation")
    return instant(issued, "Observation.issued")[1] if issued is not None else None


def _latest(items: list[Taken]) -> list[Taken]:
    latest = max(item[0] for item in items)
    return sorted((item for item in items if item[0] == latest), key=lambda item: item[1])


def _weight(weights: list[Taken], out: Mapped, oldest: dt.datetime) -> None:
    recent = [item for item in weights if item[0] >= oldest]
    if not recent:
        if weights:
            out.note("weight_too_old", "the latest body weight is older than the limit: weight "
                     "left unknown", *(ref for _, ref, _ in weights))
        return
    latest = _latest(recent)
    values = set()
    for _, reference, observation in latest:
        try:
            values.add(grams_to_kg(_grams(observation)))
        except Bad as error:
            out.problem(reference, error.path, error.message)
            return
    if len(values) > 1:
        out.note("conflicting_weight", "equally recent body weights disagree: weight left "
                 "unknown", *(ref for _, ref, _ in latest))
        return
    out.set(FIELD["body_weight"], values.pop(), *(ref for _, ref, _ in latest))


def grams_to_kg(grams: Decimal) -> float:
    return float(grams / 1000)


def _grams(observation: Mapping[str, Any]) -> Decimal:
    path = "Observation.valueQuantity"
    quantity = obj(observation, "valueQuantity", "Observation")
    if quantity is None:
        raise Bad(path, "a body weight needs a valueQuantity")
    value = quantity.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Bad(f"{path}.value", f"must be a number, not {quoted(value)}")
    system, code = text(quantity, "system", path), text(quantity, "code", path)
    per_unit = value_set("weight_units").match(system or "", code or "")
    if system != UCUM or not per_unit:
        unit = code if code is not None else text(quantity, "unit", path)
        raise Bad(f"{path}.code", f"unit {quoted(unit)} is not a UCUM body weight unit (kg, g "
                  "or [lb_av]); the weight is not converted by guess")
    return Decimal(repr(value)) * Decimal(per_unit)


def _answer(question: str, items: list[Taken], out: Mapped) -> None:
    latest = _latest(items)
    values = set()
    for _, reference, observation in latest:
        try:
            values.add(_coded_answer(question, observation))
        except Bad as error:
            out.problem(reference, error.path, error.message)
            return
    if len(values) == 1:
        out.set(FIELD[question], values.pop(), *(ref for _, ref, _ in latest))
    else:
        out.note("conflicting_answer", f"equally recent Observations disagree on {FIELD[question]}: "
                 "left unknown", *(ref for _, ref, _ in latest))


def _coded_answer(question: str, observation: Mapping[str, Any]) -> str | bool:
    path = "Observation.valueCodeableConcept"
    codes = [code for system, code in concept(observation, "valueCodeableConcept", "Observation")
             if system == OWN_SYSTEM]
    allowed = LINK if question == LINK_QUESTION else ANSWERS
    for code in codes:
        if code in allowed:
            return allowed[code]
    raise Bad(path, f"needs one of {', '.join(allowed)} from {OWN_SYSTEM}")
