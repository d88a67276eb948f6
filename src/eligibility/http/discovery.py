"""The two CDS services this face offers and what each asks the EHR to prefetch.

Both read the same five searches (CDS Hooks 2.0.1 "Prefetch Template"; only reads,
type searches, token equality, ``_count`` and ``_sort``, the "Prefetch query
restrictions" subset): the Patient, its Conditions and AllergyIntolerances, its latest
body weight (LOINC 29463-7) and the project's own assessment Observations (CodeSystem
``urn:eligibility:CodeSystem:ad-assessment``, issue #14). ``_sort=-date`` is FHIR's
descending sort; the spec's example ``sort:desc=date`` is not FHIR syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

PATIENT = "{{context.patientId}}"
ASSESSMENT_SYSTEM = "urn:eligibility:CodeSystem:ad-assessment"
ASSESSMENT_CODES = ("topical-response", "systemic-response", "allergy-eczema-link")

PREFETCH: Mapping[str, str] = MappingProxyType({
    "patient": f"Patient/{PATIENT}",
    "condition": f"Condition?patient={PATIENT}",
    "allergyIntolerance": f"AllergyIntolerance?patient={PATIENT}",
    "weight": f"Observation?patient={PATIENT}&code=http://loinc.org|29463-7&_sort=-date&_count=1",
    "assessments": f"Observation?patient={PATIENT}&code="
                   + ",".join(f"{ASSESSMENT_SYSTEM}|{code}" for code in ASSESSMENT_CODES)
                   + "&_sort=-date",
})


@dataclass(frozen=True)
class Service:
    id: str
    hook: str
    title: str
    description: str
    usage: str

    def discovery(self) -> dict[str, Any]:
        return {"hook": self.hook, "title": self.title, "description": self.description,
                "id": self.id, "prefetch": dict(PREFETCH), "usageRequirements": self.usage}


_USAGE = ("Needs the prefetch above, or fhirServer with fhirAuthorization for a FHIR server "
          "configured for the calling client. A decision aid for clinicians, not a "
          "prescription: the treating clinician decides.")

SERVICES: Mapping[str, Service] = MappingProxyType({service.id: service for service in (
    Service("eligibility-patient-view", "patient-view",
            "Immunotherapy options for atopic dermatitis",
            "When a chart opens: which immunotherapy options (biologics, allergen "
            "immunotherapy, trial drugs) the patient may be a candidate for or needs "
            "information for, with the criteria and what would change the answer.", _USAGE),
    Service("eligibility-order-select", "order-select",
            "Immunotherapy order check for atopic dermatitis",
            "When an immunotherapy option for atopic dermatitis is selected: a warning "
            "when the patient is not a candidate for it, with the criteria not met.", _USAGE),
)})


def discovery_document() -> dict[str, Any]:
    return {"services": [service.discovery() for service in SERVICES.values()]}
