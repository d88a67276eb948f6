"""Which profile fields a rule may read, and which operators suit each.

This table is the contract between rule packs and the ``Profile`` model: a rule on a
field that is not here, or with an operator its kind does not support, is rejected when
the pack loads.
"""

from __future__ import annotations

from typing import Literal

from eligibility.model.profile import CATEGORIES, MAX_AGE_YEARS

FieldKind = Literal["age", "category", "boolean", "list", "number"]

RULE_FIELDS: dict[str, FieldKind] = {
    "age": "age",
    "severity": "category",
    "topical_response": "category",
    "systemic_response": "category",
    "allergy_eczema_link": "boolean",
    "allergies": "list",
    "conditions": "list",
    "weight_kg": "number",
}

#: The profile fields behind each rule field (``age`` is given in years or months).
PROFILE_FIELDS_OF: dict[str, tuple[str, ...]] = {
    name: (("age_years", "age_months") if name == "age" else (name,)) for name in RULE_FIELDS
}

OPERATORS_BY_KIND: dict[FieldKind, tuple[str, ...]] = {
    "age": ("at_least", "above", "below", "at_most"),
    "category": ("one_of",),
    "boolean": ("equals",),
    "list": ("min_items",),
    "number": ("min_value",),
}

NUMBER_RANGES: dict[str, tuple[float, float]] = {"weight_kg": (0.0, 500.0)}
MAX_AGE_MONTHS = MAX_AGE_YEARS * 12


def categories(field: str) -> tuple[str, ...]:
    return CATEGORIES[field]
