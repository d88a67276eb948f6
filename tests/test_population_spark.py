"""``eligibility.spark.evaluate_dataframe`` in Spark local[2], against the CLI, on 100,000 profiles.

The comparison reads the CLI's ``--format csv`` (status and missing fields per option,
or the error): the same record as JSON Lines, a twentieth of the bytes to parse.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from population_data import need, need_java, population, write_jsonl

from eligibility import load_pack
from eligibility.cli import main
from eligibility.errors import RulePackError

pa = need("pyarrow")
need("pyspark")
need_java()
import pyarrow.parquet as pq  # noqa: E402
from pyspark import cloudpickle  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

from eligibility.arrow import SchemaError, input_schema  # noqa: E402
from eligibility.population import spark_job  # noqa: E402
from eligibility.spark import evaluate_dataframe  # noqa: E402

#: At least 100,000 (issue 16); a smaller one only for a quick local run.
POPULATION = int(os.environ.get("ELIGIBILITY_SPARK_POPULATION", "100000"))
FILES = 4
RULES = "us-labels-2026"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    # The workers run this interpreter (the one with eligibility installed).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("eligibility-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "1g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _cli_csv(path: Path, out: Path) -> dict[str, dict[str, str]]:
    code = main(["evaluate", str(path), "--format", "csv", "-o", str(out), "-q", "--jobs", "2",
                 "--rules", RULES])
    assert code == 1  # some rows are invalid on purpose
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return {row["profile"]: row for row in csv.DictReader(handle)}


def test_a_population_of_100k_gets_the_clis_answers(spark: Any, tmp_path: Path) -> None:
    rows = population(POPULATION, seed=2016)
    folder = tmp_path / "profiles"
    folder.mkdir()
    share = POPULATION // FILES
    for part in range(FILES):  # several files: several partitions, both cores busy
        chunk = rows[part * share:(part + 1) * share]
        pq.write_table(pa.Table.from_pylist(chunk, schema=input_schema()), folder / f"{part}.parquet")
    expected = _cli_csv(write_jsonl(rows, tmp_path / "profiles.jsonl"), tmp_path / "cli.csv")
    del rows

    answers = evaluate_dataframe(spark.read.parquet(str(folder)), rules=RULES).toArrow()
    assert answers.num_rows == POPULATION
    options = load_pack(RULES).option_ids
    seen = 0
    for batch in answers.to_batches():
        for row in batch.to_pylist():
            record = expected[row["id"]]
            seen += 1
            if record["error"]:
                assert row["error"] == record["error"], row["id"]
                assert row[options[0]] is None
                continue
            assert row["error"] is None, (row["id"], row["error"])
            for option in options:
                assert (row[option], ";".join(row[f"{option}_missing"])) == (
                    record[option], record[f"{option}_missing"]), (row["id"], option)
    assert seen == len(expected) == POPULATION


def test_each_python_worker_builds_one_evaluator(spark: Any) -> None:
    frame = spark.createDataFrame([(f"w{number}", 40.0) for number in range(400)],
                                  "id string, age_years double").repartition(8)
    job, _ = spark_job.job_for(RULES, None)

    def probe(batches: Iterator[Any]) -> Iterator[Any]:
        rows = sum(batch.num_rows for batch in job(batches))
        yield pa.RecordBatch.from_pylist([{"pid": os.getpid(), "built": spark_job.BUILT[0],
                                           "rows": rows}])

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        # Eight tasks on two cores: each Python worker (Spark reuses them) runs several.
        found = frame.mapInArrow(probe, "pid long, built long, rows long").collect()
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert sum(row["rows"] for row in found) == 400
    assert {row["built"] for row in found} == {1}, found


def test_a_column_that_is_no_profile_field_is_refused_on_the_driver(spark: Any) -> None:
    frame = spark.createDataFrame([("a", 40.0)], "id string, age_yeras double")
    with pytest.raises(SchemaError, match="did you mean 'age_years'"):
        evaluate_dataframe(frame, rules=RULES)


def test_a_worker_with_another_pack_refuses_to_answer() -> None:
    with pytest.raises(RulePackError, match="install the same eligibility and pack"):
        spark_job.worker_evaluator(RULES, "sha256:" + "0" * 64)


def test_a_pack_built_in_memory_cannot_travel() -> None:
    pack = load_pack(RULES)
    edited = pack.model_copy(update={"options": pack.options[:1]})
    with pytest.raises(RulePackError, match="in memory"):
        spark_job.job_for(edited, None)


def test_the_job_names_a_shipped_pack_by_name() -> None:
    job, ddl = spark_job.job_for(RULES, None)
    assert job.rules == RULES and job.digest == load_pack(RULES).digest
    assert ddl.startswith("`id` string, `dupilumab` string, `dupilumab_missing` array<string>")
