"""Condition → the atopic dermatitis diagnosis, its severity, and the other conditions.

Only an active, not refuted Condition counts (https://hl7.org/fhir/R4/condition.html:
verification ``refuted``/``entered-in-error`` and clinical ``inactive``/``resolved``/
``remission`` are excluded; a Condition without a clinical status is not known to be
active). Several active atopic dermatitis Conditions: the most recently recorded gives
the severity and the record says they disagreed; a tie that disagrees leaves severity
unknown, so the answer never depends on the order of the resources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from eligibility.inputs.fhir.elements import Bad, concept, concept_at, instant, reference_of, status, text
from eligibility.inputs.fhir.result import Mapped
from eligibility.inputs.fhir.valuesets import FIELD, value_set

ACTIVE = frozenset({"active", "recurrence", "relapse"})
EXCLUDED_VERIFICATION = frozenset({"refuted", "entered-in-error"})
OTHER_CONDITIONS = ("asthma", "hay_fever", "allergic_rhinitis")
_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def counts(condition: Mapping[str, Any], path: str = "Condition") -> bool:
    """Whether a Condition is active and not refuted or entered in error."""
    verification = status(condition, "verificationStatus", path)
    if verification in EXCLUDED_VERIFICATION:
        return False
    return status(condition, "clinicalStatus", path) in ACTIVE


def map_conditions(conditions: Sequence[tuple[str, Mapping[str, Any]]], out: Mapped) -> bool:
    """Severity and conditions from ``(reference, Condition)`` pairs; True when an active
    atopic dermatitis Condition was found."""
    diagnoses: list[tuple[dt.datetime, str, str | None]] = []
    others: dict[str, set[str]] = {}
    for reference, condition in conditions:
        try:
            if not counts(condition):
                continue
            code = concept(condition, "code", "Condition")
            if value_set("atopic_dermatitis").first(code) is not None:
                diagnoses.append((_recorded(condition), reference, _severity(condition)))
            for name in OTHER_CONDITIONS:
                if value_set(name).first(code) is not None:
                    others.setdefault(name, set()).add(reference)
        except Bad as error:
            out.problem(reference, error.path, error.message)
    if others:
        out.set(FIELD["other_conditions"], sorted(others), *(ref for refs in others.values() for ref in refs))
    if not diagnoses:
        return False
    _choose_severity(diagnoses, out)
    return True


def _choose_severity(diagnoses: list[tuple[dt.datetime, str, str | None]], out: Mapped) -> None:
    graded = [item for item in diagnoses if item[2] is not None]
    every = sorted(ref for _, ref, _ in diagnoses)
    if not graded:
        out.sources.setdefault("diagnosis", set()).update(every)
        return
    latest = max(when for when, _, _ in graded)
    newest = {severity for when, _, severity in graded if when == latest}
    newest_refs = sorted(ref for when, ref, _ in graded if when == latest)
    severities = {severity for _, _, severity in graded}
    out.sources.setdefault("diagnosis", set()).update(every)
    if len(severities) > 1:
        chosen = "left unknown (equally recent)" if len(newest) > 1 else \
            f"the most recently recorded ({next(iter(newest))}) is used"
        out.note("conflicting_severity",
                 f"active atopic dermatitis Conditions disagree on severity "
                 f"({', '.join(sorted(str(s) for s in severities))}): {chosen}",
                 *(ref for _, ref, _ in graded))
    if len(newest) == 1:
        out.set(FIELD["ad_severity"], next(iter(newest)), *newest_refs)


def _severity(condition: Mapping[str, Any]) -> str | None:
    value = value_set("condition_severity").first(concept_at(condition, "Condition.severity"))
    return value or None


def _recorded(condition: Mapping[str, Any]) -> dt.datetime:
    """When a Condition was recorded (the latest moment its date allows); else earliest."""
    recorded = text(condition, "recordedDate", "Condition")
    if recorded is None:
        return _EARLIEST
    return instant(recorded, "Condition.recordedDate")[1]


def reference_list(resources: Sequence[Mapping[str, Any]]) -> list[tuple[str, Mapping[str, Any]]]:
    return [(reference_of(resource, index), resource) for index, resource in enumerate(resources)]
