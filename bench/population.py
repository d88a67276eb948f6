"""Benchmark of population screening: Arrow batches, `eligibility screen`, Spark local[2].

    python bench/population.py                 # evaluate_batches + screen on 10^5 + Spark on 10^5
    python bench/population.py --million       # adds screen on 10^6 (several minutes)
    python bench/population.py --skip-spark    # without Spark (no Java needed)
    python bench/population.py --only-batches  # evaluate_batches alone
    python bench/population.py --bulk 100000,300000 --skip-spark  # screen on Bulk NDJSON alone

Numbers only, printed, never asserted. Rates per core are profiles per CPU-second of the
one process that evaluates (``time.process_time``), which a busy machine disturbs less
than wall time; wall times are given beside them. Each figure is the median of
``--repeats`` runs with the range (min-max). The population is ``make_batch.profiles``
(seeded: same seed, same profiles).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pyarrow as pa
import pyarrow.parquet as pq
from make_batch import profiles

from eligibility.arrow import evaluate_batches, input_schema
from eligibility.engine.evaluation import evaluator_for

RULES = "article-2023"
BATCH_SIZES = (1024, 4096, 16384, 65536)
CHILD = str(Path(__file__).with_name("child.py"))
DEFAULT_GC = gc.get_threshold()


def measured(repeats: int, action: Callable[[], object]) -> tuple[list[float], list[float]]:
    """CPU and wall seconds of each of ``repeats`` runs."""
    cpu, wall = [], []
    for _ in range(repeats):
        started, ticked = time.perf_counter(), time.process_time()
        action()
        cpu.append(time.process_time() - ticked)
        wall.append(time.perf_counter() - started)
    return cpu, wall


def spread(values: list[float], scale: float = 1.0) -> str:
    """'median (min-max)' of ``scale / value`` for rates, or of the values when scale is 0."""
    shown = [scale / value for value in values] if scale else values
    return f"{statistics.median(shown):,.0f} ({min(shown):,.0f}-{max(shown):,.0f})"


def table_of(count: int, seed: int = 2026) -> pa.Table:
    return pa.Table.from_pylist(list(profiles(count, seed)), schema=input_schema())


def bench_batches(count: int, repeats: int) -> float:
    table = table_of(count)
    evaluator = evaluator_for(RULES)
    for _ in evaluate_batches(table.to_batches(max_chunksize=4096), rules=evaluator):
        pass  # warm the evaluator's memos, as a long run has them warm
    print(f"\nevaluate_batches, {count:,} profiles, {RULES}, one process "
          "(profiles per CPU-second = per core; wall in brackets)")
    rates: dict[str, list[float]] = {"default": [], "tuned": []}
    for collector in rates:
        if collector == "tuned":  # as `eligibility evaluate` and `screen` tune it
            print("  with the CLI's collector tuning (gc.freeze(), gc.set_threshold(50_000, 20, 100)):")
            gc.freeze()
            gc.set_threshold(50_000, 20, 100)
        for size in BATCH_SIZES:
            batches = table.to_batches(max_chunksize=size)
            cpu, wall = measured(repeats, lambda b=batches: sum(
                out.num_rows for out in evaluate_batches(b, rules=evaluator)))
            rates[collector].append(count / statistics.median(cpu))
            print(f"  batch {size:>6,}: {spread(cpu, count)} profiles/s per core  "
                  f"[wall {spread(wall, count)} profiles/s]")
    gc.unfreeze()
    gc.set_threshold(*DEFAULT_GC)
    # Spark's Python workers keep the default collector: the estimate uses that rate, at
    # Spark's batch size (10,000 rows: spark.sql.execution.arrow.maxRecordsPerBatch).
    return statistics.median(rates["default"])


def run_child(argv: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (MB, the CLI process alone) and CPU seconds (user+sys of
    the child, which a loaded machine disturbs less than wall) of one CLI run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, CHILD, *argv], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peaks = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("peak-rss-kb ")]
    if done.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr[-500:]}")
    return wall, (peaks[-1] // 1024 if peaks else -1), cpu


def write_population(count: int, folder: Path) -> tuple[Path, Path]:
    jsonl = folder / f"pop{count}.jsonl"
    with jsonl.open("w", encoding="utf-8") as out:
        for data in profiles(count):
            out.write(json.dumps(data) + "\n")
    parquet = folder / f"pop{count}.parquet"
    writer = pq.ParquetWriter(str(parquet), input_schema())
    batch: list[dict[str, object]] = []
    for data in profiles(count):
        batch.append(data)
        if len(batch) == 65536:
            writer.write_table(pa.Table.from_pylist(batch, schema=input_schema()))
            batch = []
    if batch:
        writer.write_table(pa.Table.from_pylist(batch, schema=input_schema()))
    writer.close()
    return jsonl, parquet


def bench_screen(count: int, folder: Path) -> float:
    """screen on Bulk NDJSON, Parquet and JSON Lines; the single-process CLI's wall."""
    jsonl, parquet = write_population(count, folder)
    print(f"\neligibility screen, {count:,} synthetic patients ({RULES}; load average "
          f"{os.getloadavg()[0]:.1f})")
    bench_bulk(count, folder)
    for path in (parquet, jsonl):
        screen_once(path, path.suffix[1:], count, folder, [])
    cli, peak, cpu = run_child(["evaluate", str(jsonl), "--rules", RULES, "--format", "jsonl",
                                "-o", os.devnull, "-q"])
    print(f"  evaluate --format jsonl (single process, for comparison): {cli:,.1f} s wall, "
          f"{cpu:,.1f} s CPU, peak RSS {peak:,} MB")
    return cli


