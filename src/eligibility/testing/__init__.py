"""A property-based testing kit for code built on the decision aid (needs ``hypothesis``).

Strategies (plural nouns, as Hypothesis names them) draw valid profiles, profiles at
every threshold of a rule pack, invalid mappings with the field their error must name,
and file contents for command-line tests. The ``assert_*`` checks are plain functions
that raise ``AssertionError`` with a message saying what went wrong::

    from hypothesis import given
    from eligibility import evaluate
    from eligibility.testing import assert_invariants, profiles

    @given(profiles(severity="severe"))
    def test_my_wrapper(profile):
        assert_invariants(profile)

See docs/testing.md. ``import eligibility`` does not import this package.
"""

from __future__ import annotations

from eligibility.testing._fhir import FhirCase, fhir_bundles, restyled
from eligibility.testing._files import JsonlBatch, ProfileFile, Record, jsonl_batches, profile_files
from eligibility.testing._invalid import InvalidProfile, invalid_profiles
from eligibility.testing._invariants import (
    assert_agrees_with_reference,
    assert_deterministic,
    assert_dropping_never_creates_candidate,
    assert_invariants,
    assert_label_limits,
    assert_label_limits_at_all_ages,
    assert_monotone_in_age,
    assert_unknown_never_not_met,
    assert_well_formed,
)
from eligibility.testing._settings import register_profiles
from eligibility.testing._strategies import boundary_profiles, profiles

__all__ = [
    "FhirCase",
    "InvalidProfile",
    "JsonlBatch",
    "ProfileFile",
    "Record",
    "assert_agrees_with_reference",
    "assert_deterministic",
    "assert_dropping_never_creates_candidate",
    "assert_invariants",
    "assert_label_limits",
    "assert_label_limits_at_all_ages",
    "assert_monotone_in_age",
    "assert_unknown_never_not_met",
    "assert_well_formed",
    "boundary_profiles",
    "fhir_bundles",
    "invalid_profiles",
    "jsonl_batches",
    "profile_files",
    "profiles",
    "register_profiles",
    "restyled",
]
