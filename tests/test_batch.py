"""The batch path: nothing lost, nothing reordered, identical for any --jobs, Ctrl-C safe."""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES

from eligibility import Evaluator, Profile
from eligibility.cli import main
from eligibility.engine.rete import Engine
from eligibility.inputs.reader import InputRecord
from eligibility.services.batch import assess_all


def _mixed_lines(count: int) -> list[bytes]:
    shapes = [
        b'{"id": "p%d", "age_months": %d, "severity": "severe", "topical_response": "inadequate"}',
        b'{"id": "q%d", "age_years": %d, "sevrity": "mild"}',
        b'{"id": "r%d", "age_years": %d',
        b"[%d, %d]",
        b'{"id": "s%d", "age_months": %d, "allergies": ["pollen"], "allergy_eczema_link": true}',
        b'\xff{"id": %d, %d}',
    ]
    return [shapes[n % len(shapes)] % (n, n % 1500) for n in range(count)]


def test_unexpected_exception_becomes_an_error_record_and_the_batch_goes_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real, real_each = Evaluator.evaluate, Evaluator.evaluate_each

    def flaky(self: Evaluator, profile: object, **options: object) -> object:
        if isinstance(profile, dict) and profile.get("id") == "boom":
            raise ZeroDivisionError("planted")
        return real(self, profile, **options)  # type: ignore[arg-type]

    def flaky_each(self: Evaluator, profiles: list[object]) -> object:
        if any(isinstance(p, dict) and p.get("id") == "boom" for p in profiles):
            raise ZeroDivisionError("planted")
        return real_each(self, profiles)

    real_engine = Engine.outcomes_many

    def flaky_engine(self: Engine, profiles: list[Profile]) -> object:
        # The batch pipeline (services/pipeline.py) goes to the engine without Evaluator.
        if any(profile.id == "boom" for profile in profiles):
            raise ZeroDivisionError("planted")
        return real_engine(self, profiles)

    monkeypatch.setattr(Evaluator, "evaluate", flaky)
    monkeypatch.setattr(Evaluator, "evaluate_each", flaky_each)
    monkeypatch.setattr(Engine, "outcomes_many", flaky_engine)
    # boom differs from the others in a value, not only its id: equal values are decided once.
    records = [InputRecord("f:1", {"id": "a"}), InputRecord("f:2", {"id": "boom", "age_years": 30}),
               InputRecord("f:3", {"id": "c"})]
    out = [record.data() for record in assess_all(records)]
    assert [r["source"] for r in out] == ["f:1", "f:2", "f:3"]
    assert out[1]["error"]["kind"] == "internal" and "planted" in out[1]["error"]["message"]
    assert out[1]["profile"] == "boom"
    assert "options" in out[0] and "options" in out[2]


def test_jobs_2_output_is_byte_identical_to_jobs_1(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\n".join(_mixed_lines(600)) + b"\n")
    assert main(["evaluate", str(path), "--format", "jsonl", "--jobs", "1"]) == 1
    serial = capsys.readouterr().out
    assert main(["evaluate", str(path), "--format", "jsonl", "--jobs", "2"]) == 1
    parallel = capsys.readouterr().out
    assert parallel == serial
    assert len(serial.splitlines()) == 600


def test_file_order_changes_only_the_order_of_records(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in EXAMPLES.glob("*.json"))
    main(["evaluate", *files, "--format", "jsonl"])
    forward = capsys.readouterr().out.splitlines()
    main(["evaluate", *reversed(files), "--format", "jsonl"])
    backward = capsys.readouterr().out.splitlines()
    assert backward == list(reversed(forward))


def test_deeply_nested_json_file_is_an_error_not_a_crash(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert main(["evaluate", str(path), "--format", "jsonl"]) == 1
    record = json.loads(capsys.readouterr().out)
    assert "nested" in record["error"]["message"]


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_ctrl_c_stops_cleanly_with_complete_records_and_exit_130(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    line = b'{"age_years": 30, "severity": "severe", "topical_response": "inadequate"}\n'
    path.write_bytes(line * 300_000)
    out_path = tmp_path / "out.jsonl"
    with out_path.open("wb") as out:
        # A shell's background job inherits SIGINT ignored; a user's Ctrl-C is not.
        process = subprocess.Popen([sys.executable, "-m", "eligibility", "evaluate", str(path),
                                    "--format", fmt], stdout=out, stderr=subprocess.PIPE,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 60
        while out_path.stat().st_size < 200_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=180)
    assert process.returncode == 130, err
    assert b"interrupted" in err
    if fmt == "json":  # the array is closed: it parses, and holds every record finished
        records = json.loads(out_path.read_bytes())
    else:
        lines = out_path.read_bytes().splitlines(keepends=True)
        assert all(chunk.endswith(b"\n") for chunk in lines)
        records = [json.loads(chunk) for chunk in lines]
    assert 0 < len(records) < 300_000
    assert [record["source"] for record in records] == [
        f"{path}:{number}" for number in range(1, len(records) + 1)]


def test_jobs_keeps_order_with_errors_between_workers(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "b.jsonl"
    path.write_bytes(b"\n".join(_mixed_lines(200)))
    main(["evaluate", str(path), "--jobs", "2", "--format", "jsonl"])
    sources = [json.loads(line)["source"] for line in capsys.readouterr().out.splitlines()]
    assert sources == [f"{path}:{n}" for n in range(1, 201)]


def test_a_slow_stdin_stream_gets_each_answer_as_its_line_arrives() -> None:
    process = subprocess.Popen([sys.executable, "-m", "eligibility", "evaluate", "-", "--format",
                                "jsonl", "--rules", "article-2023"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    try:
        for number in (1, 2):
            process.stdin.write(b'{"id": "live-%d", "age_years": 30}\n' % number)
            process.stdin.flush()
            # The answer must come while the input is still open (no full chunk waited for).
            ready, _, _ = select.select([process.stdout], [], [], 30)
            assert ready, "no answer within 30 s while the input stayed open"
            line = process.stdout.readline()
            assert json.loads(line)["profile"] == f"live-{number}"
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    assert process.returncode == 0
