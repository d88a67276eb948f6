"""Output formats in one registry keyed by name; ``evaluate`` and ``explain`` look here.

A format says what it reads and writes it to a text stream, returning whether every
record was a success. What it reads is one of:

- ``chunks``: ``EncodedChunk`` s of JSON Lines, as the batch (and its workers) make them;
- ``outcomes``: typed ``Evaluated`` or ``ErrorRecord``, for views of assessments;
- ``explanations``: typed ``Explained`` or ``ErrorRecord``.

The caller asks the services for what the format reads and hands it over; a new format
(CDS Hooks cards, CSV) is one ``register_format`` here, not a branch in every command.
The human formats import rich when they are used: JSON Lines runs start without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TextIO

from eligibility.errors import UsageError
from eligibility.model.assessment import Assessment
from eligibility.render.json_lines import write_json_array, write_jsonl_chunks
from eligibility.render.wire import EncodedChunk, EncodedRecord, Evaluated
from eligibility.suggest import did_you_mean

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

Reads = Literal["chunks", "outcomes", "explanations"]
Writer = Callable[[Iterable[Any], TextIO], bool]


@dataclass(frozen=True)
class OutputFormat:
    name: str
    reads: Reads
    write: Writer


_FORMATS: dict[str, OutputFormat] = {}


def register_format(name: str, reads: Reads) -> Callable[[Writer], Writer]:
    """Register ``write`` as the format ``name``; a name can be registered once."""
    def register(write: Writer) -> Writer:
        if name in _FORMATS:
            raise ValueError(f"output format '{name}' is already registered")
        _FORMATS[name] = OutputFormat(name, reads, write)
        return write
    return register


def output_format(name: str) -> OutputFormat:
    """The format called ``name``; a ``UsageError`` naming the known ones otherwise."""
    try:
        return _FORMATS[name]
    except KeyError:
        raise UsageError(f"no output format '{name}'{did_you_mean(name, _FORMATS)}; formats: "
                         f"{', '.join(_FORMATS)}") from None


def format_names() -> tuple[str, ...]:
    return tuple(_FORMATS)


@register_format("jsonl", reads="chunks")
def _jsonl(chunks: Iterable[EncodedChunk], out: TextIO) -> bool:
    out.flush()
    return write_jsonl_chunks(chunks, getattr(out, "buffer", out))  # bytes straight through


@register_format("json", reads="chunks")
def _json(chunks: Iterable[EncodedChunk], out: TextIO) -> bool:
    return write_json_array(_records(chunks), out)


def _records(chunks: Iterable[EncodedChunk]) -> Iterator[EncodedRecord]:
    for chunk in chunks:
        yield from chunk.records()


@register_format("table", reads="outcomes")
def _table(outcomes: Iterable[Any], out: TextIO) -> bool:
    return _human(outcomes, out, strip=False)


@register_format("text", reads="explanations")
def _text(items: Iterable[Any], out: TextIO) -> bool:
    # Explanations are read in pagers and pasted into notes: no trailing spaces.
    return _human(items, out, strip=True)


def _human(items: Iterable[Any], out: TextIO, *, strip: bool) -> bool:
    """Each item's view, then the pack and its notes once; whether every item was a success."""
    from rich.console import Console

    from eligibility.render.explain import Explained
    from eligibility.render.table import AssessmentTable, error_line, footer
    console = Console(file=out, highlight=False)

    def emit(renderable: RenderableType) -> None:
        if strip:
            _print_stripped(console, renderable, out)
        else:
            console.print(renderable)

    ok = True
    last: Assessment | None = None
    for item in items:
        if isinstance(item, Evaluated):
            emit(AssessmentTable(item.assessment, item.source))
            last = item.assessment
        elif isinstance(item, Explained):
            emit(item)
            last = item.explanation.assessment
        else:
            emit(error_line(item))
            ok = False
    emit(footer(last))
    return ok


def _print_stripped(console: Console, renderable: RenderableType, out: TextIO) -> None:
    """Render, then write with trailing spaces stripped (rich keeps the one it wrapped at)."""
    with console.capture() as captured:
        console.print(renderable)
    out.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
