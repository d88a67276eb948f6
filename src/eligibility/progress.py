"""A progress line on stderr for batches that take more than a moment.

Shown only when stderr is a terminal (never in pipes or logs, so JSON output stays
clean) and only once a batch has run for a second; it counts records, errors and the
rate, and disappears when the batch ends.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .batch import OutputRecord

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

DELAY_SECONDS = 1.0
EVERY = 256


def with_progress(records: Iterable[OutputRecord], *, enabled: bool) -> Iterator[OutputRecord]:
    if not enabled:
        yield from records
        return
    started = time.monotonic()
    done = errors = 0
    bar: Progress | None = None
    task: TaskID | None = None
    try:
        for record in records:
            done += 1
            errors += not record.ok
            yield record
            if done % EVERY:
                continue
            if bar is None and time.monotonic() - started >= DELAY_SECONDS:
                bar, task = _start()
            if bar is not None and task is not None:
                bar.update(task, completed=done, errors=errors)
    finally:
        if bar is not None:
            bar.stop()


def _start() -> tuple[Progress, TaskID]:
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.completed:,} profiles"),
                   TextColumn("{task.fields[errors]:,} invalid"),
                   TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task("evaluate", total=None, errors=0)
    bar.start()
    return bar, task
