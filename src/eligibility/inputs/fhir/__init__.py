"""FHIR R4 input: Bundles and Bulk Data exports become profiles, with provenance.

The public seam is ``map_patient`` (one patient's resources, already grouped, e.g. a CDS
Hooks prefetch) and ``iter_bundle_patients`` (a whole Bundle), both returning frozen
``FhirPatient`` values; the readers that plug FHIR files into ``evaluate`` sit beside
them. Modules, one job each: ``elements`` (reading JSON elements, with paths),
``references`` (every reference style to one Patient id), ``bundle`` (grouping a Bundle),
``patient`` (one patient), ``conditions``/``allergies``/``observations``/``medications``
(a resource type each), ``valuesets`` (the shipped code lists, ``valuesets.toml``, and the
project's own CodeSystem, ``codesystem-ad-assessment.json``), ``result`` (``FhirPatient``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eligibility.inputs.fhir.bundle import iter_bundle_patients
    from eligibility.inputs.fhir.observations import MAX_WEIGHT_AGE
    from eligibility.inputs.fhir.patient import map_patient
    from eligibility.inputs.fhir.result import FhirNote, FhirPatient
    from eligibility.inputs.fhir.valuesets import OWN_SYSTEM, TERMINOLOGY

__all__ = ["MAX_WEIGHT_AGE", "OWN_SYSTEM", "TERMINOLOGY", "FhirNote", "FhirPatient",
           "iter_bundle_patients", "map_patient"]

#: Where each public name lives. They are imported when first asked for: every run of the
#: command line registers the FHIR readers (``inputs/formats.py``), but only a FHIR input
#: needs the mapping and its code lists (~13 ms of a one-profile run's start-up).
_HOMES = {"iter_bundle_patients": "bundle", "MAX_WEIGHT_AGE": "observations",
          "map_patient": "patient", "FhirNote": "result", "FhirPatient": "result",
          "OWN_SYSTEM": "valuesets", "TERMINOLOGY": "valuesets"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
