"""Turning input records into output records, in order, one for one, in N processes.

Whatever happens to one record (invalid JSON, an invalid field, even an unexpected
exception inside evaluation) becomes an error record for that record; the batch goes
on. ``--jobs N`` hands chunks to worker processes and reassembles them in input order,
so the output is the same, byte for byte, for any N (the processes: ``services.pool``).
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eligibility.engine.evaluation import evaluate, evaluate_each
from eligibility.errors import EligibilityError, ProfileError
from eligibility.inputs.reader import PAUSE, InputRecord
from eligibility.render.record import RecordWriter
from eligibility.rulepack.loader import DEFAULT_PACK
from eligibility.services.pool import map_ordered

#: Records per chunk: one engine session each, and the unit of work for --jobs.
CHUNK = 128
_WRITER = RecordWriter()


@dataclass(frozen=True)
class OutputRecord:
    """One output record: its JSON text (compact, one line) and whether it is an error."""

    line: str
    ok: bool

    def data(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.line)
        return result


def assess_record(record: InputRecord, rules: str | Path = DEFAULT_PACK) -> OutputRecord:
    """One input record to one output record; never raises for a bad record."""
    if record.error is not None:
        return _error_record(record.source, record.error, profile_id=None)
    profile_id = _profile_id(record.payload)
    try:
        assessment = evaluate(record.payload, rules=rules)  # type: ignore[arg-type]
    except ProfileError as error:
        return _error_record(record.source, error, profile_id)
    except EligibilityError as error:
        return _error_record(record.source, error, profile_id, kind="engine")
    except Exception as error:
        wrapped = EligibilityError(f"internal error while evaluating: {type(error).__name__}: {error}")
        return _error_record(record.source, wrapped, profile_id, kind="internal")
    return OutputRecord(_WRITER.record_json(assessment, record.source), ok=True)


def assess_chunk(records: Sequence[InputRecord], rules: str | Path = DEFAULT_PACK
                 ) -> list[OutputRecord]:
    """Several records at once, sharing engine sessions; one output record each.

    If anything unexpected happens to the chunk as a whole, each record is redone on
    its own, so a fault is pinned on the one record that causes it.
    """
    readable = [record for record in records if record.error is None]
    try:
        results = iter(evaluate_each([record.payload for record in readable], rules=rules))
    except Exception:
        return [assess_record(record, rules) for record in records]
    out = []
    for record in records:
        if record.error is not None:
            out.append(_error_record(record.source, record.error, profile_id=None))
            continue
        result = next(results)
        if isinstance(result, ProfileError):
            out.append(_error_record(record.source, result, _profile_id(record.payload)))
        else:
            out.append(OutputRecord(_WRITER.record_json(result, record.source), ok=True))
    return out


@dataclass(frozen=True)
class EncodedChunk:
    """A chunk's output as JSON Lines in UTF-8 (every line ends in a newline).

    Workers send chunks as bytes: a record is ~15 KB of text, and passing it as bytes
    costs one copy, where a ``str`` would be encoded, decoded and encoded again.
    """

    data: bytes
    oks: tuple[bool, ...]

    def records(self) -> list[OutputRecord]:
        lines = self.data.decode("utf-8").split("\n")[:-1]
        return [OutputRecord(line, ok) for line, ok in zip(lines, self.oks, strict=True)]


def assess_encoded(chunk: Sequence[InputRecord], rules: str | Path = DEFAULT_PACK) -> EncodedChunk:
    done = assess_chunk(chunk, rules)
    return EncodedChunk("".join(record.line + "\n" for record in done).encode("utf-8"),
                        tuple(record.ok for record in done))


def assess_chunks(records: Iterable[InputRecord], rules: str | Path = DEFAULT_PACK,
                  jobs: int = 1) -> Generator[EncodedChunk, None, None]:
    """Every record assessed, in input order, a chunk at a time, in ``jobs`` processes.

    Close the iterator when stopping early (``contextlib.closing``): with ``jobs > 1``
    that ends the worker processes at once rather than when it is collected.
    """
    chunks = _chunks(records, CHUNK)
    if jobs <= 1:
        return (assess_encoded(chunk, rules) for chunk in chunks if chunk is not None)
    return map_ordered(chunks, rules, jobs)


def assess_all(records: Iterable[InputRecord], rules: str | Path = DEFAULT_PACK,
               jobs: int = 1) -> Generator[OutputRecord, None, None]:
    """Every record assessed, in input order, streaming chunk by chunk."""
    with closing(assess_chunks(records, rules, jobs)) as chunks:
        for chunk in chunks:
            yield from chunk.records()


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


def warm(rules: str | Path) -> None:
    """Compile the pack's engine now (a worker does it once, before its first chunk)."""
    from eligibility.engine.evaluation import engine_for
    engine_for(rules)


def dumps(data: dict[str, Any]) -> str:
    # ASCII escapes: an error record may quote input text, which can hold lone surrogates
    # (from "\\ud800" escapes) that have no UTF-8 form and would break the output stream.
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"))


def _profile_id(payload: object) -> str | None:
    if isinstance(payload, dict):
        value = payload.get("id")
        if isinstance(value, str) and 0 < len(value) <= 200:
            return value
    return None


def _error_record(source: str, error: EligibilityError, profile_id: str | None,
                  kind: str = "profile") -> OutputRecord:
    message = getattr(error, "message", None) or str(error)
    field = getattr(error, "field", None)
    detail: dict[str, Any] = {"message": message, "field": field, "kind": kind}
    suggestion = getattr(error, "suggestion", None)
    if suggestion:
        detail["suggestion"] = suggestion
    out = {"profile": profile_id or source, "source": source, "error": detail}
    return OutputRecord(dumps(out), ok=False)
