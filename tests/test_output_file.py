"""``-o/--output FILE``: the whole output or nothing, never a part, never a clobbered file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from conftest import EXAMPLES

import eligibility.render.formats as formats
from eligibility.cli import main
from eligibility.cli.output import atomic_file

CLINIC = str(EXAMPLES / "clinic-batch-all-statuses.jsonl")


def test_output_file_holds_exactly_what_stdout_would(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("jsonl", "json", "text", "csv"):
        assert main(["evaluate", CLINIC, "--format", fmt, "-q"]) == 0
        shown = capsys.readouterr().out
        target = tmp_path / f"out.{fmt}"
        assert main(["evaluate", CLINIC, "--format", fmt, "-q", "-o", str(target)]) == 0
        assert capsys.readouterr().out == ""
        assert target.read_bytes() == shown.encode("utf-8"), fmt
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out.csv", "out.json", "out.jsonl", "out.text"]  # no temporary file left


def test_the_suffix_chooses_the_format_when_none_is_given(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["evaluate", CLINIC, "-q", "-o", str(tmp_path / "list.csv")])
    assert (tmp_path / "list.csv").read_text(encoding="utf-8").startswith("\ufeffprofile,source,")
    main(["evaluate", CLINIC, "-q", "-o", str(tmp_path / "list.out")])
    assert (tmp_path / "list.out").read_text().startswith('{"profile":"p001"')


def test_explain_writes_a_file_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "why.txt"
    assert main(["explain", CLINIC, "--option", "Adbry", "-o", str(target), "-q"]) == 0
    assert "Adbry (tralokinumab)" in target.read_text(encoding="utf-8")


def test_a_failed_run_leaves_the_old_file_and_no_partial_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("yesterday's list\n")
    target.chmod(0o640)
    real = formats._FORMATS[("jsonl", "chunks")].write

    def half_then_interrupted(items: object, out: object, view: object) -> bool:
        from itertools import islice
        real(islice(items, 1), out, view)  # type: ignore[call-overload, arg-type]
        raise KeyboardInterrupt

    monkeypatch.setitem(formats._FORMATS, ("jsonl", "chunks"),
                        formats.OutputFormat("jsonl", "chunks", half_then_interrupted))
    assert main(["evaluate", str(EXAMPLES), "--format", "jsonl", "-o", str(target)]) == 130
    assert target.read_text() == "yesterday's list\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
    assert f"{target} was not written" in capsys.readouterr().err
    monkeypatch.undo()
    assert main(["evaluate", CLINIC, "--format", "jsonl", "-q", "-o", str(target)]) == 0
    assert target.read_text().count("\n") == 4
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # an existing file keeps its mode


def test_a_new_file_gets_the_umask_s_permissions(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        with atomic_file(tmp_path / "new.txt") as stream:
            stream.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640


@pytest.mark.parametrize("where", ["no-such-folder/out.jsonl", "."])
def test_an_output_that_cannot_be_made_is_a_usage_error(
        where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["evaluate", CLINIC, "-o", where]) == 2
    assert "--output" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_device_is_written_into_and_never_replaced(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # -o /dev/null once replaced /dev/null with a plain file (renamed over it, as root).
    before = os.stat(os.devnull)
    assert stat.S_ISCHR(before.st_mode)
    assert main(["evaluate", CLINIC, "--format", "jsonl", "-q", "-o", os.devnull]) == 0
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    assert not list(Path(os.devnull).parent.glob(".null.*.partial"))


def test_a_named_pipe_gets_the_output_and_stays_a_pipe(tmp_path: Path) -> None:
    import threading
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    assert main(["evaluate", CLINIC, "--format", "jsonl", "-q", "-o", str(pipe)]) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    assert received and received[0].count(b"\n") == 4


def test_a_symbolic_link_stays_a_link_and_its_target_gets_the_output(tmp_path: Path) -> None:
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    assert main(["evaluate", CLINIC, "--format", "jsonl", "-q", "-o", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().count("\n") == 4 and target.read_text() != "old\n"
