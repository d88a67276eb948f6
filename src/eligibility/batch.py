"""Turning input records into output records, in order, one for one, in N processes.

Whatever happens to one record (invalid JSON, an invalid field, even an unexpected
exception inside evaluation) becomes an error record for that record; the batch goes
on. ``--jobs N`` hands chunks to worker processes and reassembles them in input order,
so the output is the same, byte for byte, for any N.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import EligibilityError, ProfileError
from .evaluation import evaluate
from .reader import InputRecord
from .record import RecordWriter
from .rulepack.loader import DEFAULT_PACK

CHUNK = 64
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


def assess_all(records: Iterable[InputRecord], rules: str | Path = DEFAULT_PACK,
               jobs: int = 1) -> Iterator[OutputRecord]:
    """Every record assessed, in input order, streaming."""
    if jobs <= 1:
        for record in records:
            yield assess_record(record, rules)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_warm, initargs=(rules,)) as pool:
        tasks = ((record, rules) for record in records)
        yield from pool.imap(_assess_star, tasks, chunksize=CHUNK)


def _assess_star(task: tuple[InputRecord, str | Path]) -> OutputRecord:
    return assess_record(*task)


def _warm(rules: str | Path) -> None:
    # Ctrl-C is the parent's to handle: it stops the pool and reports what was written.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .evaluation import engine_for
    engine_for(rules)


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


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
