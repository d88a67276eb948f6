"""The overview and CSV read a batch's decisions, not its Assessments; what they show is
what the Assessments decide, and their bytes are today's: goldens written by the
Assessment-based overview before the decisions path existed (``fixtures/overview``)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from batch_payloads import FILTERS, PACKS, payloads, records_of
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.cli import main
from eligibility.inputs.base import InputRecord
from eligibility.model.assessment import Note, SourceRef
from eligibility.render.human import write_assessments
from eligibility.render.overview import columns_of
from eligibility.render.record import ErrorRecord
from eligibility.render.spreadsheet import write_csv
from eligibility.render.wire import Decided, Evaluated, Outcome
from eligibility.services.batch import outcomes_of
from eligibility.services.decisions import Decisions

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "overview"
#: (golden file, COLUMNS, arguments after ``evaluate batch.jsonl -q``).
CASES = [
    ("text-100.txt", "100", ["--format", "text"]),
    ("text-80.txt", "80", ["--format", "table"]),
    ("text-options-120.txt", "120", ["--format", "text", "--option", "adbry", "--option", "Ebglyss"]),
    ("text-us-labels-120.txt", "120", ["--format", "text", "--rules", "us-labels-2026"]),
    ("batch.csv", "100", ["--format", "csv"]),
    ("us-labels-adbry.csv", "100", ["--format", "csv", "--rules", "us-labels-2026", "--option", "Adbry"]),
]


def _run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: str,
         *argv: str) -> str:
    monkeypatch.chdir(GOLDEN)
    monkeypatch.setenv("COLUMNS", columns)
    # On a fixed date: without --as-of the views would name today.
    assert main(["evaluate", "batch.jsonl", "-q", "--as-of", "2026-06-01", *argv]) == 1  # invalid records
    return capsys.readouterr().out


@pytest.mark.parametrize(("golden", "columns", "argv"), CASES, ids=[case[0] for case in CASES])
def test_the_views_of_a_batch_keep_their_bytes(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch, golden: str,
                                               columns: str, argv: list[str]) -> None:
    """Paths cut on the left, wide names, an id-less record, repeats, every invalid kind."""
    expected = (GOLDEN / golden).read_bytes().decode("utf-8")
    assert _run(capsys, monkeypatch, columns, *argv) == expected


def test_worker_processes_give_the_same_overview(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """With --jobs 2 the overview reads full outcomes from the workers, the old path."""
    expected = (GOLDEN / "text-100.txt").read_text(encoding="utf-8")
    assert _run(capsys, monkeypatch, "100", "--format", "text", "--jobs", "2") == expected


def _as_decided(outcomes: list[Outcome]) -> list[Decided | Outcome]:
    return [Decided.of(item) if isinstance(item, Evaluated) else item for item in outcomes]


def _views(items: list[Decided | Outcome], options: tuple[str, ...] | None,
           frame_of: Decisions) -> tuple[str, str]:
    ids = [option.id for option in frame_of.frame.options]
    columns = columns_of([(option.id, option.name, option.trial) for option in frame_of.frame.options])
    text, sheet = io.StringIO(), io.StringIO()
    write_assessments(items, text, columns, 100)
    write_csv(items, sheet, ids)
    return text.getvalue(), sheet.getvalue()


@pytest.mark.parametrize("options", FILTERS, ids=["all", "two-options"])
@pytest.mark.parametrize("pack", PACKS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_decisions_are_what_the_assessments_decide(pack: str, options: tuple[str, ...] | None,
                                                   data: st.DataObject) -> None:
    records = records_of(data.draw(payloads(pack)))
    as_of = data.draw(st.sampled_from([None, dt.date(2026, 6, 1)]))  # a birth_date needs one
    decisions = Decisions(pack, options, as_of)
    fast = list(decisions.decide(records))
    full = outcomes_of(records, pack, options, as_of)
    assert fast == _as_decided(full)
    assert all(not isinstance(item, Evaluated) for item in fast)  # no Assessment was built
    assert decisions.assessed_chunks == 0  # no fault fell back to the assessments
    if len(records) > 1:  # one record is always shown in full (its table of reasons)
        assert _views(fast, options, decisions) == _views(list(full), options, decisions)


def test_a_record_with_a_readers_notes_keeps_its_full_outcome() -> None:
    """FHIR notes are said under the overview (the last record's), so they need the full
    outcome: a chunk with one goes down the per-record path."""
    note = Note(id="fhir.no_condition", text="no active eczema diagnosis was found",
                source=SourceRef(document="FHIR record", section="Condition"))
    records = [InputRecord("a.json:1", {"id": "a", "age_years": 30}, notes=(note,)),
               InputRecord("a.json:2", {"id": "b", "age_years": 40})]
    fast = list(Decisions("article-2023").decide(records))
    assert fast == list(outcomes_of(records))
    assert isinstance(fast[0], Evaluated) and fast[0].assessment.notes[-1] == note
    text = io.StringIO()
    write_assessments(fast, text, width=100)
    assert "- no active eczema diagnosis was found" not in text.getvalue()  # not the last record's
    write_assessments(fast[::-1], text, width=100)
    assert "- no active eczema diagnosis was found" in text.getvalue()


def test_a_fault_in_a_chunk_is_pinned_on_records_as_the_per_record_path_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    decisions = Decisions("article-2023")
    records = [InputRecord(f"f.jsonl:{n}", {"id": f"p{n}", "age_years": 20 + n}) for n in range(3)]

    def broken(*_: object) -> None:
        raise RuntimeError("engine fault")

    monkeypatch.setattr(type(decisions._engine), "outcomes_many", broken)
    fast = list(decisions.decide(records))
    assert fast == list(outcomes_of(records))
    assert all(isinstance(item, ErrorRecord) and item.error.kind == "internal" for item in fast)
    assert decisions.assessed_chunks == 1


def test_one_record_is_never_shown_from_its_decisions_alone() -> None:
    [decided] = Decisions("article-2023").decide([InputRecord("one.json", {"age_years": 30})])
    with pytest.raises(TypeError, match="reasons"):
        write_assessments([decided], io.StringIO())
