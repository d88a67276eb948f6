"""Turning input records into output records, in order, one for one, in N processes.

Whatever happens to one record (invalid JSON, an invalid field, even an unexpected
exception inside evaluation) becomes an error record for that record; the batch goes
on. ``--jobs N`` hands chunks to worker processes and reassembles them in input order,
so the output is the same, byte for byte, for any N (the processes: ``services.pool``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing
from typing import Any, TypeVar

from eligibility.engine.evaluation import Rules, evaluator_for
from eligibility.errors import EligibilityError, ProfileError
from eligibility.inputs.jsonl_blocks import LineBlock
from eligibility.inputs.reader import PAUSE, InputRecord
from eligibility.model.profile import profile_id as valid_id
from eligibility.render.brief import Detail
from eligibility.render.record import ErrorRecord
from eligibility.render.wire import (
    Decided,
    EncodedChunk,
    EncodedRecord,
    Evaluated,
    Outcome,
    decode,
    encode,
    failure,
)
from eligibility.rulepack.loader import DEFAULT_PACK
from eligibility.services.pipeline import Pipeline
from eligibility.services.records import writer_for

#: Option ids to keep (``--option``); None keeps every option.
Options = tuple[str, ...] | None
#: Records per chunk: one engine session each, and the unit of work for --jobs.
CHUNK = 128
R = TypeVar("R")


def outcome_of(record: InputRecord, rules: Rules = DEFAULT_PACK,
               as_of: dt.date | None = None) -> Outcome:
    """One input record to its outcome, assessed on ``as_of``; never raises for a bad record."""
    result = attempt(record, lambda payload: evaluator_for(rules).evaluate(payload, as_of=as_of))
    return result if isinstance(result, ErrorRecord) else \
        Evaluated(record.source, record.annotated(result))


def attempt(record: InputRecord, action: Callable[[Any], R]) -> R | ErrorRecord:
    """``action(payload)`` on a readable record, or its error record; never raises for one.

    ``outcome_of`` evaluates this way and ``explain`` explains this way, so each profile
    is evaluated once and its errors read the same in both.
    """
    if record.error is not None:
        return failure(record.source, record.error, profile_id=record.profile_id)
    profile_id = _profile_id(record.payload)
    try:
        return action(record.payload)
    except ProfileError as error:
        return failure(record.source, error, profile_id)
    except EligibilityError as error:
        return failure(record.source, error, profile_id, kind="engine")
    except Exception as error:
        wrapped = EligibilityError(f"internal error while evaluating: {type(error).__name__}: {error}")
        return failure(record.source, wrapped, profile_id, kind="internal")


def outcomes_of(records: Sequence[InputRecord], rules: Rules = DEFAULT_PACK,
                options: Options = None, as_of: dt.date | None = None) -> list[Outcome]:
    """Several records at once, sharing engine sessions; one outcome each, keeping only
    ``options`` (ids, in pack order) when they are given; every one assessed on ``as_of``
    (the date the assessment is for, which a birth_date needs).

    If anything unexpected happens to the chunk as a whole, each record is redone on
    its own, so a fault is pinned on the one record that causes it.
    """
    if options is not None:
        return [only(outcome, options) for outcome in outcomes_of(records, rules, as_of=as_of)]
    readable = [record for record in records if record.error is None]
    try:
        results = iter(evaluator_for(rules).evaluate_each([record.payload for record in readable],
                                                          as_of=as_of))
    except Exception:
        return [outcome_of(record, rules, as_of) for record in records]
    out: list[Outcome] = []
    for record in records:
        if record.error is not None:
            out.append(failure(record.source, record.error, profile_id=record.profile_id))
            continue
        result = next(results)
        if isinstance(result, ProfileError):
            out.append(failure(record.source, result, _profile_id(record.payload)))
        else:
            out.append(Evaluated(record.source, record.annotated(result)))
    return out


def assess_chunk(records: Sequence[InputRecord], rules: Rules = DEFAULT_PACK,
                 options: Options = None, detail: Detail = "full",
                 as_of: dt.date | None = None) -> list[EncodedRecord]:
    """Several records at once, sharing engine sessions; one output record each, at
    ``detail`` (``services/records.py``)."""
    brief = writer_for(detail, evaluator_for(rules), options)
    return [encode(outcome, brief) for outcome in outcomes_of(records, rules, options, as_of)]


def assess_encoded(chunk: Sequence[InputRecord], rules: Rules = DEFAULT_PACK,
                   options: Options = None, detail: Detail = "full",
                   as_of: dt.date | None = None) -> EncodedChunk:
    return EncodedChunk.of(assess_chunk(chunk, rules, options, detail, as_of))


def assess_chunks(records: Iterable[InputRecord], rules: Rules = DEFAULT_PACK,
                  jobs: int = 1, options: Options = None, detail: Detail = "full",
                  as_of: dt.date | None = None) -> Generator[EncodedChunk, None, None]:
    """Every record assessed, in input order, a chunk at a time, in ``jobs`` processes.

    Close the iterator when stopping early (``contextlib.closing``): with ``jobs > 1``
    that ends the worker processes at once rather than when it is collected. ``as_of``
    is the date the assessment is for (the workers are told it with the pack). An input
    of one chunk or none is done here, without starting a worker: it would cost more
    than the chunk, and the bytes are the same.
    """
    chunks = _chunks(records, CHUNK)
    if jobs <= 1:
        return _pipelined(chunks, rules, options, detail, as_of)
    return _in_processes(chunks, rules, jobs, options, detail, as_of)


def assess_blocks(blocks: Iterable[LineBlock | list[InputRecord]], rules: Rules = DEFAULT_PACK,
                  jobs: int = 2, options: Options = None, detail: Detail = "full",
                  as_of: dt.date | None = None) -> Generator[EncodedChunk, None, None]:
    """``assess_chunks`` for input cut into blocks (``inputs.reader.line_blocks``): the
    workers decode a JSON Lines file's lines themselves, so this process only reads
    lines and stitches the bytes that come back in order. The same bytes for any ``jobs``."""
    return _in_processes(iter(blocks), rules, jobs, options, detail, as_of)


def _in_processes(chunks: Iterator[Sequence[InputRecord] | LineBlock | None], rules: Rules, jobs: int,
                  options: Options, detail: Detail,
                  as_of: dt.date | None) -> Generator[EncodedChunk, None, None]:
    """In ``jobs`` workers, unless the input is one chunk or none (done here then).

    Only a chunk and what follows it are read ahead, when the first answer is asked
    for: a pause in the input (``None``) means more may come, so workers start.
    """
    ahead = list(itertools.islice(chunks, 2))
    rest = itertools.chain(ahead, chunks)
    if len(ahead) < 2 and None not in ahead:
        yield from _pipelined(rest, rules, options, detail, as_of)
    else:
        from eligibility.services.pool import map_ordered  # processes: only when there are some

        yield from map_ordered(rest, rules, jobs, options, detail, as_of)


def _pipelined(chunks: Iterable[Sequence[InputRecord] | LineBlock | None], rules: Rules,
               options: Options, detail: Detail,
               as_of: dt.date | None) -> Generator[EncodedChunk, None, None]:
    """One process: the same bytes as ``assess_encoded``, written from the decisions."""
    pipeline = Pipeline(rules, detail, options, as_of)
    for chunk in chunks:
        if chunk is not None:
            yield pipeline.encode(chunk.records() if isinstance(chunk, LineBlock) else chunk)


def assess_all(records: Iterable[InputRecord], rules: Rules = DEFAULT_PACK,
               jobs: int = 1, options: Options = None,
               as_of: dt.date | None = None) -> Generator[EncodedRecord, None, None]:
    """Every record assessed on ``as_of``, in input order, streaming chunk by chunk."""
    with closing(assess_chunks(records, rules, jobs, options, as_of=as_of)) as chunks:
        for chunk in chunks:
            yield from chunk.records()


def assess_outcomes(records: Iterable[InputRecord], rules: Rules = DEFAULT_PACK,
                    jobs: int = 1, options: Options = None,
                    as_of: dt.date | None = None) -> Generator[Outcome, None, None]:
    """Every record's typed outcome, in input order, for views that read assessments.

    In one process the assessments are handed over as they are; from worker processes
    they arrive encoded and are decoded here, so views never see the difference.
    """
    if jobs <= 1:
        for chunk in _chunks(records, CHUNK):
            if chunk is not None:
                yield from outcomes_of(chunk, rules, options, as_of)
        return
    with closing(assess_all(records, rules, jobs, options, as_of)) as encoded:
        for record in encoded:
            yield decode(record)


def assess_decisions(records: Iterable[InputRecord], rules: Rules = DEFAULT_PACK,
                     jobs: int = 1, options: Options = None, as_of: dt.date | None = None
                     ) -> Generator[Decided | Outcome, None, None]:
    """Every record's outcome on ``as_of`` as the views of statuses read it (the overview,
    CSV), in input order: in one process a ``Decided`` (``services/decisions.py``: no
    reasons, far cheaper), from worker processes the full outcome; one record alone
    always in full, since one patient gets a table with the reasons. Views take either.
    """
    from eligibility.services.decisions import Decisions

    items = iter(records)
    head: list[InputRecord] = []
    for record in items:  # a pause before the second record changes nothing shown
        if record is not PAUSE:
            head.append(record)
            if len(head) == 2:
                break
    if len(head) < 2 or jobs > 1:
        yield from assess_outcomes(itertools.chain(head, items), rules, jobs, options, as_of)
        return
    decisions = Decisions(rules, options, as_of)
    for chunk in _chunks(itertools.chain(head, items), CHUNK):
        if chunk is not None:
            yield from decisions.decide(chunk)


def _chunks(records: Iterable[InputRecord], size: int) -> Iterator[list[InputRecord] | None]:
    """Chunks of ``size`` records; a PAUSE in the input closes a chunk early and is
    passed on as ``None`` (deliver what is in flight before waiting for more input)."""
    chunk: list[InputRecord] = []
    for record in records:
        if record is PAUSE:
            if chunk:
                yield chunk
                chunk = []
            yield None
            continue
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def only(outcome: Outcome, options: Sequence[str]) -> Outcome:
    """The outcome with only the options asked for (``--option``), in pack order."""
    if isinstance(outcome, Evaluated):
        kept = tuple(option for option in outcome.assessment.options if option.id in options)
        return Evaluated(outcome.source, outcome.assessment.model_copy(update={"options": kept}))
    return outcome


def warm(rules: Rules) -> None:
    """Prepare the pack's evaluator now (a worker does it once, before its first chunk)."""
    evaluator_for(rules)


def _profile_id(payload: object) -> str | None:
    # As the record of a valid profile would name it (stripped), so both kinds agree.
    return valid_id(payload)
