"""Properties of the FHIR mapping, on Bundles the kit draws with their expected profiles.

Bundle → profile equals the profile drawn; shuffling the entries or writing every
reference in another style never changes an answer; every drawn Bundle is valid FHIR
(the oracle); a Bulk export of the same resources maps to the same patients.
"""

from __future__ import annotations

import io
import json
import random

from fhir_fixtures import valid_bundle
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.inputs.fhir import FhirPatient, iter_bundle_patients
from eligibility.inputs.fhir.bulk import bulk_groups
from eligibility.inputs.fhir.bundle import patient_of
from eligibility.inputs.fhir.observations import MAX_WEIGHT_AGE
from eligibility.testing import FhirCase, fhir_bundles, restyled
from eligibility.testing._fhir import STYLES


def answers(patients: list[FhirPatient]) -> list[tuple[object, ...]]:
    return [(patient.patient_id, patient.profile, patient.problems, patient.notes,
             patient.has_active_diagnosis, dict(patient.provenance)) for patient in patients]


@given(fhir_bundles())
def test_a_bundle_maps_to_the_profiles_drawn(case: FhirCase) -> None:
    patients = list(iter_bundle_patients(case.bundle, as_of=case.as_of))
    assert [patient.patient_id for patient in patients] == [ident for ident, _ in case.profiles]
    for patient, (_, expected) in zip(patients, case.profiles, strict=True):
        assert patient.problems == ()
        assert patient.profile is not None
        assert patient.profile.model_dump(exclude_none=True) == expected


@given(fhir_bundles(), st.randoms(use_true_random=False))
def test_shuffling_the_entries_changes_no_answer(case: FhirCase, rng: random.Random) -> None:
    before = answers(list(iter_bundle_patients(case.bundle, as_of=case.as_of)))
    entries = list(case.bundle["entry"])
    rng.shuffle(entries)
    after = answers(list(iter_bundle_patients(dict(case.bundle, entry=entries), as_of=case.as_of)))
    assert sorted(after, key=lambda item: str(item[0])) == sorted(before, key=lambda item: str(item[0]))


@given(fhir_bundles(), st.sampled_from(STYLES))
def test_reference_styles_change_no_answer(case: FhirCase, style: str) -> None:
    before = answers(list(iter_bundle_patients(case.bundle, as_of=case.as_of)))
    after = answers(list(iter_bundle_patients(restyled(case.bundle, style),  # type: ignore[arg-type]
                                              as_of=case.as_of)))
    assert after == before


@settings(max_examples=25, deadline=None)
@given(fhir_bundles())
def test_drawn_bundles_are_valid_fhir(case: FhirCase) -> None:
    valid_bundle(case.bundle)


@settings(max_examples=25, deadline=None)
@given(fhir_bundles())
def test_a_bulk_export_maps_to_the_same_patients(case: FhirCase) -> None:
    by_type: dict[str, list[str]] = {}
    for entry in restyled(case.bundle, "relative")["entry"]:
        resource = entry["resource"]
        by_type.setdefault(resource["resourceType"], []).append(json.dumps(resource))
    parts = iter([(f"{kind}.ndjson", io.BytesIO(("\n".join(lines) + "\n").encode()))
                  for kind, lines in sorted(by_type.items())])
    bulk = [patient_of(group, case.as_of, MAX_WEIGHT_AGE) for _, group in bulk_groups(parts)]
    assert answers(bulk) == answers(list(iter_bundle_patients(case.bundle, as_of=case.as_of)))
