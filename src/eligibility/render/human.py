"""The ``text`` format for people: one patient's table, a batch overview, or the long form.

One record gets today's table (every option, its status, a short why); more than one
get the overview (``overview.py``), whose rows stream as they come. Either way the rule
pack and its notes come once, at the end. Explanations are the long form, a tree per
option. No line ends in spaces: these are read in pagers and pasted into notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from rich.console import Console, Group, RenderableType
from rich.text import Text

from eligibility.model.assessment import Assessment
from eligibility.render.console import console_for
from eligibility.render.explain import Explained
from eligibility.render.overview import Column, Overview, columns_from
from eligibility.render.table import AssessmentTable, error_line, footer, knowledge_lines
from eligibility.render.wire import Evaluated, Outcome


def write_assessments(outcomes: Iterable[Outcome], out: TextIO, columns: Iterable[Column] = (),
                      width: int | None = None) -> bool:
    """One table for one record, the overview for more; whether every record was a success."""
    console = console_for(out, width)
    items = iter(outcomes)
    first = next(items, None)
    second = next(items, None)
    if first is None:
        return True
    if second is None:
        _print_stripped(console, _single(first), out)
        _print_stripped(console, footer(first.assessment if isinstance(first, Evaluated)
                                        else None), out)
        return isinstance(first, Evaluated)
    return _overview(console, out, _chain(first, second, items), list(columns))


def _single(outcome: Outcome) -> RenderableType:
    if isinstance(outcome, Evaluated):
        return AssessmentTable(outcome.assessment, outcome.source)
    return error_line(outcome)


def _chain(first: Outcome, second: Outcome, rest: Iterator[Outcome]) -> Iterator[Outcome]:
    yield first
    yield second
    yield from rest


def _overview(console: Console, out: TextIO, outcomes: Iterator[Outcome],
              columns: list[Column]) -> bool:
    colour = console.is_terminal and not console.no_color and console.color_system is not None
    overview: Overview | None = None
    waiting: list[Outcome] = []
    last: Assessment | None = None
    unread: dict[str, None] = {}
    for outcome in outcomes:
        if isinstance(outcome, Evaluated):
            last = outcome.assessment
            unread.update(dict.fromkeys(last.not_considered))
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
        summary = last.model_copy(update={"not_considered": tuple(unread)})
        _print_stripped(console, Group(*knowledge_lines(summary)), out)
    _print_stripped(console, footer(last), out)
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
