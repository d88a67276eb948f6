"""The batch pipeline writes records from the decisions, skipping the ``Assessment``;
its bytes are those of the per-record path (evaluate, then encode), at either detail."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from batch_payloads import FILTERS, PACKS, payloads, records_of
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.cli import main
from eligibility.engine.rete import Engine
from eligibility.inputs.base import InputRecord
from eligibility.render.wire import EncodedChunk
from eligibility.services.batch import assess_chunk
from eligibility.services.pipeline import Pipeline


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
    records = records_of(data.draw(payloads(pack)))
    pipeline = Pipeline(pack, detail, options)  # type: ignore[arg-type]
    for _ in range(2):  # the second time, every body comes from the memo
        fast = pipeline.encode(records)
        slow = _per_record(records, pack, options, detail)
        assert fast.data == slow.data
        assert fast.oks == slow.oks
        assert Counter(dict(fast.candidates)) == Counter(dict(slow.candidates))
    # ... and they were written from the decisions: a fault would have fallen back to the
    # per-record path, giving the same bytes, so only this count tells the two apart.
    assert pipeline.assessed_chunks == 0


def test_the_command_line_writes_ordinary_records_from_the_decisions(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    made: list[Pipeline] = []
    real = Pipeline.__init__

    def kept(self: Pipeline, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(Pipeline, "__init__", kept)
    for detail in ("brief", "full"):
        assert main(["evaluate", str(EXAMPLES / "clinic-batch-all-statuses.jsonl"), "--format", "jsonl",
                     "--detail", detail, "-q"]) in (0, 1)
    assert [pipeline.assessed_chunks for pipeline in made] == [0, 0]
    assert capsys.readouterr().out.count("\n") > 2


def test_a_fault_in_a_chunk_is_pinned_on_its_record(monkeypatch: pytest.MonkeyPatch) -> None:
    payloads: list[object] = [{"id": f"p{n}", "age_years": 20 + n, "severity": "severe"} for n in range(6)]
    records = records_of(payloads)
    expected = _per_record(records, "article-2023", None, "brief")
    real = Engine.outcomes_many

    def shared_sessions_fail(self: Engine, batch: list[object]) -> object:
        if len(batch) > 1:
            raise RuntimeError("the engine failed on a shared session")
        return real(self, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(Engine, "outcomes_many", shared_sessions_fail)
    pipeline = Pipeline("article-2023", "brief")
    assert pipeline.encode(records).data == expected.data
    assert pipeline.assessed_chunks == 1
