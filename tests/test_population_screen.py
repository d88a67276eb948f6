"""``eligibility screen``: the files it writes, their bytes, its report, its failures."""

from __future__ import annotations

import csv
import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from population_data import assert_rows_match_cli, cli_records, need, population, write_jsonl

from eligibility import load_pack
from eligibility.cli import main
from eligibility.model.age import AgeInterval

pa = need("pyarrow")
need("matplotlib")
import pyarrow.parquet as pq  # noqa: E402

from eligibility.arrow import input_schema  # noqa: E402
from eligibility.population import screening  # noqa: E402
from eligibility.population.tally import age_band  # noqa: E402

RULES = "article-2023"
OUTPUTS = ("screening.parquet", "screening.csv", "report.html")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return population(900, seed=7)


def _screen(path: Path, out: Path, *args: str) -> int:
    return main(["screen", str(path), "--output", str(out), "--rules", RULES, *args])


def test_screening_parquet_holds_the_clis_answers(rows: list[dict[str, Any]], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(rows, tmp_path / "p.jsonl")
    assert _screen(source, tmp_path / "out") == 1  # some records are invalid on purpose
    table = pq.read_table(tmp_path / "out" / "screening.parquet")
    records = cli_records(source, tmp_path / "cli.jsonl", "--rules", RULES)
    assert_rows_match_cli(table.to_pylist(), records, load_pack(RULES).option_ids)
    with (tmp_path / "out" / "screening.csv").open(encoding="utf-8-sig", newline="") as handle:
        cells = list(csv.DictReader(handle))
    # The CSV says what the Parquet file says, cell by cell: lists joined by ';', the
    # date ISO, nulls empty.
    assert [row["id"] for row in cells] == table.column("id").to_pylist()
    assert cells == [{name: _cell(value) for name, value in row.items()} for row in table.to_pylist()]
    assert any(row["lebrikizumab_missing"] for row in cells)
    out = capsys.readouterr().out
    invalid = sum("error" in record for record in records)
    assert f"{len(rows) - invalid:,} evaluated, {invalid:,} invalid" in out
    assert "Most often missing" in out and "By age band" in out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def test_parquet_and_jsonl_give_the_same_bytes_and_runs_repeat_them(
        rows: list[dict[str, Any]], tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    jsonl = write_jsonl(rows, tmp_path / "in" / "profiles.jsonl")
    parquet = tmp_path / "profiles.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=input_schema()), parquet)
    results = {}
    for name, path in (("jsonl", jsonl), ("again", jsonl), ("parquet", parquet)):
        _screen(path, tmp_path / name, "-q")
        results[name] = {file: (tmp_path / name / file).read_bytes() for file in OUTPUTS}
    assert results["jsonl"] == results["again"]
    assert results["jsonl"]["screening.csv"] == results["parquet"]["screening.csv"]
    # The report names its input as given; apart from that, the same report.
    assert results["jsonl"]["report.html"].replace(bytes(jsonl), bytes(parquet)) == \
        results["parquet"]["report.html"]
    assert pq.read_table(pa.BufferReader(results["jsonl"]["screening.parquet"])).equals(
        pq.read_table(pa.BufferReader(results["parquet"]["screening.parquet"])))


def test_the_report_has_counts_missing_fields_age_bands_and_charts(
        rows: list[dict[str, Any]], tmp_path: Path) -> None:
    _screen(write_jsonl(rows, tmp_path / "p.jsonl"), tmp_path / "out", "-q")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    for heading in ("Status per option", "Information that would unlock the most patients",
                    "By age band", "Invalid records"):
        assert f"<h2>{heading}</h2>" in page
    assert page.count('src="data:image/svg+xml;base64,') == 3
    assert "18 to 64 years" in page and "Dupixent" in page and "topical_response" in page
    assert "not a prescription" in page


def test_a_failed_run_leaves_the_previous_results_and_no_temporary_files(
        rows: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_jsonl(rows[:50], tmp_path / "p.jsonl")
    out = tmp_path / "out"
    _screen(source, out, "-q")
    before = {file: (out / file).read_bytes() for file in OUTPUTS}
    write_jsonl(rows[:80], source)

    def broken(*_: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(screening, "report_html", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _screen(source, out, "-q")
    assert {file: (out / file).read_bytes() for file in OUTPUTS} == before
    assert sorted(path.name for path in out.iterdir()) == sorted(OUTPUTS)
    monkeypatch.undo()
    _screen(source, out, "-q")  # restarting is running it again
    assert pq.read_table(out / "screening.parquet").num_rows == 80


@pytest.mark.parametrize(("columns", "message"), [
    ({"id": ["a"], "severty": ["mild"]}, "unknown column 'severty' (did you mean 'severity'?)"),
    ({"id": ["a"], "allergy_eczema_link": ["yes"]}, "allergy_eczema_link needs booleans"),
])
def test_a_table_with_a_bad_column_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], columns: dict[str, list[Any]],
        message: str) -> None:
    pq.write_table(pa.table(columns), tmp_path / "bad.parquet")
    assert _screen(tmp_path / "bad.parquet", tmp_path / "out") == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out" / "screening.parquet").exists()


def test_a_file_that_is_not_parquet_is_a_usage_error(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "fake.parquet").write_text("not parquet")
    assert _screen(tmp_path / "fake.parquet", tmp_path / "out") == 2
    assert "cannot be read as Parquet" in capsys.readouterr().err
    assert _screen(tmp_path / "nothing.txt", tmp_path / "out") == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_as_of_dates_birth_dates(tmp_path: Path) -> None:
    source = write_jsonl([{"id": "a", "birth_date": "2010-05-01", "severity": "severe"},
                          {"id": "b", "birth_date": "2008"}], tmp_path / "p.jsonl")
    assert _screen(source, tmp_path / "undated", "-q") == 1
    assert _screen(source, tmp_path / "dated", "-q", "--as-of", "2026-06-01") == 0
    table = pq.read_table(tmp_path / "dated" / "screening.parquet").to_pylist()
    assert [row["as_of"] for row in table] == [dt.date(2026, 6, 1)] * 2
    page = (tmp_path / "dated" / "report.html").read_text(encoding="utf-8")
    assert "12 to 17 years" in page and "age uncertain" in page  # 2008: 17 or 18


def _interval(low: int, high: int, high_open: bool = False) -> AgeInterval:
    return AgeInterval(Fraction(low), Fraction(high), False, high_open, "age_months", "")


@pytest.mark.parametrize(("interval", "band"), [
    (None, "age unknown"), (_interval(0, 0), "under 6 months"), (_interval(5, 6, True), "under 6 months"),
    (_interval(5, 6), "age uncertain"), (_interval(215, 216, True), "12 to 17 years"),
    (_interval(216, 216), "18 to 64 years"), (_interval(900, 901), "65 years and over"),
])
def test_age_bands_hold_the_whole_interval(interval: AgeInterval | None, band: str) -> None:
    assert age_band(interval) == band


def test_an_output_folder_that_cannot_be_written_is_exit_3(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl([{"id": "a", "age_years": 30}], tmp_path / "p.jsonl")
    (tmp_path / "file").write_text("")
    assert _screen(source, tmp_path / "file" / "out") == 3
    assert "cannot write the results" in capsys.readouterr().err


def test_distinct_error_messages_are_bounded() -> None:
    from eligibility.population.rows import Screened
    from eligibility.population.tally import MAX_ERRORS, OTHER_ERRORS, ScreenTally

    tally = ScreenTally(["dupilumab"])
    tally.add(Screened(str(number), (), (), None, f"unknown field 'x{number}'")
              for number in range(MAX_ERRORS + 50))
    assert len(tally.errors) == MAX_ERRORS + 1 and tally.errors[OTHER_ERRORS] == 50
    assert tally.invalid == MAX_ERRORS + 50


def test_a_fhir_bulk_export_screens_as_the_cli_evaluates_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fhir_fixtures import write_bulk
    from test_fhir_cli import population as fhir_population

    export = tmp_path / "export"
    export.mkdir()
    write_bulk(fhir_population(), export, parts=2, gzipped=("Condition",))
    assert _screen(export, tmp_path / "undated") == 2
    assert "needs --as-of" in capsys.readouterr().err
    # --as-of alone: the date, and the pack it chooses, for both commands.
    main(["screen", str(export), "--output", str(tmp_path / "out"), "-q", "--as-of", "2026-06-01"])
    table = pq.read_table(tmp_path / "out" / "screening.parquet").to_pylist()
    records = cli_records(export, tmp_path / "cli.jsonl", "--as-of", "2026-06-01")
    assert len(table) == len(records) >= 4
    assert any(row["error"] for row in table) and any(row["dupilumab"] for row in table)
    pack = records[0].get("rule_pack") or next(r["rule_pack"] for r in records if "rule_pack" in r)
    assert_rows_match_cli(table, records, load_pack(pack["name"]).option_ids)


def test_small_chunks_still_make_one_row_group_per_65536_rows(
        rows: list[dict[str, Any]], tmp_path: Path) -> None:
    from eligibility.engine.evaluation import evaluator_for
    from eligibility.population.sources import population_at

    source = write_jsonl(rows, tmp_path / "p.jsonl")
    screening.run_screen(population_at(source), evaluator_for(RULES), tmp_path / "out", as_of=None,
                         source="p.jsonl", chunk=64)
    written = pq.ParquetFile(tmp_path / "out" / "screening.parquet")
    assert (written.metadata.num_rows, written.metadata.num_row_groups) == (len(rows), 1)
    _screen(source, tmp_path / "cli", "-q")
    assert (tmp_path / "out" / "screening.parquet").read_bytes() == \
        (tmp_path / "cli" / "screening.parquet").read_bytes()


def test_a_folders_files_of_another_kind_are_named_not_silently_skipped(
        rows: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(rows[:20], folder / "batch.jsonl")
    (folder / "one.json").write_text('{"age_years": 30}')
    (folder / "list.csv").write_text("age_years\n30\n")
    assert _screen(folder, tmp_path / "out", "-q") == 0
    err = capsys.readouterr().err
    assert "2 file(s) in" in err and "list.csv, one.json" in err and "jsonl" in err
    assert len(pq.read_table(tmp_path / "out" / "screening.parquet")) == 20
