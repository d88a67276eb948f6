"""The batch pipeline writes records from the decisions, skipping the ``Assessment``;
its bytes are those of the per-record path (evaluate, then encode), at either detail."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.engine.rete import Engine
from eligibility.errors import ProfileError
from eligibility.inputs.base import InputRecord
from eligibility.render.wire import EncodedChunk
from eligibility.services.batch import assess_chunk
from eligibility.services.pipeline import Pipeline
from eligibility.testing import invalid_profiles, profiles

PACKS = ("article-2023", "us-labels-2026")
FILTERS: tuple[tuple[str, ...] | None, ...] = (None, ("allergen_immunotherapy", "nemolizumab"))


def _payloads(pack: str) -> st.SearchStrategy[list[object]]:
    valid = profiles(rules=pack).map(lambda profile: json.loads(profile.model_dump_json(exclude_none=True)))
    one = st.one_of(valid, valid.map(lambda data: {**data, "id": None} if "id" in data else data),
                    invalid_profiles().map(lambda bad: bad.data), st.sampled_from([[], "x", 3, None]))
    # Repeats (the memo) and profiles differing only in their id (one body, two heads).
    return st.lists(one, min_size=1, max_size=25).flatmap(
        lambda items: st.lists(st.sampled_from(items), min_size=len(items), max_size=2 * len(items)))


def _records(payloads: list[object]) -> list[InputRecord]:
    records = []
    for number, payload in enumerate(payloads):
        source = f"b\u00e9 \"q\".jsonl:{number + 1}"
        if number % 17 == 16:
            records.append(InputRecord(source, error=ProfileError("invalid JSON: read error")))
        else:
            records.append(InputRecord(source, payload=payload))
    return records


def _per_record(records: list[InputRecord], pack: str, options: tuple[str, ...] | None,
                detail: str) -> EncodedChunk:
    return EncodedChunk.of(assess_chunk(records, pack, options, detail))  # type: ignore[arg-type]


@pytest.mark.parametrize("options", FILTERS, ids=["all", "two-options"])
@pytest.mark.parametrize("detail", ["full", "brief"])
@pytest.mark.parametrize("pack", PACKS)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_the_pipeline_writes_the_bytes_of_the_per_record_path(
        pack: str, detail: str, options: tuple[str, ...] | None, data: st.DataObject) -> None:
    records = _records(data.draw(_payloads(pack)))
    pipeline = Pipeline(pack, detail, options)  # type: ignore[arg-type]
    for _ in range(2):  # the second time, every body comes from the memo
        fast = pipeline.encode(records)
        slow = _per_record(records, pack, options, detail)
        assert fast.data == slow.data
        assert fast.oks == slow.oks
        assert Counter(dict(fast.candidates)) == Counter(dict(slow.candidates))


def test_a_fault_in_a_chunk_is_pinned_on_its_record(monkeypatch: pytest.MonkeyPatch) -> None:
    payloads: list[object] = [{"id": f"p{n}", "age_years": 20 + n, "severity": "severe"} for n in range(6)]
    records = _records(payloads)
    expected = _per_record(records, "article-2023", None, "brief")
    real = Engine.outcomes_many

    def shared_sessions_fail(self: Engine, batch: list[object]) -> object:
        if len(batch) > 1:
            raise RuntimeError("the engine failed on a shared session")
        return real(self, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(Engine, "outcomes_many", shared_sessions_fail)
    assert Pipeline("article-2023", "brief").encode(records).data == expected.data
