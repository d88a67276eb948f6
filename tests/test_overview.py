"""``evaluate --format text`` for a batch: one overview, a row per patient; one patient
keeps its table. The README shows the overview, regenerated here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import EXAMPLES
from rich.cells import cell_len

from eligibility import evaluate
from eligibility.cli import main
from eligibility.errors import ProfileError
from eligibility.render.overview import COLOUR, Overview, columns_of
from eligibility.render.wire import Evaluated, failure

CLINIC = EXAMPLES / "clinic-batch-all-statuses.jsonl"
MIXED = EXAMPLES / "invalid" / "mixed-batch-exit-1.jsonl"
README = Path(__file__).resolve().parents[1] / "README.md"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["evaluate", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _statuses(capsys: pytest.CaptureFixture[str], *paths: str) -> list[dict[str, str]]:
    _, out, _ = _run(capsys, *paths, "--format", "jsonl", "-q")
    return [{o["id"]: o["status"] for o in record["options"]}
            for record in map(json.loads, out.splitlines()) if "options" in record]


@pytest.mark.parametrize("columns", ["80", "100", "120"])
def test_a_batch_is_one_overview_that_fits(monkeypatch: pytest.MonkeyPatch, columns: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    code, out, _ = _run(capsys, str(EXAMPLES), "--format", "table")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Patient", "Dupixent", "Adbry", "Allergy", "shots",
                                "Lebrikizumab*", "Nemolizumab*"]
    assert max(cell_len(line) for line in lines) <= int(columns)
    assert out.count("Why (not)") == 0  # no table per patient
    rows = [line for line in lines if line.startswith(("adult-severe ", "p004 "))]
    assert rows[0].split() == ["adult-severe", "yes", "yes", "no", "trial?", "trial?"]
    assert rows[1].split() == ["p004", "needs", "info", "needs", "info", "needs", "info",
                               "needs", "info", "needs", "info"]


def test_the_footer_counts_each_status_per_option(capsys: pytest.CaptureFixture[str]) -> None:
    statuses = _statuses(capsys, str(EXAMPLES))
    _, out, _ = _run(capsys, str(EXAMPLES), "--format", "text")
    lines = out.splitlines()
    order = ["dupilumab", "tralokinumab", "allergen_immunotherapy", "lebrikizumab", "nemolizumab"]
    for label, status in (("yes/trial?", "candidate"), ("no", "not_candidate"),
                          ("needs info", "needs_information")):
        [line] = [line for line in lines if line.startswith(label + " ")]
        counts = [int(cell) for cell in line[len(label):].split()]
        assert counts == [sum(row[o] == status for row in statuses) for o in order], label
    assert f"{len(statuses)} records" in out
    assert "trial? means a candidate for a trial" in out  # the legend


def test_one_profile_keeps_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(EXAMPLES / "teen-16-not-candidate-tralokinumab.json"),
                        "--format", "text")
    assert code == 0
    assert "Why (not)" in out and "Adbry (tralokinumab)" in out and "Patient" not in out


def test_invalid_records_are_rows_listed_in_full_and_counted_on_stderr(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, str(MIXED), "--format", "text")
    assert code == 1
    rows = [line for line in out.splitlines() if "  invalid: " in line]
    assert len(rows) == 4
    assert rows[0].startswith("typo ")
    assert any(row.startswith("…") and row.split()[0].endswith(".jsonl:3") for row in rows)
    assert "6 records, 4 invalid (listed below)" in out
    assert "Invalid records (4):" in out
    assert f"{MIXED}:2: error: unknown field 'sevrity'" in out
    assert "eligibility: 6 records, 4 invalid; candidates: Dupixent 1, Adbry 1" in err


def test_the_summary_is_on_stderr_for_every_format_and_quiet_silences_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    statuses = _statuses(capsys, str(CLINIC))
    count = sum(row["dupilumab"] == "candidate" for row in statuses)
    for fmt in ("text", "json", "jsonl", "csv"):
        _, out, err = _run(capsys, str(CLINIC), "--format", fmt)
        assert err.splitlines()[-1].startswith("eligibility: 4 records, 0 invalid; "
                                               f"candidates: Dupixent {count}, Adbry "), fmt
        assert "eligibility:" not in out
        assert " s\n" not in err  # no clock off a terminal
        _, _, quiet = _run(capsys, str(CLINIC), "--format", fmt, "--quiet")
        assert quiet == ""
    _, _, one = _run(capsys, str(EXAMPLES / "teen-16-not-candidate-tralokinumab.json"), "-q")
    assert one == ""


def test_the_overview_is_the_same_from_worker_processes(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, one, _ = _run(capsys, str(EXAMPLES), str(MIXED), "--format", "text")
    _, two, _ = _run(capsys, str(EXAMPLES), str(MIXED), "--format", "text", "--jobs", "2")
    assert one == two


def test_status_is_never_colour_alone() -> None:
    columns = columns_of([("dupilumab", "Dupixent", False), ("lebrikizumab", "Lebrikizumab", True)])
    overview = Overview(columns, 100, colour=True)
    teen = evaluate({"id": "t", "age_years": 30, "severity": "severe",
                     "topical_response": "inadequate", "systemic_response": "inadequate",
                     "weight_kg": 70})
    row = overview.row(Evaluated("t.json:1", teen))
    assert "\x1b[" in row
    assert ANSI.sub("", row).split() == ["t", "yes", "trial?"]
    assert f"\x1b[{COLOUR['trial?']}mtrial?" in row
    bad = overview.row(failure("x.jsonl:9", ProfileError("bad\x1b[2Jthing"), None))
    assert "\x1b[2J" not in bad and "\\x1b[2J" in bad  # input text never drives the terminal


def test_option_filter_narrows_the_overview(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, err = _run(capsys, str(EXAMPLES), "--format", "text", "--option", "adbry",
                       "--option", "Ebglyss")
    assert out.splitlines()[0].split() == ["Patient", "Adbry", "Lebrikizumab*"]
    statuses = _statuses(capsys, str(EXAMPLES))
    counts = [sum(row[o] == "candidate" for row in statuses)
              for o in ("tralokinumab", "lebrikizumab")]
    assert f"candidates: Adbry {counts[0]}, Lebrikizumab {counts[1]}" in err


def test_readme_overview_is_real(capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's overview is generated output: paste the command's output when it changes."""
    monkeypatch.chdir(EXAMPLES.parent)
    monkeypatch.setenv("COLUMNS", "100")
    readme = README.read_text(encoding="utf-8")
    block = readme.split("<!-- overview -->\n```console\n$ eligibility ", 1)[1]
    block = block.split("\n```\n<!-- /overview -->", 1)[0]
    command, shown = block.split("\n", 1)
    code = main(command.split())
    assert code == 0
    assert capsys.readouterr().out.rstrip("\n") == shown
