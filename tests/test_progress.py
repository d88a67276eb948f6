"""The progress line and the summary never change what is written, and stay off stdout."""

from __future__ import annotations

import pytest

import eligibility.cli.progress as progress
from eligibility import evaluate
from eligibility.errors import ProfileError
from eligibility.render.formats import OptionLabel
from eligibility.render.wire import EncodedChunk, EncodedRecord, Evaluated, encode, failure


def test_progress_passes_every_item_through_in_order(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    monkeypatch.setattr(progress, "EVERY", 2)
    chunks = [EncodedChunk.of([EncodedRecord(f'{{"n":{n}}}', ok=n % 3 != 0)]) for n in range(10)]
    tally = progress.Tally()
    assert list(progress.watched(iter(chunks), tally, progress=True)) == chunks
    assert capsys.readouterr().out == ""
    assert (tally.records, tally.invalid) == (10, 4)


def test_progress_disabled_is_a_plain_pass_through_that_still_counts() -> None:
    records = [EncodedChunk.of([EncodedRecord("{}", ok=True)])]
    tally = progress.Tally()
    assert list(progress.watched(records, tally, progress=False)) == records
    assert tally.records == 1


def test_the_tally_counts_candidates_the_same_from_chunks_and_outcomes() -> None:
    outcomes = [Evaluated("a:1", evaluate({"age_years": 30, "severity": "severe",
                                           "topical_response": "inadequate"})),
                Evaluated("a:2", evaluate({"age_years": 16, "severity": "severe",
                                           "topical_response": "inadequate"})),
                failure("a:3", ProfileError("bad"), None)]
    typed, encoded = progress.Tally(), progress.Tally()
    for outcome in outcomes:
        typed.add(outcome)
    encoded.add(EncodedChunk.of([encode(outcome) for outcome in outcomes]))
    assert typed.candidates == encoded.candidates
    assert (typed.records, typed.invalid) == (encoded.records, encoded.invalid) == (3, 1)
    labels = (OptionLabel("dupilumab", "Dupixent", False),
              OptionLabel("tralokinumab", "Adbry", False))
    assert typed.summary(labels, timed=False) == (
        "eligibility: 3 records, 1 invalid; candidates: Dupixent 2, Adbry 1")
    assert typed.summary(labels, timed=True).endswith(" s")
