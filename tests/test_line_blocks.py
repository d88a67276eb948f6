"""``--jobs`` workers decode a JSON Lines file's lines themselves (``LineBlock``): the
records they make are those ``read_records`` gives, whatever the lines hold and however
they are cut, and the command line sends line blocks, not records, for such files."""

from __future__ import annotations

import errno
import io
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.cli import main
from eligibility.inputs import jsonl_blocks
from eligibility.inputs.jsonl_blocks import READ_BYTES, LineBlock
from eligibility.inputs.lines import TooLong
from eligibility.inputs.reader import InputRecord, line_blocks, read_records
from eligibility.limits import MAX_LINE_BYTES
from eligibility.services.worker_handle import WorkerHandle

_LINES = st.sampled_from([b'{"age_years": 30, "severity": "severe"}', b"", b"  \t", b"{bad",
                          b'\xef\xbb\xbf{"age_months": 7}', b'{"id": "x", "sevrity": 1}', b"[]",
                          b"\xff\xfe", b'{"weight_kg": 41}\r', b"\r", b"\r\r", b"\x0b",
                          b"x" * (MAX_LINE_BYTES + 1),
                          # at the limit, with a CR that a CRLF ending takes and LF leaves
                          b'{"id": "%s"}' % (b"y" * (MAX_LINE_BYTES - 9)),
                          b'{"id": "%s"}\r' % (b"y" * (MAX_LINE_BYTES - 9)),
                          b'{"id": "%s"}\r' % (b"y" * (MAX_LINE_BYTES - 10)),
                          b"z" * (3 * READ_BYTES)])


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


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(_LINES, max_size=30), size=st.integers(1, 7),
       ending=st.sampled_from([b"\n", b"\r\n", b""]),
       read=st.sampled_from([5, 4099, READ_BYTES]))
def test_blocks_hold_the_records_reading_gives(tmp_path_factory: pytest.TempPathFactory,
                                               lines: list[bytes], size: int, ending: bytes,
                                               read: int) -> None:
    """Whatever the lines and however the reads cut them (a line may span many reads)."""
    folder = tmp_path_factory.mktemp("blocks")
    path = folder / "batch.jsonl"
    path.write_bytes(b"\n".join(lines) + ending)
    other = folder / "one.json"
    other.write_text('{"age_years": 12}')
    names = [str(path), str(other), str(folder / "gone.jsonl"), str(path)]
    with mock.patch.object(jsonl_blocks, "READ_BYTES", read):
        cut = _read(names, size)
    assert _same(cut) == _same(list(read_records(names)))


def test_a_block_names_its_lines_and_holds_no_line_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b'{"id": "a"}\n' + b"x" * (MAX_LINE_BYTES + 5) + b'\n{"id": "b"}\r\n\n')
    with path.open("rb") as handle:
        found = list(jsonl_blocks.blocks(handle, "batch.jsonl", 3))
    assert [(block.first, block.count, block.span) for block in found] == [
        (1, 3, "batch.jsonl:1 to batch.jsonl:3"), (4, 1, "batch.jsonl:4 to batch.jsonl:4")]
    assert found[0].parts[0] == b'{"id": "a"}\n'
    assert isinstance(found[0].parts[1], TooLong)
    assert found[0].parts[2:] == (b'{"id": "b"}\r\n',)
    assert [record.source for record in found[0].records()] == [
        "batch.jsonl:1", "batch.jsonl:2", "batch.jsonl:3"]
    assert found[1].records() == []  # a blank line: no record, but counted


def test_stdin_is_read_as_records() -> None:
    assert line_blocks(["-"], 128) is None


def test_the_command_line_sends_workers_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(f'{{"id": "p{n}", "age_years": {n % 90}}}\n' for n in range(600)))
    sent: list[object] = []
    real = WorkerHandle.submit

    def kept(self: Any, chunk: Any) -> None:
        sent.append(chunk)
        real(self, chunk)

    monkeypatch.setattr(WorkerHandle, "submit", kept)
    assert main(["evaluate", str(path), "--format", "jsonl", "--jobs", "2", "-q"]) in (0, 1)
    with_jobs = capsys.readouterr().out
    assert sent and all(isinstance(chunk, LineBlock) for chunk in sent)
    assert main(["evaluate", str(path), "--format", "jsonl", "-q"]) in (0, 1)
    assert capsys.readouterr().out == with_jobs


class _FailsAt(io.RawIOBase):
    """A file whose every read from byte ``fail_at`` on fails, as a failing disk's does."""

    def __init__(self, data: bytes, fail_at: int) -> None:
        self.data, self.pos, self.fail_at = data, 0, fail_at

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.fail_at:
            raise OSError(errno.EIO, "Input/output error")
        count = min(len(buffer), self.fail_at - self.pos, len(self.data) - self.pos)
        buffer[:count] = self.data[self.pos:self.pos + count]
        self.pos += count
        return count


@pytest.mark.parametrize(("suffix", "data"), [
    (".jsonl", b"".join(b'{"id": "p%d", "age_years": %d}\n' % (n, n % 90) for n in range(3000))),
    (".csv", b"id,age_years\n" + b"".join(b"p%d,%d\n" % (n, n % 90) for n in range(3000))),
])
@pytest.mark.parametrize("fail_line", [1, 129, 300, 2999])
def test_a_read_that_fails_keeps_every_record_read_before_it(
        suffix: str, data: bytes, fail_line: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The records before the failing read, then one error naming the file: as reading
    line by line gives. Before, the blocks lost the records gathered for the block the
    fault fell in (up to a block's worth, or a whole read's)."""
    fail_at = data.index(b"p%d" % fail_line)
    from eligibility.inputs import reader
    monkeypatch.setattr(reader, "open_regular",
                        lambda name: io.BufferedReader(_FailsAt(data, fail_at), 8192))
    name = "batch" + suffix
    one = list(read_records([name]))
    shown = [(record.source, str(record.error) if record.error else None) for record in one]
    assert shown[-1] == (f"{name}:0", f"{name}: cannot read: input/output error")
    assert len(shown) >= fail_line  # every whole line before the fault
    for size in (1, 128):
        got = _read([name], size)
        assert [(record.source, str(record.error) if record.error else None)
                for record in got] == shown
        assert [record.payload for record in got] == [record.payload for record in one]
