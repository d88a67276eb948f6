"""The progress line never changes what is written, and stays off the output stream."""

from __future__ import annotations

import pytest

import eligibility.cli.progress as progress
from eligibility.render.wire import EncodedRecord


def test_progress_passes_every_record_through_in_order(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    monkeypatch.setattr(progress, "EVERY", 2)
    records = [EncodedRecord(f'{{"n":{n}}}', ok=n % 3 != 0) for n in range(10)]
    assert list(progress.with_progress(iter(records), enabled=True)) == records
    assert capsys.readouterr().out == ""


def test_progress_disabled_is_a_plain_pass_through() -> None:
    records = [EncodedRecord("{}", ok=True)]
    assert list(progress.with_progress(records, enabled=False)) == records
