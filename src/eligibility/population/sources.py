"""Where a screening reads its population: a Parquet table or JSON Lines, in chunks.

Each source yields chunks of ``Screened`` results of at most ``size`` profiles, so memory
stays bounded whatever the population (a Parquet file is read a batch at a time, JSON
Lines a line at a time). A chunk is evaluated as ``evaluate_batches`` evaluates a batch
(``rows.screen``): the answers are the command line's.

``size_hint`` gives the number of profiles when the source knows it without reading
(Parquet's footer), for a progress line with an end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from eligibility.engine.evaluation import Evaluator
from eligibility.errors import UsageError
from eligibility.inputs.reader import InputRecord, read_records
from eligibility.model.profile import profile_id
from eligibility.population.rows import Screened, payloads, screen
from eligibility.population.schema import check_input
from eligibility.safe_text import clip, visible

PARQUET = (".parquet", ".parq")
JSONL = (".jsonl",)


@dataclass(frozen=True)
class Population:
    """A table of profiles to screen: its files and their kind."""

    files: tuple[Path, ...]
    kind: str  # "parquet" or "jsonl"

    def size_hint(self) -> int | None:
        if self.kind != "parquet":
            return None
        return sum(int(pq.ParquetFile(path).metadata.num_rows) for path in self.files)

    def chunks(self, evaluator: Evaluator, as_of: dt.date | None,
               size: int) -> Iterator[list[Screened]]:
        if self.kind == "parquet":
            for path in self.files:
                table = pq.ParquetFile(path)
                check_input(table.schema_arrow)
                for batch in table.iter_batches(batch_size=size):
                    yield screen(evaluator, payloads(batch), as_of)
            return
        records = read_records([str(path) for path in self.files])
        chunk: list[InputRecord] = []
        for record in records:
            chunk.append(record)
            if len(chunk) == size:
                yield _screen_records(evaluator, chunk, as_of)
                chunk = []
        if chunk:
            yield _screen_records(evaluator, chunk, as_of)


def _screen_records(evaluator: Evaluator, records: list[InputRecord],
                    as_of: dt.date | None) -> list[Screened]:
    readable = [record.payload for record in records if record.error is None]
    results = iter(screen(evaluator, readable, as_of))
    out: list[Screened] = []
    for record in records:
        if record.error is None:
            out.append(next(results))
        else:
            message = record.error.message or str(record.error)
            out.append(Screened(profile_id(record.payload), None, None, visible(message)))
    return out


def population_at(path: Path) -> Population:
    """The table at ``path``: a .parquet or .jsonl file, or a folder of one kind of them."""
    if path.is_dir():
        files = sorted(child for child in path.iterdir() if child.is_file())
        for kind, suffixes in (("parquet", PARQUET), ("jsonl", JSONL)):
            chosen = tuple(child for child in files if child.suffix.lower() in suffixes)
            if chosen:
                return Population(chosen, kind)
        raise UsageError(f"{clip(str(path))}: no .parquet or .jsonl files in this folder")
    if not path.is_file():
        raise UsageError(f"{clip(str(path))}: no such file or folder")
    suffix = path.suffix.lower()
    if suffix in PARQUET:
        return Population((path,), "parquet")
    if suffix in JSONL:
        return Population((path,), "jsonl")
    raise UsageError(f"{clip(str(path))}: screen reads a .parquet or .jsonl table of profiles "
                     "(or a folder of them)")
