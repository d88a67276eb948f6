"""Which option a draft medication order names: through the shipped value set only.

``valuesets/option-medications.json`` lists (system, code) pairs with the option each
names and the source that was checked; codes that could not be verified are listed
apart and never used. An order is matched by its codings alone, never by its text: a
guess from "dupi..." could put a warning on the wrong drug.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any


def _load() -> Mapping[tuple[str, str], str]:
    text = resources.files("eligibility.http").joinpath(
        "valuesets/option-medications.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return MappingProxyType({(item["system"], item["code"]): item["option"]
                             for item in data["codes"]})


#: (system, code) -> option id, read once when the module loads: shipped data, not a cache.
VALUE_SET = _load()


def value_set() -> Mapping[tuple[str, str], str]:
    return VALUE_SET


def ordered_options(context: Mapping[str, Any]) -> list[str]:
    """The options the selected draft orders name, in order, each once.

    ``selections`` (order-select) names the orders just chosen, as ``Type/id``; without it
    every draft order counts. Medication comes from ``medicationCodeableConcept`` or from
    a Medication the ``medicationReference`` points to in ``draftOrders`` or ``contained``.
    """
    drafts = context.get("draftOrders")
    entries = drafts.get("entry", []) if isinstance(drafts, dict) else []
    resources_in = [entry["resource"] for entry in entries if isinstance(entry, dict)
                    and isinstance(entry.get("resource"), dict)] if isinstance(entries, list) else []
    selections = context.get("selections")
    chosen = {item for item in selections if isinstance(item, str)} if isinstance(
        selections, list) else None
    found: dict[str, None] = {}
    known = value_set()
    for resource in resources_in:
        if resource.get("resourceType") != "MedicationRequest":
            continue
        if chosen is not None and f"MedicationRequest/{resource.get('id')}" not in chosen:
            continue
        for system, code in _codings(resource, resources_in):
            option = known.get((system, code))
            if option is not None:
                found.setdefault(option)
    return list(found)


def _codings(request: Mapping[str, Any], bundle: list[Any]) -> Iterator[tuple[str, str]]:
    concept = request.get("medicationCodeableConcept")
    reference = request.get("medicationReference")
    if isinstance(reference, dict) and isinstance(reference.get("reference"), str):
        target = reference["reference"]
        contained = request.get("contained", [])
        pool = [*bundle, *(contained if isinstance(contained, list) else [])]
        for candidate in pool:
            if isinstance(candidate, dict) and candidate.get("resourceType") == "Medication" and (
                    f"Medication/{candidate.get('id')}" == target
                    or f"#{candidate.get('id')}" == target):
                concept = candidate.get("code")
                break
    codings = concept.get("coding", []) if isinstance(concept, dict) else []
    for coding in codings if isinstance(codings, list) else []:
        if isinstance(coding, dict) and isinstance(coding.get("system"), str) and isinstance(
                coding.get("code"), str):
            yield coding["system"], coding["code"]
