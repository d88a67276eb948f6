"""The ``text`` format for people: one patient's table, a batch overview, or the long form.

One record gets today's table (every option, its status, a short why); more than one
get the overview (``overview.py``), whose rows stream as they come. Either way the rule
pack and its notes come once, at the end. Explanations are the long form, a tree per
option. No line ends in spaces: these are read in pagers and pasted into notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from rich.console import Console, Group, RenderableType
from rich.text import Text

from eligibility.model.assessment import Assessment
from eligibility.render.console import console_for
from eligibility.render.explain import Explained
from eligibility.render.overview import Column, Overview, columns_from
from eligibility.render.record import ErrorRecord
from eligibility.render.status import LEGEND
from eligibility.render.table import AssessmentTable, error_line, footer, pack_footer, pack_lines
from eligibility.render.wire import Decided, Evaluated, Frame, Outcome


def write_assessments(outcomes: Iterable[Decided | Outcome], out: TextIO,
                      columns: Iterable[Column] = (), width: int | None = None) -> bool:
    """One table for one record, the overview for more; whether every record was a success.

    The overview reads only decisions (``Decided``; a full outcome is read as one), so the
    services hand it those; one record alone comes in full, with its reasons.
    """
    console = console_for(out, width)
    items = iter(outcomes)
    first = next(items, None)
    second = next(items, None)
    if first is None:
        return True
    if second is None:
        if isinstance(first, Decided):
            raise TypeError("one record is shown with its reasons: give its full outcome")
        _print_stripped(console, _single(first), out)
        _print_stripped(console, footer(first.assessment if isinstance(first, Evaluated)
                                        else None), out)
        return isinstance(first, Evaluated)
    return _overview(console, out, _chain(first, second, items), list(columns))


def _single(outcome: Outcome) -> RenderableType:
    if isinstance(outcome, Evaluated):
        return AssessmentTable(outcome.assessment, outcome.source)
    return error_line(outcome)


def _chain(first: Decided | Outcome, second: Decided | Outcome,
           rest: Iterator[Decided | Outcome]) -> Iterator[Decided | Outcome]:
    yield first
    yield second
    yield from rest


def _overview(console: Console, out: TextIO, outcomes: Iterator[Decided | Outcome],
              columns: list[Column]) -> bool:
    colour = console.is_terminal and not console.no_color and console.color_system is not None
    overview: Overview | None = None
    waiting: list[Decided | ErrorRecord] = []
    last: Frame | None = None
    as_of: dt.date | None = None
    unread: dict[str, None] = {}
    for item in outcomes:
        outcome = Decided.of(item) if isinstance(item, Evaluated) else item
        if isinstance(outcome, Decided):
            last, as_of = outcome.frame, outcome.as_of
            unread.update(dict.fromkeys(outcome.not_considered))
        if overview is None:
            if not columns and last is None:
                waiting.append(outcome)  # no columns yet: wait for the first answer
                continue
            overview = Overview(columns or columns_from(last), console.width,  # type: ignore[arg-type]
                                colour=colour)
            out.write("\n".join(overview.header()) + "\n")
            for early in waiting:
                out.write(overview.row(early) + "\n")
            waiting = []
        out.write(overview.row(outcome) + "\n")
    if overview is None:  # every record was invalid
        overview = Overview(columns, console.width, colour=colour)
        out.write("\n".join(overview.header()) + "\n")
        for early in waiting:
            out.write(overview.row(early) + "\n")
    out.write("\n".join(overview.footer()) + "\n\n")
    if overview.invalid:
        listed = [Text(f"Invalid records ({overview.invalid_count:,}):", style="bold"),
                  *(error_line(record) for record in overview.invalid)]
        if overview.invalid_count > len(overview.invalid):
            listed.append(Text(f"… and {overview.invalid_count - len(overview.invalid):,} "
                               "more (--format jsonl gives every error record)"))
        _print_stripped(console, Group(*listed, Text()), out)
    if last is not None:  # under the overview: fields some record gave, and newer knowledge
        _print_stripped(console, Group(*pack_lines(last.rule_pack, tuple(unread))), out)
        _print_stripped(console, pack_footer(last.rule_pack, last.notes,
                                             LEGEND if last.trial else None, as_of), out)
    else:
        _print_stripped(console, footer(None), out)
    return overview.invalid_count == 0


def write_explanations(items: Iterable[Explained | Any], out: TextIO,
                       width: int | None = None) -> bool:
    """Each profile's long form (or its error), then the pack and its notes once."""
    console = console_for(out, width)
    ok = True
    last: Assessment | None = None
    for item in items:
        if isinstance(item, Explained):
            _print_stripped(console, item, out)
            last = item.explanation.assessment
        else:
            _print_stripped(console, error_line(item), out)
            ok = False
    _print_stripped(console, footer(last), out)
    return ok


def _print_stripped(console: Console, renderable: RenderableType, out: TextIO) -> None:
    """Render, then write with trailing spaces stripped (rich keeps the one it wrapped at)."""
    with console.capture() as captured:
        console.print(renderable)
    out.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
