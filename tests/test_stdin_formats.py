"""Stdin: JSON Lines, one JSON document or CSV, told apart from the first line, still streamed.

``cat pretty.json | eligibility evaluate -`` used to give one error record per line of the
document, and an empty stdin exited 0 saying nothing.
"""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eligibility.cli import main
from eligibility.errors import UsageError
from eligibility.inputs.base import PAUSE, InputError, InputRecord, Source
from eligibility.inputs.reader import read_records
from eligibility.inputs.stdin import NAME, StdinReader, choices
from eligibility.limits import MAX_FILE_BYTES

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TEEN = EXAMPLES / "teen-16-not-candidate-tralokinumab.json"
PRETTY = json.dumps(json.loads(TEEN.read_text()), indent=2) + "\n"


def stdin_records(data: bytes, choice: str = "auto") -> list[tuple[str, Any]]:
    records = StdinReader(choice).read(Source(NAME, io.BytesIO(data)))
    return [(r.source, r.payload if r.error is None else f"error: {r.error.message}")
            for r in records if r is not PAUSE]


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data: bytes,
        *args: str) -> tuple[int, list[dict[str, Any]], str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = main(["evaluate", "-", "--format", "jsonl", "--rules", "article-2023", *args])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_a_pretty_printed_profile_on_stdin_is_one_profile(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert PRETTY.count("\n") > 5
    code, records, _ = run(monkeypatch, capsys, PRETTY.encode())
    assert code == 0 and len(records) == 1
    assert records[0]["source"] == "<stdin>:1" and records[0]["profile"] == "teen-16"


def test_the_document_gets_the_same_answer_as_the_file(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, [from_stdin], _ = run(monkeypatch, capsys, PRETTY.encode())
    assert main(["evaluate", str(TEEN), "--format", "jsonl", "--rules", "article-2023"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert {**from_stdin, "source": None} == {**from_file, "source": None}


@pytest.mark.parametrize("data", [
    b'{"id": "a"}\n{"id": "b"}\n',
    b'\n\n{"id": "a"}\r\n\n{"id": "b"}',
    b'\xef\xbb\xbf{"id": "a"}\n{"id": "b"}\n',
])
def test_json_lines_stay_json_lines(data: bytes) -> None:
    assert [payload for _, payload in stdin_records(data)] == [{"id": "a"}, {"id": "b"}]


def test_json_lines_with_a_broken_first_line_are_still_json_lines() -> None:
    found = stdin_records(b'{"id": "a",\n{"id": "b"}\n{"id": "c"}\n')
    assert found[0][0] == "<stdin>:1" and "invalid JSON" in found[0][1]
    assert found[1:] == [("<stdin>:2", {"id": "b"}), ("<stdin>:3", {"id": "c"})]


def test_lines_that_are_not_json_at_all_are_json_lines_errors_one_each() -> None:
    found = stdin_records(b"hello\nworld\n")
    assert [source for source, _ in found] == ["<stdin>:1", "<stdin>:2"]


def test_a_broken_document_is_one_error_naming_the_line_and_column() -> None:
    broken = PRETTY.replace('"severe",', '"severe"', 1).encode()
    [(source, message)] = stdin_records(broken)
    assert source == "<stdin>:1" and "invalid JSON" in message and "(line " in message


@pytest.mark.parametrize("data", [b'[\n{"id": "a"},\n{"id": "b"}\n]\n', b'[{"id": "a"},\n{"id": "b"}]\n'])
def test_an_array_of_profiles_says_how_to_give_several(data: bytes) -> None:
    [(source, message)] = stdin_records(data)
    assert source == "<stdin>:1" and "not an array" in message and "one per line" in message


def test_two_documents_one_after_the_other_say_how_to_give_several() -> None:
    [(_, message)] = stdin_records((PRETTY + PRETTY).encode())
    assert "more text after the JSON value" in message and "one per line (JSON Lines)" in message


def test_a_document_over_the_json_file_limit_is_one_error_and_not_read_further() -> None:
    entries = ",\n".join(f'  "x{n}": "{"y" * 80}"' for n in range(MAX_FILE_BYTES // 80))
    data = ("{\n" + entries + "\n}\n").encode()
    stream = io.BytesIO(data)
    records = list(StdinReader().read(Source(NAME, stream)))
    assert len(records) == 1 and records[0].error is not None
    assert f"larger than {MAX_FILE_BYTES} bytes" in records[0].error.message
    assert stream.tell() < MAX_FILE_BYTES + 64 * 1024  # the rest is left unread


def test_a_csv_header_on_stdin_is_csv() -> None:
    found = stdin_records(b"id,age_years,severity\np1,30,severe\np2,,mild\n")
    assert found == [("<stdin>:2", {"id": "p1", "age_years": 30, "severity": "severe"}),
                     ("<stdin>:3", {"id": "p2", "severity": "mild"})]


def test_input_says_the_format_outright() -> None:
    lines = b'{"id": "a"}\n{"id": "b"}\n'
    [(_, message)] = stdin_records(lines, "json")
    assert "more text after the JSON value (line 2, column 1)" in message
    pretty = stdin_records(PRETTY.encode(), "jsonl")
    assert len(pretty) == PRETTY.count("\n")  # as asked: every line is its own record
    assert stdin_records(b"id\np1\n", "csv") == [("<stdin>:2", {"id": "p1"})]
    assert stdin_records(b'"id"\np1\n', "csv") == [("<stdin>:2", {"id": "p1"})]


def test_input_choices_come_from_the_reader_registry() -> None:
    assert choices() == ("auto", "json", "jsonl", "csv", "ndjson", "ndjson.gz")


@pytest.mark.parametrize(("data", "says"), [
    (b"", "stdin (-) is empty"),
    (b"\n  \r\n\t\n", "only blank lines"),
    (b"id,severity\n", "no profile: only a header row"),
])
@pytest.mark.parametrize("fmt", ["jsonl", "json", "table"])
def test_a_stdin_without_profiles_is_a_usage_error_before_anything_is_written(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        data: bytes, says: str, fmt: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = main(["evaluate", "-", "--format", fmt, "--rules", "article-2023"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith("eligibility: error: stdin (-) ") and says in captured.err


@pytest.mark.parametrize("choice", ["jsonl", "json", "csv"])
def test_an_empty_stdin_is_an_error_whatever_the_input_format(choice: str) -> None:
    with pytest.raises(InputError, match="stdin"):
        stdin_records(b"", choice)
    assert issubclass(InputError, UsageError)


def test_reading_starts_at_once_so_the_library_sees_an_empty_stdin_too(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    with pytest.raises(InputError, match="empty"):
        read_records(["-"])


def test_explain_reads_stdin_the_same_way(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PRETTY.encode())))
    assert main(["explain", "-", "--option", "tralokinumab", "--rules", "article-2023"]) == 0
    assert capsys.readouterr().out.startswith("teen-16  (<stdin>:1)")


def test_input_is_a_usage_error_when_no_path_is_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(TEEN), "--input", "csv", "--rules", "article-2023"]) == 2
    assert "--input csv says how stdin (-) is read" in capsys.readouterr().err


def test_an_unknown_input_format_gets_a_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["evaluate", "-", "--input", "cvs"])
    assert stopped.value.code == 2
    assert "no input format 'cvs' (did you mean 'csv'?)" in capsys.readouterr().err


def _pipe_records(reader: StdinReader, first: bytes) -> tuple[Iterator[InputRecord], int, int]:
    read_end, write_end = os.pipe()
    os.write(write_end, first)
    handle = os.fdopen(read_end, "rb", buffering=0)
    return reader.read(Source(NAME, handle, pauses=True)), write_end, read_end


@pytest.mark.parametrize(("first", "then", "expected"), [
    (b'{"id": "s1"}\n', b'{"id": "s2"}\n', [{"id": "s1"}, {"id": "s2"}]),
    (b"id,age_years\ns1,30\n", b"s2,31\n", [{"id": "s1", "age_years": 30},
                                           {"id": "s2", "age_years": 31}]),
])
def test_a_stream_is_answered_as_it_arrives_in_json_lines_and_in_csv(
        first: bytes, then: bytes, expected: list[dict[str, Any]]) -> None:
    records, write_end, _ = _pipe_records(StdinReader(), first)
    try:
        assert next(records).payload == expected[0]
        assert next(records) is PAUSE  # nothing more yet: the batch writes what it has
        os.write(write_end, then)
        assert next(records).payload == expected[1]
    finally:
        os.close(write_end)
    assert [r for r in records if r is not PAUSE] == []


def test_a_slow_csv_stream_gets_each_answer_as_its_row_arrives() -> None:
    process = subprocess.Popen([sys.executable, "-m", "eligibility", "evaluate", "-", "--format",
                                "jsonl", "--rules", "article-2023"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(b"id,age_years\n")
        for number in (1, 2):
            process.stdin.write(b"live-%d,30\n" % number)
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], 30)
            assert ready, "no answer within 30 s while the input stayed open"
            record = json.loads(process.stdout.readline())
            assert (record["profile"], record["source"]) == (f"live-{number}", f"<stdin>:{number + 1}")
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    assert process.returncode == 0


def test_an_empty_stdin_leaves_no_output_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    out = tmp_path / "answers.csv"
    assert main(["evaluate", "-", "-o", str(out), "--rules", "article-2023"]) == 2
    assert "stdin (-) is empty" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_csv_list_on_stdin_can_be_written_as_a_csv_answer(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"id,age_years\np1,30\n")))
    out = tmp_path / "answers.csv"
    assert main(["evaluate", "-", "-o", str(out), "--quiet", "--rules", "article-2023"]) == 0
    assert "p1,<stdin>:2," in out.read_text(encoding="utf-8-sig")
