"""``evaluate_dataframe``: ``evaluate_batches`` on a Spark DataFrame, through ``mapInArrow``.

The driver resolves the pack once and checks the DataFrame's columns (a bad column is a
``SchemaError`` here, not a Java stack trace from an executor). What travels to the
executors is a small ``ArrowJob``: the pack's name (shipped) or folder, its digest and
the date. Each Python worker builds its evaluator once, on its first batch, keeps it for
every later batch and task (Spark reuses its Python workers), and checks that the pack
it loaded has the driver's digest: a worker whose installed pack differs fails loudly
rather than answering by other rules.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from eligibility.engine.evaluation import Evaluator, evaluator_for
from eligibility.errors import RulePackError
from eligibility.population.batches import BatchRules, evaluate_batch, evaluator_of
from eligibility.population.rows import Screener
from eligibility.population.schema import check_input, spark_ddl
from eligibility.rulepack.loader import load_pack

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

#: This worker's evaluators, by (pack, digest): built once per Python worker process.
_WORKER: dict[tuple[str, str], Evaluator] = {}
#: Its screeners (the evaluator's batch decisions on one date), by (pack, digest, date).
_SCREENERS: dict[tuple[str, str, dt.date | None], Screener] = {}
_LOCK = threading.Lock()
#: How many evaluators this process has built (tests read it: one per worker).
BUILT = [0]


@dataclass(frozen=True)
class ArrowJob:
    """What one ``mapInArrow`` call needs on an executor: picklable, a few strings."""

    rules: str
    digest: str
    as_of: dt.date | None

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        screener = worker_screener(self.rules, self.digest, self.as_of)
        for batch in batches:
            yield evaluate_batch(batch, screener)


def worker_screener(rules: str, digest: str, as_of: dt.date | None) -> Screener:
    """This process's screener for ``rules`` on ``as_of``, made on first use."""
    evaluator = worker_evaluator(rules, digest)
    with _LOCK:
        found = _SCREENERS.get((rules, digest, as_of))
        if found is None:
            found = _SCREENERS[rules, digest, as_of] = Screener(evaluator, as_of)
        return found


def worker_evaluator(rules: str, digest: str) -> Evaluator:
    """The evaluator of this process for ``rules``, made on first use, checked by digest."""
    key = (rules, digest)
    with _LOCK:
        found = _WORKER.get(key)
        if found is None:
            found = evaluator_for(load_pack(rules))  # the registry's, which decisions share
            BUILT[0] += 1
            if found.pack.digest != digest:
                raise RulePackError([
                    f"rule pack {rules}: this Spark worker has digest {found.pack.digest}, the "
                    f"driver {digest}: install the same eligibility and pack on every node"])
            _WORKER[key] = found
        return found


def job_for(rules: BatchRules, as_of: dt.date | None) -> tuple[ArrowJob, str]:
    """The job for ``rules`` and the Spark DDL of its output, resolved on the driver."""
    pack = evaluator_of(rules).pack
    if pack.origin == "memory":
        raise RulePackError([f"rule pack {pack.name}: built or edited in memory, so Spark "
                             "workers cannot load it; write it to a folder and give that"])
    # A shipped pack by name (each node finds it in its own installed package), a
    # folder by path (which every node must see at the same path).
    name = pack.name if pack.origin == "shipped" else pack.path
    return ArrowJob(name, pack.digest, as_of), spark_ddl(pack)


def evaluate_dataframe(frame: DataFrame, *, rules: BatchRules = None,
                       as_of: dt.date | None = None) -> DataFrame:
    """``frame``'s profiles (the input schema of ``population/schema.py``) to a DataFrame of
    answers, a row per profile (the output schema), evaluated on the executors."""
    from pyspark.sql.pandas.types import to_arrow_schema

    check_input(to_arrow_schema(frame.schema))
    job, ddl = job_for(rules, as_of)
    return frame.mapInArrow(job, ddl)
