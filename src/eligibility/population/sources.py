"""Where a screening reads its population: Parquet, JSON Lines or a FHIR Bulk export, in chunks.

Each source yields chunks of ``Screened`` results of at most ``size`` profiles, so memory
stays bounded whatever the population (a Parquet file is read a batch at a time, JSON
Lines a line at a time, a FHIR Bulk export's NDJSON joined by patient on disk by its
reader, ``inputs/fhir``). A chunk is evaluated as ``evaluate_batches`` evaluates a batch
(``rows.Screener``): the answers are the command line's.

``size_hint`` gives the number of profiles when the source knows it without reading
(Parquet's footer), for a progress line with an end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from eligibility.errors import UsageError
from eligibility.inputs.reader import InputRecord, read_records
from eligibility.population.rows import Screened, Screener, payloads
from eligibility.population.schema import check_input
from eligibility.safe_text import clip

PARQUET = (".parquet", ".parq")
JSONL = (".jsonl",)
FHIR = (".ndjson", ".ndjson.gz")


@dataclass(frozen=True)
class Population:
    """A table of profiles to screen: its files and their kind."""

    files: tuple[Path, ...]
    kind: str  # "parquet", "jsonl" or "fhir" (a Bulk export's NDJSON files)
    #: The folder's other files, not read (``screen`` names them: none vanishes unsaid).
    skipped: tuple[Path, ...] = ()

    def size_hint(self) -> int | None:
        if self.kind != "parquet":
            return None
        return sum(int(pq.ParquetFile(path).metadata.num_rows) for path in self.files)

    def chunks(self, screener: Screener, size: int) -> Iterator[list[Screened]]:
        if self.kind == "parquet":
            for path in self.files:
                table = pq.ParquetFile(path)
                check_input(table.schema_arrow)
                for batch in table.iter_batches(batch_size=size):
                    yield screener.payloads(payloads(batch))
            return
        records = read_records([str(path) for path in self.files], as_of=screener.as_of)
        chunk: list[InputRecord] = []
        for record in records:
            chunk.append(record)
            if len(chunk) == size:
                yield screener.records(chunk)
                chunk = []
        if chunk:
            yield screener.records(chunk)


def population_at(path: Path) -> Population:
    """The population at ``path``: a FHIR Bulk export folder (its .ndjson/.ndjson.gz files),
    a .parquet or .jsonl file, or a folder of one kind of them."""
    if path.is_dir():
        files = sorted(child for child in path.iterdir() if child.is_file())
        for kind, suffixes in (("fhir", FHIR), ("parquet", PARQUET), ("jsonl", JSONL)):
            chosen = tuple(child for child in files if child.name.lower().endswith(suffixes))
            if chosen:
                return Population(chosen, kind, tuple(child for child in files
                                                      if child not in chosen
                                                      and not child.name.startswith(".")))
        raise UsageError(f"{clip(str(path))}: no .ndjson (FHIR Bulk), .parquet or .jsonl files "
                         "in this folder")
    if not path.is_file():
        raise UsageError(f"{clip(str(path))}: no such file or folder")
    name = path.name.lower()
    for kind, suffixes in (("fhir", FHIR), ("parquet", PARQUET), ("jsonl", JSONL)):
        if name.endswith(suffixes):
            return Population((path,), kind)
    raise UsageError(f"{clip(str(path))}: screen reads a FHIR Bulk export (.ndjson), or a .parquet "
                     "or .jsonl table of profiles (or a folder of them)")
