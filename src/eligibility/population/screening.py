"""``eligibility screen``'s work: a population in, screening.parquet/.csv and report.html out.

One pass, a chunk at a time: each chunk is evaluated (``sources``), written to the
Parquet and CSV files and counted (``tally``); the report is drawn from the counts at the
end. Memory is one chunk plus the counters, whatever the population.

Restartable by output file: everything is written to hidden temporary files in the
output folder and renamed over the final names only when the whole run succeeded, the
report last. An interrupted run leaves the previous results (or none) and some
``.screening-*.tmp`` files, which the next run replaces: run it again to restart.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from eligibility.engine.evaluation import Evaluator
from eligibility.population.report import ReportContext, report_html, summary_text
from eligibility.population.rows import to_batch
from eligibility.population.schema import output_schema
from eligibility.population.sources import Population
from eligibility.population.tally import ScreenTally
from eligibility.render.spreadsheet import BOM, safe_cell

OUTPUTS = ("screening.parquet", "screening.csv", "report.html")
CHUNK = 8192
#: Called after each chunk with (patients so far, invalid so far, total if known).
Progress = Callable[[int, int, int | None], None]


@dataclass(frozen=True)
class ScreenResult:
    tally: ScreenTally
    summary: str
    files: tuple[Path, ...]


def run_screen(population: Population, evaluator: Evaluator, output: Path, *,
               as_of: dt.date | None, source: str, progress: Progress | None = None,
               chunk: int = CHUNK) -> ScreenResult:
    """Screen ``population`` into ``output`` (module docstring); the counts and summary."""
    output.mkdir(parents=True, exist_ok=True)
    pack = evaluator.pack
    temps = {name: output / f".screening-{name}.tmp" for name in OUTPUTS}
    tally = ScreenTally(pack.option_ids)
    total = population.size_hint()
    schema = output_schema(pack)
    try:
        with _parquet(temps["screening.parquet"], schema) as parquet, \
                temps["screening.csv"].open("w", encoding="utf-8", newline="") as text:
            rows = csv.writer(text, lineterminator="\r\n")
            text.write(BOM)
            rows.writerow(schema.names)
            for results in population.chunks(evaluator, as_of, chunk):
                batch = to_batch(results, evaluator, as_of)
                parquet.write_batch(batch)
                rows.writerows(_csv_rows(batch))
                tally.add(results)
                if progress is not None:
                    progress(tally.patients, tally.invalid, total)
            _sync(text)
        context = ReportContext(pack, as_of, source)
        temps["report.html"].write_text(report_html(tally, context), encoding="utf-8")
        for name in OUTPUTS:  # the report last: its presence says the run completed
            _fsync_path(temps[name])
            os.replace(temps[name], output / name)
    except BaseException:
        for path in temps.values():
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return ScreenResult(tally, summary_text(tally, context), tuple(output / name for name in OUTPUTS))


@contextlib.contextmanager
def _parquet(path: Path, schema: pa.Schema) -> Iterator[pq.ParquetWriter]:
    writer = pq.ParquetWriter(str(path), schema, compression="zstd")
    try:
        yield writer
    finally:
        writer.close()


def _csv_rows(batch: pa.RecordBatch) -> Iterator[list[str]]:
    """The batch's rows as CSV cells: lists joined by ';', dates ISO, nulls empty."""
    columns = [column.to_pylist() for column in batch.columns]
    for values in zip(*columns, strict=True):
        yield [_cell(value) for value in values]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return safe_cell(";".join(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_cell(str(value))


def _sync(handle: io.TextIOBase) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
