"""``eligibility screen``'s work: a population in, screening.parquet/.csv and report.html out.

One pass, a chunk at a time: each chunk is evaluated (``sources``), written to the
Parquet and CSV files and counted (``tally``); the report is drawn from the counts at the
end. Memory is one chunk, one Parquet row group of answers and the counters, whatever
the population.

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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from eligibility.engine.evaluation import Evaluator
from eligibility.population.report import ReportContext, report_html, summary_text
from eligibility.population.rows import Screened, Screener, to_batch
from eligibility.population.schema import output_schema
from eligibility.population.sources import Population
from eligibility.population.tally import ScreenTally
from eligibility.render.spreadsheet import BOM, safe_cell

OUTPUTS = ("screening.parquet", "screening.csv", "report.html")
#: Profiles evaluated at a time. Memory per chunk is ~6 KB a profile (its payload,
#: ``Profile`` and decisions) and smaller chunks are no slower (2,048 and 8,192 gave the
#: same CPU time; 8,192 held ~35 MB more), so a chunk stays small.
CHUNK = 2048
#: Rows per Parquet row group: chunks are gathered up to it (~10 MB of Arrow), so readers
#: of screening.parquet see few large row groups, not one per chunk.
ROW_GROUP = 65536
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
    screener = Screener(evaluator, as_of)
    tally = ScreenTally(pack.option_ids)
    total = population.size_hint()
    schema = output_schema(pack)
    try:
        with _Parquet(temps["screening.parquet"], schema) as parquet, \
                temps["screening.csv"].open("w", encoding="utf-8", newline="") as text:
            rows = csv.writer(text, lineterminator="\r\n")
            text.write(BOM)
            rows.writerow(schema.names)
            for results in population.chunks(screener, chunk):
                parquet.add(to_batch(results, screener))
                rows.writerows(_csv_rows(results, screener))
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


class _Parquet:
    """screening.parquet, written a row group of ``ROW_GROUP`` rows at a time."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._writer = pq.ParquetWriter(str(path), schema, compression="zstd")
        self._pending: list[pa.RecordBatch] = []
        self._rows = 0

    def add(self, batch: pa.RecordBatch) -> None:
        self._pending.append(batch)
        self._rows += batch.num_rows
        if self._rows >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_table(pa.Table.from_batches(self._pending), row_group_size=ROW_GROUP)
        self._pending, self._rows = [], 0

    def __enter__(self) -> _Parquet:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        try:
            if kind is None:
                self._flush()
        finally:
            self._writer.close()


def _csv_rows(results: Sequence[Screened], screener: Screener) -> Iterator[list[str]]:
    """The rows as CSV cells, as the Parquet batch holds them: lists joined by ';', the
    date ISO, nulls empty. Made from the results, not read back out of Arrow: the pack's
    cells are the same on every row, and a status or a field name is never a formula."""
    pack = screener.evaluator.pack
    tail = [safe_cell(pack.name), safe_cell(pack.info.version), safe_cell(pack.digest),
            "" if screener.as_of is None else screener.as_of.isoformat()]
    empty = [""] * (2 * len(pack.option_ids))
    for result in results:
        cells = [safe_cell(result.id) if result.id is not None else ""]
        if result.statuses:
            for status, missing in zip(result.statuses, result.missing, strict=True):
                cells += [status, safe_cell(";".join(missing))]
        else:
            cells += empty
        yield [*cells, *tail, safe_cell(result.error) if result.error is not None else ""]


def _sync(handle: io.TextIOBase) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