def bench_bulk(count: int, folder: Path) -> None:
    """screen on a synthetic Bulk export of ``count`` patients (written first, not timed)."""
    from fhir_bench import write_bulk  # the FHIR helper's synthetic Bulk export

    bulk = folder / f"bulk{count}"
    bulk.mkdir()
    started = time.perf_counter()
    resources = write_bulk(bulk, count)
    size = sum(path.stat().st_size for path in bulk.iterdir()) / 1e6
    print(f"  (Bulk export: {resources:,} resources, {size:,.0f} MB of NDJSON, written in "
          f"{time.perf_counter() - started:,.0f} s)")
    screen_once(bulk, "bulk", count, folder, ["--as-of", "2026-06-01"])
    for path in bulk.iterdir():
        path.unlink()
    bulk.rmdir()


def screen_once(path: Path, kind: str, count: int, folder: Path, extra: list[str]) -> None:
    out = folder / f"out-{kind}-{count}"
    wall, peak, cpu = run_child(["screen", str(path), "--output", str(out), "--rules", RULES,
                                 "-q", *extra])
    print(f"  {kind:>8}: {wall:,.1f} s wall, {cpu:,.1f} s CPU, {count / wall:,.0f} profiles/s wall, "
          f"{count / cpu:,.0f} per CPU-second, peak RSS {peak:,} MB")
    for child in out.iterdir():
        child.unlink()
    out.rmdir()


def bench_spark(count: int, folder: Path, cli_wall: float) -> None:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    from eligibility.spark import evaluate_dataframe

    parquet = folder / f"pop{count}.parquet"
    started = time.perf_counter()
    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    ready = time.perf_counter() - started
    frame = spark.read.parquet(str(parquet)).repartition(8).cache()
    frame.count()
    print(f"\nSpark local[2], {count:,} profiles (session start {ready:,.1f} s, not counted)")
    walls, cpus = [], []
    for _ in range(2):
        ticked = tree_cpu()
        started = time.perf_counter()
        evaluate_dataframe(frame, rules=RULES).write.mode("overwrite").parquet(str(folder / "spark-out"))
        walls.append(time.perf_counter() - started)
        cpus.append(tree_cpu() - ticked)
    best = min(walls)
    print(f"  evaluate_dataframe -> parquet: {best:,.1f} s wall (runs: "
          f"{', '.join(f'{wall:.1f}' for wall in walls)}), {count / best:,.0f} profiles/s; "
          f"{cli_wall / best:.2f}x the single-process CLI ({cli_wall:,.1f} s)")
    print(f"  CPU of the JVM and its Python workers per run: {', '.join(f'{cpu:.1f}' for cpu in cpus)} s "
          f"({count / min(cpus):,.0f} profiles per CPU-second); load average {os.getloadavg()[0]:.1f}")
    spark.stop()


def tree_cpu() -> float:
    """CPU seconds (user+sys, with their waited-for children's) of this process's
    descendants: the JVM and Spark's Python daemon and workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = sum(int(value) for value in fields[11:15]) / ticks
    mine = {os.getpid()}
    grown = True
    while grown:
        found = {pid for pid, parent in parents.items() if parent in mine} - mine
        grown = bool(found)
        mine |= found
    return sum(used[pid] for pid in mine if pid != os.getpid())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=65536, help="profiles for evaluate_batches")
    parser.add_argument("--screen", type=int, default=100_000, help="patients for screen and Spark")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--only-batches", action="store_true", help="evaluate_batches alone")
    parser.add_argument("--bulk", default="", metavar="N,N",
                        help="screen on Bulk NDJSON of these sizes alone (no batches, no Spark)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    if args.bulk:
        with tempfile.TemporaryDirectory() as temp:
            for count in (int(size) for size in args.bulk.split(",")):
                print(f"\neligibility screen, {count:,} synthetic Bulk patients ({RULES}; "
                      f"load average {os.getloadavg()[0]:.1f})")
                bench_bulk(count, Path(temp))
        return
    per_core = bench_batches(args.count, args.repeats)
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        if args.only_batches:
            return
        cli_wall = bench_screen(args.screen, folder)
        if not args.skip_spark:
            bench_spark(args.screen, folder, cli_wall)
        if args.million:
            bench_screen(1_000_000, folder)
    hours = 1e8 / per_core / 3600
    print(f"\n10^8 patients at {per_core:,.0f} profiles/s per core: {hours:,.1f} core-hours of "
          "evaluation; on N executors of 4 cores: " + ", ".join(
              f"N={count} {hours * 60 / (4 * count):,.1f} min" for count in (10, 50, 200)))


if __name__ == "__main__":
    main()
