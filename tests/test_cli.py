"""The command line, run in-process (fast) and once as a real process."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

from eligibility import evaluate
from eligibility.cli import main

STATUS_WORDS = {"candidate": "candidate", "not-candidate": "not_candidate",
                "needs-information": "needs_information"}
OPTIONS = ["dupilumab", "tralokinumab", "allergen_immunotherapy", "lebrikizumab", "nemolizumab"]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _expected_from_name(name: str) -> tuple[str, list[str]]:
    """'teen-16-not-candidate-tralokinumab' -> ('not_candidate', ['tralokinumab'])."""
    for word in sorted(STATUS_WORDS, key=len, reverse=True):
        marker = f"-{word}-"
        if marker in name:
            rest = name.split(marker, 1)[1]
            if rest == "any":
                return STATUS_WORDS[word], OPTIONS
            options = [o for o in OPTIONS if o.replace("_", "-") in rest]
            assert options, name
            return STATUS_WORDS[word], options
    if name.endswith("-needs-information"):
        return "needs_information", []
    raise AssertionError(f"example {name} is not named by its outcome")


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_example_comes_out_as_its_name_says(path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["evaluate", str(path), "--format", "jsonl"], capsys)
    assert code == 0
    [record] = [json.loads(line) for line in out.splitlines()]
    status, options = _expected_from_name(path.stem)
    statuses = {option["id"]: option["status"] for option in record["options"]}
    for option in options:
        assert statuses[option] == status, (path.stem, statuses)
    if not options:
        assert status in statuses.values()


def test_examples_folder_covers_every_option_and_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["evaluate", str(EXAMPLES), "--format", "jsonl"], capsys)
    assert code == 0
    seen = {(o["id"], o["status"]) for line in out.splitlines() for o in json.loads(line)["options"]}
    for option in OPTIONS:
        for status in STATUS_WORDS.values():
            assert (option, status) in seen, (option, status)


def test_mixed_batch_gives_one_record_per_line_in_order_and_exit_1(
        capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLES / "invalid" / "mixed-batch-exit-1.jsonl"
    code, out, _ = _run(["evaluate", str(path), "--format", "jsonl"], capsys)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [r["source"] for r in records] == [f"{path}:{n}" for n in range(1, 7)]
    assert ["error" in r for r in records] == [False, True, True, True, True, False]
    assert records[1]["error"]["field"] == "sevrity"
    assert "did you mean 'severity'" in records[1]["error"]["message"]
    assert records[1]["profile"] == "typo"
    assert records[2]["profile"] == f"{path}:3"
    assert records[4]["error"]["field"] == "age_years"


def test_json_format_is_the_same_records_as_an_array(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "invalid" / "mixed-batch-exit-1.jsonl")
    _, lines, _ = _run(["evaluate", path, "--format", "jsonl", "--detail", "full"], capsys)
    code, array, _ = _run(["evaluate", path, "--format", "json"], capsys)
    assert code == 1
    assert json.loads(array) == [json.loads(line) for line in lines.splitlines()]


def test_cli_record_equals_library_assessment(capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLES / "teen-16-not-candidate-tralokinumab.json"
    _, out, _ = _run(["evaluate", str(path), "--format", "jsonl", "--detail", "full",
                      "--as-of", "2026-06-01"], capsys)
    record = json.loads(out)
    library = evaluate(json.loads(path.read_text()),
                       as_of=dt.date(2026, 6, 1)).model_dump(mode="json")
    assert {k: v for k, v in record.items() if k not in ("source",)} == library
    assert record["as_of"] == "2026-06-01"


def test_table_is_plain_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["evaluate", str(EXAMPLES), "--format", "table"], capsys)
    assert code == 0
    assert "\x1b[" not in out
    assert " no " in out and "needs info" in out and "trial?" in out
    assert "decision aid" in out
    code, out, _ = _run(["evaluate", str(EXAMPLES / "adult-mild-not-candidate-any.json"),
                         "--format", "table"], capsys)
    assert "\x1b[" not in out and "not a candidate" in out


def test_stdin_dash_reads_json_lines(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    import io
    stdin = io.TextIOWrapper(io.BytesIO(b'{"id": "s1"}\n{"id": 5}\n'))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = _run(["evaluate", "-"], capsys)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [r["source"] for r in records] == ["<stdin>:1", "<stdin>:2"]


@pytest.mark.parametrize("argv", [["evaluate"], ["evaluate", "missing.json"],
                                  ["evaluate", "x", "--format", "xml"], ["frobnicate"],
                                  ["evaluate", str(EXAMPLES), "--jobs", "0"],
                                  ["evaluate", str(EXAMPLES), "--rules", "no-such-pack"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    assert code == 2
    assert capsys.readouterr().err


def test_schema_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["schema"], capsys)
    schema = json.loads(out)
    assert code == 0 and schema["additionalProperties"] is False
    assert "severity" in schema["properties"]
    code, out, _ = _run(["schema", "--output"], capsys)
    assert code == 0
    assert {"OutputRecord", "ErrorRecord"} <= set(json.loads(out)["$defs"])


def test_installed_console_script_runs_as_a_process() -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "eligibility", "evaluate", str(EXAMPLES)],
                            capture_output=True, text=True, env=env, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    expected = len(list(EXAMPLES.glob("*.json"))) + sum(
        len([line for line in path.read_text().splitlines() if line.strip()])
        for path in EXAMPLES.glob("*.jsonl"))
    assert len(result.stdout.splitlines()) == expected
