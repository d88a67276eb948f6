"""``eligibility.arrow.evaluate_batches``: the CLI's answers, as Arrow, batch by batch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from population_data import assert_rows_match_cli, cli_records, need, population, write_jsonl

from eligibility import load_pack

pa = need("pyarrow")

from eligibility.arrow import SchemaError, evaluate_batches, input_schema, output_schema  # noqa: E402

PACKS = ["article-2023", "us-labels-2026"]


def _rows(batches: Any) -> list[dict[str, Any]]:
    return [row for batch in batches for row in batch.to_pylist()]


def _table(rows: list[dict[str, Any]]) -> Any:
    """The rows as Arrow with the documented types (the schema from every field drawn)."""
    return pa.Table.from_pylist(rows, schema=input_schema())


@pytest.mark.parametrize("rules", PACKS)
def test_answers_equal_the_cli_record_by_record(tmp_path: Path, rules: str) -> None:
    rows = population(2000)
    records = cli_records(write_jsonl(rows, tmp_path / "p.jsonl"), tmp_path / "out.jsonl",
                          "--rules", rules)
    assert any("error" in record for record in records)
    out = _rows(evaluate_batches(_table(rows).to_batches(max_chunksize=700), rules=rules))
    assert_rows_match_cli(out, records, load_pack(rules).option_ids)
    statuses = {row[option] for row in out for option in load_pack(rules).option_ids}
    assert statuses == {"candidate", "not_candidate", "needs_information", None}


def test_a_pure_function_of_each_batch_whatever_the_sizes() -> None:
    table = _table(population(1200, seed=3))
    whole = _rows(evaluate_batches(table.to_batches(), rules="article-2023"))
    for size in (1, 17, 500):
        assert _rows(evaluate_batches(table.to_batches(max_chunksize=size),
                                      rules="article-2023")) == whole
    # Each batch alone gives the rows it gives inside a stream.
    batches = table.to_batches(max_chunksize=100)
    alone = [row for batch in reversed(batches)
             for row in _rows(evaluate_batches([batch], rules="article-2023"))]
    assert sorted(alone, key=lambda row: row["id"]) == whole


def test_a_batch_longer_than_a_slice_gives_the_rows_its_slices_give(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from eligibility.population import batches

    table = _table(population(700, seed=5))
    whole = _rows(evaluate_batches(table.to_batches(max_chunksize=100), rules="article-2023"))
    monkeypatch.setattr(batches, "SLICE", 64)  # 700 rows: ten slices and a short one
    out = list(evaluate_batches(table.to_batches(), rules="article-2023"))
    assert [batch.num_rows for batch in out] == [700]
    assert _rows(out) == whole


def test_output_schema_names_each_option_and_the_pack() -> None:
    pack = load_pack("article-2023")
    batch = next(evaluate_batches(_table(population(5)).to_batches(), rules=pack))
    assert batch.schema == output_schema(pack)
    assert batch.schema.names == ["id", *[name for option in pack.option_ids
                                          for name in (option, f"{option}_missing")],
                                  "rule_pack", "rule_pack_version", "rule_pack_digest", "as_of",
                                  "error"]


def test_dates_decimals_dictionaries_and_null_columns_read_as_a_json_profile_would() -> None:
    batch = pa.RecordBatch.from_arrays(
        [pa.array(["a", "b"]), pa.array([dt.date(2010, 5, 1), None]),
         pa.array([Decimal("41.5"), None], type=pa.decimal128(5, 1)),
         pa.array(["severe", "moderate"]).dictionary_encode(), pa.array([None, None])],
        names=["id", "birth_date", "weight_kg", "severity", "conditions"])
    as_of = dt.date(2026, 6, 1)
    got = _rows(evaluate_batches([batch], rules="article-2023", as_of=as_of))
    from eligibility import evaluate
    expected = evaluate({"id": "a", "birth_date": "2010-05-01", "weight_kg": 41.5,
                         "severity": "severe"}, rules="article-2023", as_of=as_of)
    assert {option.id: option.status for option in expected.options} == {
        option: got[0][option] for option in expected.statuses()}
    assert got[0]["as_of"] == as_of
    assert got[1]["error"] is None and got[1]["lebrikizumab_missing"] is not None


def test_a_birth_date_without_as_of_is_that_rows_error_only() -> None:
    batch = pa.RecordBatch.from_pylist([{"id": "a", "birth_date": dt.date(2010, 5, 1)},
                                        {"id": "b", "birth_date": None, "age_years": 20}])
    first, second = _rows(evaluate_batches([batch], rules="article-2023"))
    assert first["error"] is not None and "as_of" in first["error"]
    assert first["dupilumab"] is None
    assert second["error"] is None


@pytest.mark.parametrize(("columns", "message"), [
    ({"id": ["a"], "age_yeras": [3]}, "unknown column 'age_yeras' (did you mean 'age_years'?)"),
    ({"age_years": [3]}, "no 'id' column"),
    ({"id": ["a"], "age_months": [3.5]}, "column 'age_months' is double, but age_months needs whole"),
    ({"id": ["a"], "severity": [3]}, "column 'severity' is int64, but severity needs strings"),
    ({"id": [1]}, "column 'id' is int64, but id needs strings"),
    ({"id": ["a"], "allergies": ["dust_mite"]}, "allergies needs lists of strings"),
])
def test_a_table_that_cannot_hold_profiles_is_refused_naming_the_column(
        columns: dict[str, list[Any]], message: str) -> None:
    batch = pa.RecordBatch.from_pydict(columns)
    with pytest.raises(SchemaError, match="table of profiles") as raised:
        next(evaluate_batches([batch], rules="article-2023"))
    assert message in str(raised.value)


def test_empty_batches_give_empty_batches() -> None:
    schema = pa.schema([("id", pa.string()), ("age_years", pa.float64())])
    out = list(evaluate_batches([pa.RecordBatch.from_pylist([], schema=schema)],
                                rules="article-2023"))
    assert [batch.num_rows for batch in out] == [0]
