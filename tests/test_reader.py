"""Reading input: encodings, line endings, blank lines and every limit, none crashing."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from eligibility.inputs.reader import InputError, expand_paths, read_json_file, read_jsonl
from eligibility.limits import MAX_FILE_BYTES, MAX_LINE_BYTES, MAX_NESTING


def _read(data: bytes) -> list[tuple[str, object, str | None]]:
    return [(r.source, r.payload, None if r.error is None else r.error.message)
            for r in read_jsonl(io.BytesIO(data), "f.jsonl")]


def test_bom_crlf_blank_lines_and_no_final_newline() -> None:
    data = b'\xef\xbb\xbf{"id": "a"}\r\n\r\n   \n{"id": "b"}\r\n{"id": "c"}'
    assert _read(data) == [("f.jsonl:1", {"id": "a"}, None), ("f.jsonl:4", {"id": "b"}, None),
                           ("f.jsonl:5", {"id": "c"}, None)]


def test_non_utf8_line_is_an_error_and_the_next_line_still_reads() -> None:
    records = _read(b'{"id": "\xff"}\n{"id": "ok"}\n')
    assert records[0][2] is not None and "UTF-8" in records[0][2]
    assert records[1] == ("f.jsonl:2", {"id": "ok"}, None)


@pytest.mark.parametrize(("line", "fragment"), [
    (b'{"age_years": NaN}', "NaN"),
    (b'{"age_years": Infinity}', "Infinity"),
    (b'{"age_years": 1e400}', "finite"),
    (b'{"age_years": 1, "age_years": 2}', "appears twice"),
    (b'{"age_years": ', "invalid JSON"),
    (b'{"x": ' + b"9" * 5000 + b"}", "invalid JSON value"),
    (b"[" * 30_000 + b"]" * 30_000, "nested"),
    (b'{"a": ' * (MAX_NESTING + 1) + b"1" + b"}" * (MAX_NESTING + 1), "nested deeper"),
])
def test_hostile_json_becomes_an_error_record(line: bytes, fragment: str) -> None:
    [(_source, payload, message)] = _read(line + b"\n")
    assert payload is None and message is not None and fragment in message, message


def test_overlong_line_is_one_error_and_reading_resumes() -> None:
    long_line = b'{"id": "' + b"x" * (MAX_LINE_BYTES * 3) + b'"}\n'
    records = _read(long_line + b'{"id": "next"}\n')
    assert len(records) == 2
    assert records[0][2] is not None and "longer than" in records[0][2]
    assert records[1] == ("f.jsonl:2", {"id": "next"}, None)


def test_line_exactly_at_the_limit_is_read() -> None:
    body = b'{"id": "' + b"x" * (MAX_LINE_BYTES - 11) + b'"}'
    assert len(body) + 1 == MAX_LINE_BYTES
    [(_, payload, message)] = _read(body + b"\n")
    assert message is None and isinstance(payload, dict)


def test_oversized_json_file(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b'{"id": "' + b"x" * MAX_FILE_BYTES + b'"}')
    record = read_json_file(str(path))
    assert record.error is not None and "larger than" in record.error.message


def test_json_file_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "x"}).encode())
    assert read_json_file(str(path)).payload == {"id": "x"}


def test_folders_are_sorted_and_unknown_paths_are_usage_errors(tmp_path: Path) -> None:
    for name in ("b.jsonl", "a.json", "c.txt"):
        (tmp_path / name).write_text("{}\n")
    assert expand_paths([str(tmp_path)]) == [str(tmp_path / "a.json"), str(tmp_path / "b.jsonl")]
    with pytest.raises(InputError, match="no such file"):
        expand_paths([str(tmp_path / "missing.json")])
    with pytest.raises(InputError, match=r"not a \.json, \.jsonl, \.csv, \.ndjson or \.ndjson\.gz file"):
        expand_paths([str(tmp_path / "c.txt")])


def _fd_records(data: bytes) -> list[tuple[str, object, str | None]]:
    import tempfile

    from eligibility.inputs.jsonl import records
    from eligibility.inputs.lines import fd_lines
    from eligibility.inputs.reader import PAUSE
    with tempfile.TemporaryFile() as spool:  # a pipe would block on writes over 64 KiB
        spool.write(data)
        spool.seek(0)
        read = os.dup(spool.fileno())
    try:
        return [(r.source, r.payload, None if r.error is None else r.error.message)
                for r in records(fd_lines(read), "f.jsonl") if r is not PAUSE]
    finally:
        os.close(read)


@pytest.mark.parametrize("data", [
    b'\xef\xbb\xbf{"id": "a"}\r\n\r\n   \n{"id": "b"}\r\n{"id": "c"}',
    b'{"id": "' + b"x" * (MAX_LINE_BYTES * 3) + b'"}\n{"id": "next"}\n',
    b'{"id": "' + b"x" * (MAX_LINE_BYTES - 10) + b'"}\n' + b'{"id": "' + b"y" * (MAX_LINE_BYTES - 9)
    + b'"}\n{"id": 1}',
    b'\xff\n\n{"a": 1}\n' * 3,
])
def test_stdin_reader_reads_exactly_like_the_file_reader(data: bytes) -> None:
    assert _fd_records(data) == _read(data)


def test_stdin_reader_reports_a_pause_when_no_input_is_ready() -> None:
    from eligibility.inputs.lines import fd_lines
    read, write = os.pipe()
    try:
        os.write(write, b'{"id": "first"}\n')
        lines = fd_lines(read)
        assert next(lines) == b'{"id": "first"}\n'
        assert next(lines) is None  # nothing more yet: the batch may write what it has
        os.write(write, b'{"id": "second"}\n')
        assert next(lines) == b'{"id": "second"}\n'
    finally:
        os.close(write)
        os.close(read)
