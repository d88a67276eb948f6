"""The project's own property suite, written with the public testing kit only.

Each test states one property of the aid over every profile the kit can draw: the same
answer for the same input, in any form and through any door (library, dict, command
line), in any batch order; missing data never helps or hurts; age limits hold.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from eligibility import Assessment, Profile, evaluate, load_pack
from eligibility.cli import main
from eligibility.inputs.reader import InputRecord
from eligibility.model.profile import parse_profile
from eligibility.services.batch import assess_all
from eligibility.testing import (
    JsonlBatch,
    ProfileFile,
    assert_agrees_with_reference,
    assert_deterministic,
    assert_dropping_never_creates_candidate,
    assert_label_limits,
    assert_label_limits_at_all_ages,
    assert_monotone_in_age,
    assert_unknown_never_not_met,
    assert_well_formed,
    boundary_profiles,
    jsonl_batches,
    profile_files,
    profiles,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
OPTIONS = load_pack("article-2023").option_ids


@given(profiles())
def test_same_profile_same_record_as_model_or_dict(profile: Profile) -> None:
    assert_deterministic(profile)
    as_dict = profile.model_dump(mode="json", exclude_none=True)
    assert evaluate(as_dict) == evaluate(profile)


@given(st.one_of(profiles(), boundary_profiles()))
def test_assessments_are_well_formed_and_follow_the_rules(profile: Profile) -> None:
    assessment = evaluate(profile)
    assert_well_formed(assessment)
    assert_unknown_never_not_met(profile, assessment)
    assert_label_limits(profile, assessment)
    assert_agrees_with_reference(profile, assessment)


@given(profiles())
def test_json_round_trip_of_profiles_and_assessments(profile: Profile) -> None:
    assert Profile.model_validate_json(profile.model_dump_json()) == profile
    assert parse_profile(json.loads(profile.model_dump_json())) == profile
    assessment = evaluate(profile)
    assert Assessment.model_validate_json(assessment.model_dump_json()) == assessment
    assert Assessment.model_validate(json.loads(assessment.model_dump_json())) == assessment


@given(profiles())
def test_dropping_a_field_never_creates_a_candidate(profile: Profile) -> None:
    assert_dropping_never_creates_candidate(profile)


@given(profiles(), st.sampled_from(OPTIONS))
def test_older_never_loses_an_age_gated_option(profile: Profile, option: str) -> None:
    assert_monotone_in_age(profile, option)


@given(boundary_profiles())
def test_age_limits_hold_at_every_threshold_age(profile: Profile) -> None:
    assert_label_limits_at_all_ages(profile)


@given(st.lists(profiles(), max_size=8), st.randoms(use_true_random=False))
def test_batch_order_does_not_change_any_record(batch: list[Profile],
                                                shuffler: random.Random) -> None:
    records = [InputRecord(f"p{index}", payload=profile.model_dump(mode="json", exclude_none=True))
               for index, profile in enumerate(batch)]
    shuffled = list(records)
    shuffler.shuffle(shuffled)
    in_order = [out.line for out in assess_all(records)]
    by_source = {record.source: out.line for record, out in zip(shuffled, assess_all(shuffled),
                                                                strict=True)}
    assert in_order == [by_source[record.source] for record in records]


# -- the command line against the library ------------------------------------------------

#: The date the CLI is told, and the library too: without it the CLI assesses on today.
AS_OF = dt.date(2026, 6, 1)


def _run_cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue()


def _check_record(record: dict[str, Any], profile: Profile | None, field: str | None) -> None:
    if profile is None:
        assert "error" in record, record
        assert record["error"]["field"] == field, record["error"]
        return
    expected = evaluate(profile, as_of=AS_OF).model_dump(mode="json")
    assert record["profile"] == (profile.id if profile.id is not None else record["source"])
    body = {key: value for key, value in record.items() if key not in ("profile", "source")}
    expected.pop("profile")
    assert body == expected


@given(jsonl_batches())
def test_cli_matches_library_record_for_record(batch: JsonlBatch) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.jsonl"
        path.write_bytes(batch.content)
        code, out = _run_cli("evaluate", str(path), "--format", "jsonl", "--detail", "full",
                             "--as-of", str(AS_OF))
    # Split on "\n" only: records may hold U+0085 or U+2028, which str.splitlines splits on.
    lines = out.split("\n")[:-1] if out else []
    assert code == batch.exit_code
    assert len(lines) == len(batch.records)
    for line, expected in zip(lines, batch.records, strict=True):
        _check_record(json.loads(line), expected.profile, expected.field)


@given(profile_files())
def test_cli_reads_a_profile_file_as_the_library_does(file: ProfileFile) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "patient.json"
        path.write_bytes(file.content)
        code, out = _run_cli("evaluate", str(path), "--format", "json", "--as-of", str(AS_OF))
    records = json.loads(out)
    assert code == file.exit_code
    assert len(records) == 1
    _check_record(records[0], file.record.profile, file.record.field)


def test_installed_command_matches_in_process_run() -> None:
    """One real process, to show the in-process runs above stand for the command."""
    batch = str(EXAMPLES / "clinic-batch-all-statuses.jsonl")
    command = [sys.executable, "-c", "from eligibility.cli import entry_point; entry_point()",
               "evaluate", batch, "--format", "jsonl"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    code, out = _run_cli("evaluate", batch, "--format", "jsonl")
    assert (result.returncode, result.stdout) == (code, out)
    assert out.count("\n") >= 3
