"""Help that answers: every argument described, one vocabulary of format names, defaults
that match behaviour, a version naming packs and engine, one width policy."""

from __future__ import annotations

import argparse
import io
from importlib import metadata

import pytest
from conftest import EXAMPLES
from rich.table import Table

from eligibility.cli import build_parser, evaluate_cmd, main
from eligibility.render.console import BOX, FALLBACK, console_for, output_width
from eligibility.render.formats import format_names

TEEN = str(EXAMPLES / "teen-16-not-candidate-tralokinumab.json")


def _parsers(parser: argparse.ArgumentParser, name: str = "eligibility"
             ) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(name, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, child in action.choices.items():
                found += _parsers(child, f"{name} {sub}")
    return found


def test_every_command_and_argument_is_described() -> None:
    for name, parser in _parsers(build_parser()):
        if name != "eligibility":
            assert parser.description, f"{name} has no description"
        for action in parser._actions:
            assert action.help, f"{name}: {action.dest} has no help line"


def test_check_and_test_help_say_what_runs_without_a_pack() -> None:
    parsers = dict(_parsers(build_parser()))
    for name in ("eligibility rules check", "eligibility rules test"):
        text = parsers[name].format_help()
        assert "default: every shipped pack" in text
        assert "default: article-2023" not in text


def test_one_vocabulary_of_format_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert set(format_names(evaluate_cmd.READS)) == {"text", "json", "jsonl", "csv"}
    assert set(format_names(("explanations",))) == {"text", "json", "jsonl"}
    for argv in (["evaluate", TEEN], ["explain", TEEN]):
        assert main([*argv, "--format", "text", "-q"]) == 0
        text = capsys.readouterr().out
        assert main([*argv, "--format", "table", "-q"]) == 0  # the old name still works
        assert capsys.readouterr().out == text
    assert main(["rules", "table", "--format", "CSV"]) == 0
    assert capsys.readouterr().out.startswith("Option,")


def test_a_bad_format_is_exit_2_with_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", TEEN, "--format", "jsnol"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "no format 'jsnol' (did you mean 'jsonl'?)" in err
    assert "formats: text, json, jsonl, csv" in err


def test_version_names_the_packs_and_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    out = capsys.readouterr().out
    assert out.startswith("eligibility 0.1.0\n")
    assert "rule pack article-2023 1.0.0, knowledge as of 2023-01-01 (default)" in out
    assert "rule pack us-labels-2026 1.0.0, knowledge as of 2026-06-30" in out
    assert f"engine durable-rules {metadata.version('durable_rules')}" in out


def test_width_is_columns_else_the_terminal_else_100(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "73")
    assert output_width() == 73
    assert console_for(io.StringIO()).width == 73
    monkeypatch.delenv("COLUMNS")
    assert output_width() == FALLBACK  # no terminal under pytest


@pytest.mark.parametrize("argv", [["rules", "list"], ["rules", "show"], ["evaluate", TEEN],
                                  ["explain", TEEN]])
def test_every_command_honours_columns_when_piped(
        argv: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    main([*argv, "--format", "text"] if argv[0] != "rules" else argv)
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 80
    if argv[0] != "explain":
        assert max(len(line) for line in lines) >= 70  # it used the width, not 120 or 100


def test_rules_show_never_splits_an_identifier_at_80_columns(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for pack in ("article-2023", "us-labels-2026"):
        main(["rules", "show", pack])
        out = capsys.readouterr().out
        from eligibility import load_pack
        for criterion in load_pack(pack).all_criteria():
            assert criterion.id in out, criterion.id


def test_one_box_style_on_a_terminal_and_piped() -> None:
    table = Table(box=BOX)
    table.add_column("a")
    table.add_row("b")
    from rich.console import Console
    piped, terminal = io.StringIO(), io.StringIO()
    Console(file=piped, width=20).print(table)
    Console(file=terminal, width=20, force_terminal=True, color_system=None).print(table)
    assert piped.getvalue() == terminal.getvalue()
