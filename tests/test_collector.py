"""The command line tunes the garbage collector for a batch and puts it back when the
command ends; the library never touches it (collector.py). ``eligibility.cli.main`` may
run inside another program, which the tuning must not outlive."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from eligibility import evaluate
from eligibility.cli import main
from eligibility.collector import BATCH_THRESHOLD, batch_collector

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _state() -> tuple[tuple[int, int, int], int]:
    return gc.get_threshold(), gc.get_freeze_count()


@pytest.mark.parametrize("command", [
    ["evaluate", str(EXAMPLES), "--format", "jsonl", "--as-of", "2026-06-01"],
    ["evaluate", str(EXAMPLES), "--format", "jsonl", "--as-of", "2026-06-01", "--jobs", "2"],
])
def test_a_command_run_in_process_leaves_the_collector_as_it_found_it(
        command: list[str], tmp_path: Path) -> None:
    before = _state()
    assert main([*command, "-o", str(tmp_path / "out.jsonl")]) in (0, 1)
    assert _state() == before


def test_the_collector_is_tuned_inside_the_block_and_restored_after_an_error() -> None:
    before = _state()
    with pytest.raises(RuntimeError), batch_collector():
        assert gc.get_threshold() == BATCH_THRESHOLD
        raise RuntimeError
    assert _state() == before


def test_the_library_never_tunes_it() -> None:
    before = _state()
    evaluate({"age_years": 30, "severity": "severe", "topical_response": "inadequate"})
    assert _state() == before
