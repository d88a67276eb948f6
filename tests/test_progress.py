"""The progress line and the summary never change what is written, and stay off stdout."""

from __future__ import annotations

import io
import sys

import pytest

import eligibility.cli.progress as progress
from eligibility import evaluate
from eligibility.errors import ProfileError
from eligibility.render.formats import OptionLabel
from eligibility.render.wire import Decided, EncodedChunk, EncodedRecord, Evaluated, encode, failure


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
    typed, encoded, decided = progress.Tally(), progress.Tally(), progress.Tally()
    for outcome in outcomes:
        typed.add(outcome)
        decided.add(Decided.of(outcome) if isinstance(outcome, Evaluated) else outcome)
    encoded.add(EncodedChunk.of([encode(outcome) for outcome in outcomes]))
    assert typed.candidates == encoded.candidates == decided.candidates
    assert (decided.records, decided.invalid) == (3, 1)
    assert (typed.records, typed.invalid) == (encoded.records, encoded.invalid) == (3, 1)
    labels = (OptionLabel("dupilumab", "Dupixent", False),
              OptionLabel("tralokinumab", "Adbry", False))
    assert typed.summary(labels, timed=False) == (
        "eligibility: 3 records, 1 invalid; candidates: Dupixent 2, Adbry 1")
    assert typed.summary(labels, timed=True).endswith(" s")


class _Stream(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.mark.parametrize(("stdout", "stderr", "output", "quiet", "shown"), [
    (False, True, None, False, True),     # piped to a file: the terminal shows progress
    (True, True, "list.csv", False, True),  # -o FILE from a terminal
    (True, True, None, False, False),     # rows on the terminal: no line drawn into them
    (True, True, "-", False, False),
    (False, False, None, False, False),   # a log: never
    (False, True, None, True, False),     # --quiet
])
def test_progress_is_shown_only_where_no_rows_stream(monkeypatch: pytest.MonkeyPatch, stdout: bool,
                                                     stderr: bool, output: str | None, quiet: bool,
                                                     shown: bool) -> None:
    monkeypatch.setattr(sys, "stdout", _Stream(stdout))
    monkeypatch.setattr(sys, "stderr", _Stream(stderr))
    assert progress.show_progress(output, quiet=quiet) is shown
