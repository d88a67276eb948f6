"""Output formats in one registry keyed by name; ``evaluate`` and ``explain`` look here.

One vocabulary of names for every command: ``text`` (for people; ``table`` is another
name for it), ``json`` (one document), ``jsonl`` (a record per line), ``csv`` (a
spreadsheet) and ``markdown``. A name means the same kind of output whatever the
command; what a command writes under it depends on what it reads, one of:

- ``chunks``: ``EncodedChunk`` s of JSON Lines, as the batch (and its workers) make them;
- ``outcomes``: typed ``Evaluated`` or ``ErrorRecord``, for views of assessments;
- ``decisions``: typed ``Decided`` (what was decided for each option, no reasons: far
  cheaper to make), ``Evaluated`` (one record alone; a record a reader annotated) or
  ``ErrorRecord``, for views of a batch's statuses;
- ``explanations``: typed ``Explained`` or ``ErrorRecord``.

So the registry is keyed by (name, what it reads): ``text`` of decisions is the overview
(or one patient's table, given in full), ``text`` of explanations the long form. The
caller asks the services for what the format reads and hands it over with the ``View`` (short option
names, width); a new format is one ``register_format`` here, not a branch in every
command. The human formats import rich when they are used: JSON Lines runs start
without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, TextIO

from eligibility.errors import UsageError
from eligibility.render.json_lines import write_json_array, write_jsonl_chunks
from eligibility.render.wire import EncodedChunk, EncodedRecord
from eligibility.suggest import did_you_mean

Reads = Literal["chunks", "decisions", "outcomes", "explanations"]
READS: tuple[Reads, ...] = ("chunks", "decisions", "outcomes", "explanations")
#: Other names kept working (README, scripts and CI use them).
ALIASES: Mapping[str, str] = {"table": "text"}


class OptionLabel(NamedTuple):
    """An option as narrow views name it: its id, short name, and whether in trials."""

    id: str
    label: str
    trial: bool


@dataclass(frozen=True)
class View:
    """What a writer may need besides the items: the options shown (short names, in
    order; empty: as the answers list them) and the width (``None``: the policy's)."""

    options: tuple[OptionLabel, ...] = ()
    width: int | None = None


Writer = Callable[[Iterable[Any], TextIO, View], bool]


@dataclass(frozen=True)
class OutputFormat:
    name: str
    reads: Reads
    write: Writer


_FORMATS: dict[tuple[str, Reads], OutputFormat] = {}


def register_format(name: str, reads: Reads) -> Callable[[Writer], Writer]:
    """Register ``write`` as the format ``name`` of what it ``reads``; once per pair."""
    def register(write: Writer) -> Writer:
        if (name, reads) in _FORMATS:
            raise ValueError(f"output format '{name}' of {reads} is already registered")
        _FORMATS[(name, reads)] = OutputFormat(name, reads, write)
        return write
    return register


def canonical(name: str) -> str:
    """The format's own name: 'table' -> 'text'; any other name as it is."""
    return ALIASES.get(name, name)


def output_format(name: str, reads: Sequence[Reads] = READS) -> OutputFormat:
    """The format called ``name`` (or an alias of it) that reads one of ``reads``, the
    first that has it; a ``UsageError`` naming the formats there are otherwise."""
    wanted = canonical(name)
    for kind in reads:
        found = _FORMATS.get((wanted, kind))
        if found is not None:
            return found
    names = format_names(reads)
    raise UsageError(f"no output format '{name}'{did_you_mean(name, [*names, *ALIASES])}; "
                     f"formats: {', '.join(names)}")


def format_names(reads: Sequence[Reads] = READS) -> tuple[str, ...]:
    """The formats that read any of ``reads``, each name once, in registration order."""
    return tuple(dict.fromkeys(name for name, kind in _FORMATS if kind in reads))


@register_format("jsonl", reads="chunks")
def _jsonl(chunks: Iterable[EncodedChunk], out: TextIO, view: View) -> bool:
    out.flush()
    return write_jsonl_chunks(chunks, getattr(out, "buffer", out))  # bytes straight through


@register_format("json", reads="chunks")
def _json(chunks: Iterable[EncodedChunk], out: TextIO, view: View) -> bool:
    return write_json_array(_records(chunks), out)


def _records(chunks: Iterable[EncodedChunk]) -> Iterator[EncodedRecord]:
    for chunk in chunks:
        yield from chunk.records()


@register_format("text", reads="decisions")
def _text_decisions(outcomes: Iterable[Any], out: TextIO, view: View) -> bool:
    from eligibility.render.human import write_assessments
    from eligibility.render.overview import columns_of
    return write_assessments(outcomes, out, columns_of(view.options), view.width)


@register_format("csv", reads="decisions")
def _csv(outcomes: Iterable[Any], out: TextIO, view: View) -> bool:
    from eligibility.render.spreadsheet import write_csv
    return write_csv(outcomes, out, [option.id for option in view.options])


@register_format("text", reads="explanations")
def _text_explanations(items: Iterable[Any], out: TextIO, view: View) -> bool:
    from eligibility.render.human import write_explanations
    return write_explanations(items, out, view.width)


@register_format("json", reads="explanations")
def _json_explanations(items: Iterable[Any], out: TextIO, view: View) -> bool:
    from eligibility.render.explain_record import explanation_lines
    return write_json_array(explanation_lines(items), out)


@register_format("jsonl", reads="explanations")
def _jsonl_explanations(items: Iterable[Any], out: TextIO, view: View) -> bool:
    from eligibility.render.explain_record import explanation_lines
    from eligibility.render.utf8 import utf8_writer
    write = utf8_writer(out)
    ok = True
    for line in explanation_lines(items):
        write(line.line + "\n")
        ok = ok and line.ok
    return ok
