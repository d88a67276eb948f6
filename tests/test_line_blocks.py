"""``--jobs`` workers decode a JSON Lines file's lines themselves (``LineBlock``): the
records they make are those ``read_records`` gives, whatever the lines hold and however
they are cut, and the command line sends line blocks, not records, for such files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.cli import main
from eligibility.inputs.jsonl import LineBlock
from eligibility.inputs.reader import InputRecord, line_blocks, read_records
from eligibility.limits import MAX_LINE_BYTES
from eligibility.services import pool

_LINES = st.sampled_from([b'{"age_years": 30, "severity": "severe"}', b"", b"  \t", b"{bad",
                          b'\xef\xbb\xbf{"age_months": 7}', b'{"id": "x", "sevrity": 1}', b"[]",
                          b"\xff\xfe", b'{"weight_kg": 41}\r', b"x" * (MAX_LINE_BYTES + 1)])


def _read(paths: list[str], size: int) -> list[InputRecord]:
    found = line_blocks(paths, size)
    assert found is not None
    out: list[InputRecord] = []
    for block in found:
        out.extend(block.records() if isinstance(block, LineBlock) else block)
    return out


def _same(records: list[InputRecord]) -> list[tuple[Any, ...]]:
    return [(r.source, r.payload, str(r.error), getattr(r.error, "field", None), r.profile_id)
            for r in records]


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(_LINES, max_size=30), size=st.integers(1, 7),
       ending=st.sampled_from([b"\n", b"\r\n", b""]))
def test_blocks_hold_the_records_reading_gives(tmp_path_factory: pytest.TempPathFactory,
                                               lines: list[bytes], size: int, ending: bytes) -> None:
    folder = tmp_path_factory.mktemp("blocks")
    path = folder / "batch.jsonl"
    path.write_bytes(b"\n".join(lines) + ending)
    other = folder / "one.json"
    other.write_text('{"age_years": 12}')
    names = [str(path), str(other), str(folder / "gone.jsonl"), str(path)]
    assert _same(_read(names, size)) == _same(list(read_records(names)))


def test_stdin_is_read_as_records() -> None:
    assert line_blocks(["-"], 128) is None


def test_the_command_line_sends_workers_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(f'{{"id": "p{n}", "age_years": {n % 90}}}\n' for n in range(600)))
    sent: list[object] = []
    real = pool._Worker.submit

    def kept(self: Any, chunk: Any) -> None:
        sent.append(chunk)
        real(self, chunk)

    monkeypatch.setattr(pool._Worker, "submit", kept)
    assert main(["evaluate", str(path), "--format", "jsonl", "--jobs", "2", "-q"]) in (0, 1)
    with_jobs = capsys.readouterr().out
    assert sent and all(isinstance(chunk, LineBlock) for chunk in sent)
    assert main(["evaluate", str(path), "--format", "jsonl", "-q"]) in (0, 1)
    assert capsys.readouterr().out == with_jobs
