"""Batches of payloads for the paths that must agree with the per-record one (the
pipeline's bytes, the overview's decisions): valid profiles of a pack, profiles without
an id, invalid ones, non-objects, repeats, and unreadable records."""

from __future__ import annotations

import json

from hypothesis import strategies as st

from eligibility.errors import ProfileError
from eligibility.inputs.base import InputRecord
from eligibility.testing import invalid_profiles, profiles

PACKS = ("article-2023", "us-labels-2026")
FILTERS: tuple[tuple[str, ...] | None, ...] = (None, ("allergen_immunotherapy", "nemolizumab"))


def payloads(pack: str) -> st.SearchStrategy[list[object]]:
    valid = profiles(rules=pack).map(lambda profile: json.loads(profile.model_dump_json(exclude_none=True)))
    one = st.one_of(valid, valid.map(lambda data: {**data, "id": None} if "id" in data else data),
                    invalid_profiles().map(lambda bad: bad.data), st.sampled_from([[], "x", 3, None]))
    # Repeats (the memo) and profiles differing only in their id (one body, two heads).
    return st.lists(one, min_size=1, max_size=25).flatmap(
        lambda items: st.lists(st.sampled_from(items), min_size=len(items), max_size=2 * len(items)))


def records_of(payloads: list[object]) -> list[InputRecord]:
    records = []
    for number, payload in enumerate(payloads):
        source = f"b\u00e9 \"q\".jsonl:{number + 1}"
        if number % 17 == 16:
            records.append(InputRecord(source, error=ProfileError("invalid JSON: read error")))
        else:
            records.append(InputRecord(source, payload=payload))
    return records
