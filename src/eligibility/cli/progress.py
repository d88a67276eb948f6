"""A batch's progress line and its one-line summary, both on stderr, for every format.

The progress line is shown only when stderr is a terminal (never in pipes or logs) and
the output goes elsewhere (a file, a pipe: rows streaming to the same terminal already
show progress, and a line redrawn among them would be drawn into them), and only once a
batch has run for a second; it counts records and invalid ones, and
disappears when the batch ends. The summary is one line at the end: records, invalid,
candidates per option and, on a terminal only, the time taken, so that no output a
script compares ever holds a clock. ``--quiet`` leaves both out.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eligibility.render.formats import OptionLabel
from eligibility.render.wire import Decided, EncodedChunk, Evaluated

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

DELAY_SECONDS = 1.0
EVERY = 256


@dataclass
class Tally:
    """What a batch has done so far: records, invalid ones, candidates per option id."""

    records: int = 0
    invalid: int = 0
    candidates: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    def add(self, item: Any) -> None:
        """Count one item: a chunk of encoded records, one outcome, or one's decisions."""
        if isinstance(item, EncodedChunk):
            self.records += len(item.oks)
            self.invalid += item.oks.count(False)
            self.candidates.update(dict(item.candidates))
            return
        self.records += 1
        if isinstance(item, Decided):
            self.candidates.update(item.candidates())
        elif isinstance(item, Evaluated):
            self.candidates.update(option.id for option in item.assessment.options
                                   if option.status == "candidate")
        else:
            self.invalid += 1

    def summary(self, options: Sequence[OptionLabel], *, timed: bool) -> str:
        """'eligibility: 4 records, 1 invalid; candidates: Dupixent 2, Adbry 1; 0.2 s'."""
        text = (f"eligibility: {self.records:,} record{'s' if self.records != 1 else ''}, "
                f"{self.invalid:,} invalid")
        if options and self.records > self.invalid:
            counts = ", ".join(f"{option.label} {self.candidates[option.id]:,}"
                               for option in options)
            text += f"; candidates: {counts}"
        if timed:
            text += f"; {time.monotonic() - self.started:.1f} s"
        return text


def watched(items: Iterable[Any], tally: Tally, *, progress: bool) -> Iterator[Any]:
    """``items`` as they are, counted into ``tally``, with a progress line if asked."""
    if not progress:
        for item in items:
            tally.add(item)
            yield item
        return
    bar: Progress | None = None
    task: TaskID | None = None
    shown = 0
    try:
        for item in items:
            tally.add(item)
            yield item
            if tally.records - shown < EVERY:
                continue
            shown = tally.records
            if bar is None and time.monotonic() - tally.started >= DELAY_SECONDS:
                bar, task = _start()
            if bar is not None and task is not None:
                bar.update(task, completed=tally.records, errors=tally.invalid)
    finally:
        if bar is not None:
            bar.stop()


def show_progress(output: str | None, *, quiet: bool) -> bool:
    """Whether a batch writing to ``output`` (``None`` or ``-``: stdout) shows progress."""
    to_terminal = output in (None, "-") and sys.stdout.isatty()
    return not quiet and not to_terminal and sys.stderr.isatty()


def report(tally: Tally, options: Sequence[OptionLabel], *, quiet: bool) -> None:
    """The summary line on stderr, for a batch (not one profile) and unless ``quiet``."""
    if quiet or tally.records == 1:
        return
    print(tally.summary(options, timed=sys.stderr.isatty()), file=sys.stderr)


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
