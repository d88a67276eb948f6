"""AllergyIntolerance → the profile's allergies, in the allergen vocabulary's codes.

Excluded: verification ``refuted``/``entered-in-error``, clinical ``inactive``/``resolved``
(https://hl7.org/fhir/R4/allergyintolerance.html). An active "no known allergy" record
(SNOMED 716186003, IPS ``no-known-allergies``) gives none known (``[]``); a negation is
never an allergen; no AllergyIntolerance at all leaves allergies unknown (an empty search
result says nothing). A code the value set does not know is read by its category
(``food`` → food, ``medication`` → drug) or kept as its text, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eligibility.inputs.fhir.elements import Bad, array, concept, obj, quoted, status, text
from eligibility.inputs.fhir.result import Mapped
from eligibility.inputs.fhir.valuesets import FIELD, value_set

EXCLUDED_VERIFICATION = frozenset({"refuted", "entered-in-error"})
EXCLUDED_CLINICAL = frozenset({"inactive", "resolved"})
BY_CATEGORY = {"food": "food", "medication": "drug"}
CATEGORIES = frozenset({"food", "medication", "environment", "biologic"})


def counts(allergy: Mapping[str, Any], path: str = "AllergyIntolerance") -> bool:
    if status(allergy, "verificationStatus", path) in EXCLUDED_VERIFICATION:
        return False
    return status(allergy, "clinicalStatus", path) not in EXCLUDED_CLINICAL


def map_allergies(allergies: Sequence[tuple[str, Mapping[str, Any]]], out: Mapped) -> None:
    found: dict[str, set[str]] = {}
    negations: list[str] = []
    for reference, allergy in allergies:
        try:
            if not counts(allergy):
                continue
            entry = _entry(allergy, reference, out)
        except Bad as error:
            out.problem(reference, error.path, error.message)
            continue
        if entry == "":
            negations.append(reference)
        elif entry is not None:
            found.setdefault(entry, set()).add(reference)
    if found:
        out.set(FIELD["allergens"], sorted(found), *(ref for refs in found.values() for ref in refs))
        if negations:
            out.note("no_known_allergy_contradicted",
                     "a 'no known allergy' record stands beside recorded allergies: the "
                     "allergies are used", *negations)
    elif negations:
        out.set(FIELD["allergens"], [], *negations)


def _entry(allergy: Mapping[str, Any], reference: str, out: Mapped) -> str | None:
    """The allergen code, ``""`` for a no-known-allergy record, None for nothing usable."""
    code = concept(allergy, "code", "AllergyIntolerance")
    if value_set("no_known_allergy").first(code) is not None:
        return ""
    if value_set("allergy_says_nothing").first(code) is not None:
        out.note("allergy_record_skipped", "an AllergyIntolerance that says nothing about "
                 "environmental allergens (no known drug allergy, no information) is skipped",
                 reference)
        return None
    known = value_set("allergens").first(code)
    if known:
        return known
    for category in _categories(allergy):
        if category in BY_CATEGORY:
            return BY_CATEGORY[category]
    code_element = obj(allergy, "code", "AllergyIntolerance")
    written = text(code_element, "text", "AllergyIntolerance.code") if code_element else None
    if written and written.strip():
        return written.strip()
    out.note("allergy_unreadable", "an AllergyIntolerance names no substance this aid can read: "
             "not counted", reference)
    return None


def _categories(allergy: Mapping[str, Any]) -> list[str]:
    categories = []
    for index, category in enumerate(array(allergy, "category", "AllergyIntolerance")):
        if category not in CATEGORIES:
            raise Bad(f"AllergyIntolerance.category[{index}]",
                      f"{quoted(category)} is not food, medication, environment or biologic")
        categories.append(category)
    return categories
