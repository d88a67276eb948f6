"""``eligibility explain``: readable on 80 columns and piped, bad input as in evaluate,
and the short 'why not' column of the evaluate table."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from conftest import EXAMPLES
from rich.console import Console

from eligibility import evaluate
from eligibility.cli import main
from eligibility.engine.explanation import explain
from eligibility.render.explain import Explained
from eligibility.render.table import why_text

ANSI = re.compile(r"\x1b\[[0-9;]*m")
EXAMPLE_FILES = sorted(p for p in EXAMPLES.glob("*.json*") if p.is_file())
TEEN = str(EXAMPLES / "teen-16-not-candidate-tralokinumab.json")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["explain", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.name)
def test_each_example_explains_piped_within_80_columns(capsys: pytest.CaptureFixture[str],
                                                       path: Path) -> None:
    code, out, err = run(capsys, str(path))
    assert code == 0
    assert all(line.startswith("eligibility: note:") for line in err.splitlines()), err
    assert "\x1b" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert all(line == line.rstrip() for line in out.splitlines())
    assert "What would change the answer" in out or "not a candidate" not in out


def test_teen_explanation_says_when_and_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, TEEN, "--option", "tralokinumab")
    assert code == 0
    assert "Adbry (tralokinumab): not a candidate" in out
    assert "[not met] Aged 18 years or older" in out
    assert "age 16 years — rule: 18 years or older" in out
    assert "Met at 18 years, in 2 years" in out and "(checked)" in out
    assert "Source: Immunotherapy for eczema [article], Tralokinumab (Adbry)" in out
    assert "Dupixent" not in out  # only the chosen option


def test_colour_rendering_fits_80_columns_too() -> None:
    explanation = explain(json.loads(Path(TEEN).read_text()))
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, force_terminal=True, color_system="standard")
    console.print(Explained("teen", explanation))
    text = buffer.getvalue()
    assert "\x1b[" in text  # coloured on a terminal ...
    assert max(len(ANSI.sub("", line)) for line in text.splitlines()) <= 80  # ... and fits


def test_bad_input_is_reported_and_the_rest_explained(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(EXAMPLES / "invalid" / "mixed-batch-exit-1.jsonl"))
    assert code == 1
    out = " ".join(out.split())  # long error lines wrap at 80 columns
    assert "unknown field 'sevrity' (did you mean 'severity'?) [field: sevrity]" in out
    assert "[field: age_years]" in out
    assert "ok-1 (" in out and "ok-2 (" in out


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, TEEN, "--option", "tralokinumb")
    assert code == 2 and out == ""
    assert "did you mean 'tralokinumab'?" in err


def test_json_format_is_the_long_form_with_checked_changes(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, TEEN, "--option", "Adbry", "--format", "json")
    assert code == 0
    [record] = json.loads(out)
    [option] = record["options"]
    assert option["id"] == "tralokinumab"
    [checked] = option["changes"]
    change = checked["change"]
    assert (change["kind"], change["wait_months"], change["change"]) == (
        "wait", 24, "at 18 years, in 2 years")
    assert checked["checked"] is True and checked["title"] == "Aged 18 years or older"
    age = next(c for c in option["criteria"] if c["criterion"] == "tralokinumab.adult")
    assert age["comparisons"] == ["age 16 years — rule: 18 years or older"]
    assert option["together"] is None  # one blocking criterion: nothing to combine


def test_output_is_the_same_every_run(capsys: pytest.CaptureFixture[str]) -> None:
    first = run(capsys, str(EXAMPLES))
    assert run(capsys, str(EXAMPLES)) == first


def test_why_not_column_names_the_change() -> None:
    teen = evaluate({"age_years": 16, "severity": "severe", "topical_response": "inadequate"})
    row = why_text(teen.option("tralokinumab"))
    assert row == "needs age 18 years or older (is 16 years); met in 2 years"
    mild = evaluate({"age_years": 30, "severity": "mild", "topical_response": "adequate",
                     "systemic_response": "not_tried"}).option("dupilumab")
    assert why_text(mild) == (
        "needs moderate or severe eczema (is mild); +2 more")
    assert why_text(teen.option("dupilumab")) == "all 4 criteria met"


def test_evaluate_table_still_fits_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", TEEN, "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "met in 2 years" in " ".join(out.split())  # the wider trial labels wrap it
    assert max(len(line) for line in out.splitlines()) <= 80
    assert main(["evaluate", str(EXAMPLES), "--format", "table"]) == 0  # the overview
    assert max(len(line) for line in capsys.readouterr().out.splitlines()) <= 80


def test_readme_explain_output_is_real(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's example is generated output: it must match what the command prints."""
    monkeypatch.chdir(EXAMPLES.parent)
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("```console\n$ eligibility explain ", 1)[1].split("\n```", 1)[0]
    command, shown = block.split("\n", 1)
    code, out, _ = run(capsys, *command.split())
    assert code == 0
    assert out.rstrip("\n") == shown


def test_an_age_limit_passed_says_no_change_can(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    profile = tmp_path / "old.json"
    profile.write_text('{"age_years": 70, "severity": "severe", "topical_response": "inadequate"}')
    bounds = Path(__file__).parent / "fixtures" / "bounds-pack"
    code, out, _ = run(capsys, str(profile), "--rules", str(bounds), "--option", "youth_trial")
    assert code == 0
    text = " ".join(out.split())
    assert "Can never be met again: the patient is already 70 years" in text
    assert "No change to the profile can make it a candidate: Younger than 12 years" in text
    assert "(checked)" not in text


def test_contradictory_rules_are_said_to_contradict(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    pack = tmp_path / "contradiction"
    (pack / "options").mkdir(parents=True)
    (pack / "pack.toml").write_text(
        '[pack]\nname = "contradiction"\nversion = "0.0.1"\nas_of = 2024-01-01\n'
        'options = ["odd"]\ntitle = "Two rules no profile meets together"\n'
        '[[sources]]\nid = "test"\ntitle = "Invented"\n')
    rule = ('[[criteria]]\nid = "odd.{name}"\ntitle = "Severity {value}"\nrationale = "Test."\n'
            'source = {{ document = "test", section = "s" }}\nevidence = "investigational"\n'
            'test = {{ field = "severity", one_of = ["{value}"] }}\n')
    (pack / "options" / "odd.toml").write_text(
        'id = "odd"\nname = "Odd (test)"\nkind = "investigational_biologic"\n'
        'evidence = "investigational"\nsummary = "Needs mild and severe at once."\n'
        + rule.format(name="mild", value="mild") + rule.format(name="severe", value="severe"))
    profile = tmp_path / "p.json"
    profile.write_text("{}")
    code, out, _ = run(capsys, str(profile), "--rules", str(pack))
    assert code == 0
    assert "contradict one another" in " ".join(out.split())
