"""Input edge cases a red-team pass found (issue 12); each test failed before its fix."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from eligibility import ProfileError, evaluate
from eligibility.cli import main
from eligibility.inputs.jsonl import read_jsonl
from eligibility.limits import MAX_LINE_BYTES


def _evaluate(capsys: pytest.CaptureFixture[str], *paths: Path | str) -> tuple[int, list[dict]]:
    code = main(["evaluate", *map(str, paths), "--format", "jsonl"])
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


# -- folder mode: every input that cannot be read is an error record -------------------


@pytest.mark.parametrize("kind", ["dangling", "loop", "fifo", "device"])
def test_an_unreadable_entry_in_a_folder_is_an_error_record(
        kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.json").write_text('{"id": "first"}')
    bad = tmp_path / "b.json"
    if kind == "dangling":
        bad.symlink_to(tmp_path / "missing.json")
    elif kind == "loop":
        bad.symlink_to(tmp_path / "c.json")
        (tmp_path / "c.json").symlink_to(bad)
    elif kind == "fifo":
        os.mkfifo(bad)  # nobody writes: reading it would block for ever
    else:
        bad.symlink_to("/dev/zero")
    code, records = _evaluate(capsys, tmp_path)
    assert code == 1
    assert records[0]["profile"] == "first"
    errors = [r for r in records if "error" in r]
    assert errors and errors[0]["source"] == f"{bad}:0"
    message = errors[0]["error"]["message"]
    expected = {"dangling": "broken symbolic link", "loop": "symbolic link loop",
                "fifo": "not a regular file", "device": "not a regular file"}[kind]
    assert expected in message, message


def test_sub_folders_are_still_not_searched(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.json").write_text('{"id": "first"}')
    (tmp_path / "nested.json").mkdir()
    code, records = _evaluate(capsys, tmp_path)
    assert code == 0 and [r["profile"] for r in records] == ["first"]


# -- JSON Lines: BOMs and the line limit -----------------------------------------------


def _read(data: bytes) -> list[tuple[str, object, str | None]]:
    return [(r.source, r.payload, None if r.error is None else r.error.message)
            for r in read_jsonl(io.BytesIO(data), "f.jsonl")]


def test_a_bom_at_the_start_of_a_later_line_is_accepted() -> None:
    joined = b'\xef\xbb\xbf{"id": "a"}\n' + b'\xef\xbb\xbf{"id": "b"}\r\n'  # cat a.jsonl b.jsonl
    assert _read(joined) == [("f.jsonl:1", {"id": "a"}, None), ("f.jsonl:2", {"id": "b"}, None)]


def _line_of(content_bytes: int) -> bytes:
    return b'{"id": "' + b"x" * (content_bytes - 10) + b'"}'


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b""])
def test_the_line_limit_counts_content_not_the_line_ending(ending: bytes) -> None:
    at_limit = _line_of(MAX_LINE_BYTES)
    assert len(at_limit) == MAX_LINE_BYTES
    [(_, payload, message)] = _read(at_limit + ending)
    assert message is None and isinstance(payload, dict)
    [(_, payload, message)] = _read(_line_of(MAX_LINE_BYTES + 1) + ending)
    assert message is not None and "longer than" in message


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b""])
def test_stdin_counts_the_line_limit_the_same_way(ending: bytes) -> None:
    from test_reader import _fd_records
    for size in (MAX_LINE_BYTES, MAX_LINE_BYTES + 1):
        data = _line_of(size) + ending + b'{"id": "next"}' + ending
        assert _fd_records(data) == _read(data)


# -- messages in the user's terms, bounded -----------------------------------------------


@pytest.mark.parametrize(("line", "wanted", "unwanted"), [
    (b'{"x": ' + b"9" * 5000 + b"}", "digits", "sys."),
    (b'{"allergies": [' + b",".join([b'"a"'] * 65) + b"]}", "at most 64", "after validation"),
    (b'{"id": "a\\ud800"}', "invalid character", "raw data"),
])
def test_messages_do_not_quote_python_internals(line: bytes, wanted: str, unwanted: str,
                                                tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(line + b"\n")
    _, [record] = _evaluate(capsys, path)
    message = record["error"]["message"]
    assert wanted in message and unwanted not in message, message


def test_an_enormous_unknown_key_is_echoed_briefly(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"k" * 65_000: 1}))
    (tmp_path / "b.json").write_text('{"' + "d" * 65_000 + '": 1, "' + "d" * 65_000 + '": 2}')
    _, records = _evaluate(capsys, tmp_path)
    assert len(records) == 2
    for record in records:
        line = json.dumps(record)
        assert len(line) < 1000, len(line)
        assert "…" in record["error"]["message"]


def test_whitespace_around_an_id_is_stripped_in_error_records_too(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "  p1 "}\n{"id": "  p2 ", "age_years": "9"}\n')
    _, records = _evaluate(capsys, path)
    assert [r["profile"] for r in records] == ["p1", "p2"]


# -- JSON syntax errors point to the right place -----------------------------------------


PRETTY = '{\n  "id": "p1",\n  "age_years": 16,\n  "severity": "severe"\n  "topical_response": "x"\n}\n'


def test_a_syntax_error_in_a_pretty_printed_file_names_its_line_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_text(PRETTY)
    _, [record] = _evaluate(capsys, path)
    assert "line 5, column 3" in record["error"]["message"], record["error"]["message"]


def test_a_bom_does_not_shift_the_column(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(b'\xef\xbb\xbf{"id" "p1"}')
    _, [record] = _evaluate(capsys, path)
    assert "line 1, column 7" in record["error"]["message"], record["error"]["message"]


def test_a_truncated_line_is_reported_where_it_ends(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "ok"}\n{"id": "a", "age_years": 3\r\n{"id": "abc\n')
    _, records = _evaluate(capsys, path)
    assert "line 2, column 27" in records[1]["error"]["message"], records[1]["error"]
    assert "ends" in records[1]["error"]["message"]
    assert "line 3, column 8" in records[2]["error"]["message"], records[2]["error"]
    assert "not closed" in records[2]["error"]["message"]


@pytest.mark.parametrize("text", ['{"id": "a"}\n{"id": "b"}\n', '[{"id": "a"}, {"id": "b"}]'])
def test_several_profiles_in_a_json_file_get_a_hint_at_jsonl(
        text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_text(text)
    _, [record] = _evaluate(capsys, path)
    assert ".jsonl" in record["error"]["message"], record["error"]["message"]


# -- every validation error of a record ----------------------------------------------------


def test_every_problem_of_a_record_is_reported(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"sevrity": "severe", "age_years": "9", "allergies": ["x", 3]}\n')
    _, [record] = _evaluate(capsys, path)
    error = record["error"]
    assert error["field"] == "sevrity"
    assert [p["field"] for p in error["problems"]] == ["sevrity", "age_years", "allergies.1"]
    assert all(p["message"] for p in error["problems"])
    assert "age_years" in error["message"] and "allergies.1" in error["message"]


def test_at_most_ten_problems_are_listed() -> None:
    with pytest.raises(ProfileError) as caught:
        evaluate({f"unknown_{n}": 1 for n in range(25)})
    assert len(caught.value.problems) == 10
    assert "15 more" in caught.value.message


def test_a_single_problem_reads_as_before(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"age_years": "9"}\n')
    _, [record] = _evaluate(capsys, path)
    assert record["error"]["message"] == "age_years: Input should be a valid number; got a string '9'"
    assert record["error"]["problems"] == [{"field": "age_years",
                                            "message": record["error"]["message"]}]


@pytest.mark.parametrize("control", [b"\x0c", b"\x0b", b" \x0c\t"])
def test_a_form_feed_or_vertical_tab_line_is_a_record_not_blank(
        control: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "ff.jsonl"
    batch.write_bytes(b'{"id":"a"}\n' + control + b'\n \t\r\n{"id":"c"}\n')
    assert main(["evaluate", str(batch), "--format", "jsonl"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert [json.loads(line)["source"].rsplit(":", 1)[-1] for line in lines] == ["1", "2", "4"]
    assert "error" in json.loads(lines[1])


def test_a_form_feed_line_on_stdin_is_a_record_not_blank() -> None:
    from test_reader import _fd_records
    records = _fd_records(b'{"id":"a"}\n\x0c\n \t\r\n{"id":"c"}\n')
    assert [(source, error is None) for source, _, error in records] == [
        ("f.jsonl:1", True), ("f.jsonl:2", False), ("f.jsonl:4", True)]
