"""A path the system refuses (too long, a folder that may not be listed) is a usage error
naming the path, clipped, with exit 2: never an ``OSError`` traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligibility.cli import main

LONG = "a/" * 2500  # 5,000 characters: longer than any path the system accepts


@pytest.mark.parametrize("argv", [
    ["evaluate", LONG],
    ["evaluate", "{input}", "--rules", LONG],
    ["rules", "check", LONG],
])
def test_a_path_too_long_is_a_usage_error_naming_it(
        argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"id": "a"}\n')
    assert main([arg.replace("{input}", str(batch)) for arg in argv]) == 2
    err = capsys.readouterr().err
    assert "File name too long" in err and "Traceback" not in err
    assert "a/a/a/a/…" in err and LONG not in err


def test_a_folder_that_cannot_be_listed_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()

    def refused(self: Path) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", refused)
    assert main(["evaluate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert ": cannot be read (Permission denied)" in err and "Traceback" not in err
