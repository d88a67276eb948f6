"""A progress line on stderr for batches that take more than a moment.

Shown only when stderr is a terminal (never in pipes or logs, so JSON output stays
clean) and only once a batch has run for a second; it counts records, errors and the
rate, and disappears when the batch ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from eligibility.render.wire import EncodedChunk, EncodedRecord

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

DELAY_SECONDS = 1.0
EVERY = 256


T = TypeVar("T", EncodedRecord, EncodedChunk)


def _size(item: EncodedRecord | EncodedChunk) -> tuple[int, int]:
    """(records, errors) in one item: a record, or a chunk of them."""
    if isinstance(item, EncodedChunk):
        return len(item.oks), item.oks.count(False)
    return 1, int(not item.ok)


def with_progress(records: Iterable[T], *, enabled: bool,
                  size: Callable[[T], tuple[int, int]] = _size) -> Iterator[T]:
    if not enabled:
        yield from records
        return
    started = time.monotonic()
    done = errors = 0
    bar: Progress | None = None
    task: TaskID | None = None
    shown = 0
    try:
        for record in records:
            count, failed = size(record)
            done += count
            errors += failed
            yield record
            if done - shown < EVERY:
                continue
            shown = done
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
