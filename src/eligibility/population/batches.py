"""``evaluate_batches``: Arrow record batches of profiles in, batches of answers out.

A pure function of each batch (given the pack and the assessment date), holding no
state between batches but the evaluator, which is built once per process: so the same
function is Spark's ``mapInArrow``, Ray Data's ``map_batches``, Dask's ``map_partitions``
over Arrow, or a loop over ``pyarrow.parquet.ParquetFile.iter_batches`` or a DuckDB
Arrow result. The schemas are in ``population/schema.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa

from eligibility.engine.evaluation import Evaluator, evaluator_for
from eligibility.population.rows import Screener, payloads, to_batch
from eligibility.population.schema import check_input
from eligibility.rulepack.model import RulePack

BatchRules = str | Path | RulePack | Evaluator | None
#: Rows decided at a time inside a batch: one batch of 65,536 rows decided whole ran at
#: ~8,400 profiles per CPU-second, slices of 1,024-2,048 at ~10,000 (more live objects
#: for each garbage collection to walk, larger dictionaries).
SLICE = 2048


def evaluator_of(rules: BatchRules) -> Evaluator:
    """The evaluator for ``rules``: as given, or the process's one for that pack."""
    return rules if isinstance(rules, Evaluator) else evaluator_for(rules)


def evaluate_batches(batches: Iterable[pa.RecordBatch], *, rules: BatchRules = None,
                     as_of: dt.date | None = None) -> Iterator[pa.RecordBatch]:
    """One output batch per input batch, a row per profile, in order.

    ``rules``: a pack name, folder, ``RulePack`` or a held ``Evaluator`` (default: the
    user's default pack, as ``evaluate`` chooses it). ``as_of``: the assessment date,
    which a ``birth_date`` needs (without it such a row's ``error`` says so). A table
    whose columns cannot be profiles raises ``SchemaError`` naming the column, before any
    row is evaluated; an invalid row is a row with its ``error``.
    """
    screener = Screener(evaluator_of(rules), as_of)
    checked: pa.Schema | None = None
    for batch in batches:
        if checked is None or not batch.schema.equals(checked):
            check_input(batch.schema)
            checked = batch.schema
        yield evaluate_batch(batch, screener)


def evaluate_batch(batch: pa.RecordBatch, screener: Screener) -> pa.RecordBatch:
    """One batch (its schema already checked) to its answers, decided ``SLICE`` rows at a
    time: a batch's size is its caller's (Spark sends 10,000 rows, a Parquet row group
    may hold a million), and the rows' Python objects stay bounded whatever it is: each
    slice becomes Arrow before the next is decided."""
    if batch.num_rows <= SLICE:
        return to_batch(screener.payloads(payloads(batch)), screener)
    return pa.concat_batches([to_batch(screener.payloads(payloads(batch.slice(start, SLICE))), screener)
                              for start in range(0, batch.num_rows, SLICE)])
