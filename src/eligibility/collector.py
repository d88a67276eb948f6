"""The garbage collector tuned for a batch, and put back after it.

A batch makes many short-lived objects beside caches of long-lived ones (modules, the
pack, its plan, the memos), which the default thresholds re-scan over and over: measured
~12% faster for ``evaluate`` on 100k profiles, ~25-40% for ``evaluate_batches`` under
``screen`` (bench/population.py), ~5% in a ``--jobs`` worker. So the objects alive when a
batch starts are frozen out of every collection, and the youngest generation is collected
every 50,000 allocations, not 700.

Only the command line and its workers tune it, never the library: a process that calls
``eligibility.evaluate`` or ``evaluate_batches`` keeps its own settings. And the command
line puts them back when the command ends, because ``eligibility.cli.main`` may be called
inside another program (the tests do) that the tuning would otherwise outlive.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: The youngest generation's threshold during a batch (the default is 700).
BATCH_THRESHOLD = (50_000, 20, 100)


def tune_for_batch() -> tuple[int, int, int]:
    """Tune the collector for a batch in a process that is ours for its life (a ``--jobs``
    worker); returns the thresholds it had."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*BATCH_THRESHOLD)
    return before


@contextmanager
def batch_collector() -> Iterator[None]:
    """Tune the collector for a batch while the block runs; restore it afterwards."""
    before = tune_for_batch()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
