"""``evaluate --format csv``: a row per patient that a spreadsheet opens cleanly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import EXAMPLES

from eligibility.cli import main
from eligibility.render.spreadsheet import safe_cell

CLINIC = str(EXAMPLES / "clinic-batch-all-statuses.jsonl")
OPTIONS = ["dupilumab", "tralokinumab", "allergen_immunotherapy", "lebrikizumab", "nemolizumab"]


def _csv(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["evaluate", *argv, "--format", "csv", "-q"])
    return code, capsys.readouterr().out


def test_a_row_per_patient_with_status_and_missing_fields(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _csv(capsys, CLINIC)
    assert code == 0
    assert out.startswith("\ufeff") and out.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline="")))
    assert list(rows[0]) == ["profile", "source", *[c for o in OPTIONS
                                                    for c in (o, f"{o}_status_text", f"{o}_missing")],
                                                    "not_considered", "newer_pack", "as_of", "age_used",
                                                    "error"]
    main(["evaluate", CLINIC, "--format", "jsonl", "--detail", "full", "-q"])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == len(records) == 4
    for row, record in zip(rows, records, strict=True):
        assert row["profile"] == record["profile"] and row["source"] == record["source"]
        for option in record["options"]:
            assert row[option["id"]] == option["status"]
            assert row[f"{option['id']}_missing"] == ";".join(option["missing_fields"])
        assert row["error"] == ""
    assert rows[3]["dupilumab_missing"].split(";") == records[3]["options"][0]["missing_fields"]


def test_invalid_records_are_rows_with_the_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _csv(capsys, str(EXAMPLES / "invalid" / "mixed-batch-exit-1.jsonl"))
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline="")))
    assert len(rows) == 6
    assert rows[1]["profile"] == "typo" and "sevrity" in rows[1]["error"]
    assert rows[1]["dupilumab"] == ""


def test_quoting_is_rfc_4180_and_formulas_are_defused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "list.jsonl"
    ids = ['=HYPERLINK("http://x","y")', "+1", "-2", "@sum", 'Zoë, "the" patient', "ok"]
    batch.write_text("".join(json.dumps({"id": i, "age_years": 30}) + "\n" for i in ids),
                     encoding="utf-8")
    code, out = _csv(capsys, str(batch), "--option", "Adbry")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"), newline="")))
    assert [row[0] for row in rows[1:]] == [
        '\'=HYPERLINK("http://x","y")', "'+1", "'-2", "'@sum", 'Zoë, "the" patient', "ok"]
    assert '"Zoë, ""the"" patient"' in out  # quoted, quotes doubled
    assert rows[0] == ["profile", "source", "tralokinumab", "tralokinumab_status_text",
                       "tralokinumab_missing", "not_considered", "newer_pack", "as_of", "age_used", "error"]


def test_safe_cell_leaves_ordinary_text_alone() -> None:
    assert safe_cell("p001") == "p001"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell("") == ""
