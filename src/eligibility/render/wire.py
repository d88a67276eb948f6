"""What one input record became, typed and encoded: the hand-over from services to writers.

An ``Outcome`` is typed: an ``Evaluated`` (the ``Assessment`` and where the profile came
from) or an ``ErrorRecord``. Human views take outcomes; the views of a batch's statuses
(the overview, CSV) also take a ``Decided``: what was decided for each option (status,
missing fields) without the reasons, which is all they show and far cheaper to make.
Machine formats take the encoded form, an ``EncodedRecord`` (one compact JSON line) or
an ``EncodedChunk`` (many, as UTF-8 bytes), which is also what worker processes send
back. ``encode`` is the one way from the first to the second; ``decode`` the way back,
for outcomes that crossed a process.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from eligibility.errors import EligibilityError, Problem
from eligibility.model.assessment import (
    AgeUsed,
    Assessment,
    Note,
    RulePackRef,
    Status,
    is_investigational,
    status_text,
)
from eligibility.render.brief import BriefWriter
from eligibility.render.record import ErrorRecord, OutputRecord, RecordError, RecordProblem, RecordWriter
from eligibility.safe_text import visible

ErrorKind = Literal["profile", "engine", "internal"]


@dataclass(frozen=True)
class Evaluated:
    """A profile that was evaluated: its assessment, and ``FILE:LINE`` it was read from."""

    source: str
    assessment: Assessment


Outcome = Evaluated | ErrorRecord


@dataclass(frozen=True)
class OptionFrame:
    """An option as the views of statuses name it: its id, name, kind and evidence."""

    id: str
    name: str
    kind: str
    evidence: str

    @property
    def trial(self) -> bool:
        return is_investigational(self.kind, self.evidence)

    def status_text(self, status: Status) -> str:
        return status_text(status, self.kind, self.evidence)


@dataclass(frozen=True)
class Frame:
    """What the records of one pack and one choice of options share: the pack, the notes
    said once under a view, and the options, in the pack's order."""

    rule_pack: RulePackRef
    notes: tuple[Note, ...]
    options: tuple[OptionFrame, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options)

    @property
    def trial(self) -> bool:
        """Whether a trial option is shown (the views then explain the trial label)."""
        return any(option.trial for option in self.options)


@dataclass(frozen=True)
class Decided:
    """What was decided for one profile, without the reasons: per option of ``frame``, in
    its order, the status and the profile fields that would decide it (``missing``); the
    given fields no rule read; ``profile`` is the profile's id, ``None`` without one."""

    source: str
    profile: str | None
    statuses: tuple[Status, ...]
    missing: tuple[tuple[str, ...], ...]
    not_considered: tuple[str, ...]
    frame: Frame
    #: The date it was assessed for, and the age the decision used (``Assessment``'s).
    as_of: dt.date | None = None
    age_used: AgeUsed | None = None

    @classmethod
    def of(cls, evaluated: Evaluated) -> Decided:
        """The decisions in a full outcome (the same as ``services/decisions.py`` makes)."""
        assessment = evaluated.assessment
        frame = Frame(assessment.rule_pack, assessment.notes,
                      tuple(OptionFrame(option.id, option.name, option.kind, option.evidence)
                            for option in assessment.options))
        return cls(evaluated.source, assessment.profile,
                   tuple(option.status for option in assessment.options),
                   tuple(option.missing_fields for option in assessment.options),
                   assessment.not_considered, frame, assessment.as_of, assessment.age_used)

    def candidates(self) -> tuple[str, ...]:
        """The ids of the options this patient is a candidate for."""
        return tuple(option.id for option, status in zip(self.frame.options, self.statuses,
                                                         strict=True) if status == "candidate")


@dataclass(frozen=True)
class EncodedRecord:
    """One output record: its JSON text (compact, one line), whether it is a success, and
    the ids of the options it found the patient a candidate for (for the summary line)."""

    line: str
    ok: bool
    candidates: tuple[str, ...] = ()

    def data(self) -> dict[str, Any]:
        """The record as plain data, for tests and scripts; views take outcomes instead."""
        result: dict[str, Any] = json.loads(self.line)
        return result


@dataclass(frozen=True)
class EncodedChunk:
    """A chunk's output as JSON Lines in UTF-8 (every line ends in a newline).

    Workers send chunks as bytes: a record is ~15 KB of text, and passing it as bytes
    costs one copy, where a ``str`` would be encoded, decoded and encoded again.
    """

    data: bytes
    oks: tuple[bool, ...]
    #: Per option id, how many of the chunk's patients are candidates for it.
    candidates: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, records: Iterable[EncodedRecord]) -> EncodedChunk:
        done = list(records)
        counts = Counter(option for record in done for option in record.candidates)
        return cls("".join(record.line + "\n" for record in done).encode("utf-8"),
                   tuple(record.ok for record in done), tuple(counts.items()))

    def records(self) -> list[EncodedRecord]:
        lines = self.data.decode("utf-8").split("\n")[:-1]
        return [EncodedRecord(line, ok) for line, ok in zip(lines, self.oks, strict=True)]


_WRITER = RecordWriter()


def failure(source: str, error: EligibilityError, profile_id: str | None,
            kind: ErrorKind = "profile") -> ErrorRecord:
    """The error record for an input that could not be evaluated.

    Its text may quote input: hidden characters and lone surrogates (which have no UTF-8
    form, so ``jq`` stops at them) are shown as escapes, so any JSON reader can take it.
    """
    message = getattr(error, "message", None) or str(error)
    field = getattr(error, "field", None)
    suggestion = getattr(error, "suggestion", None) or None
    problems = getattr(error, "problems", None) or (Problem(message, field, suggestion),)
    detail = RecordError(message=visible(message), field=_visible(field), kind=kind,
                         suggestion=_visible(suggestion),
                         problems=[RecordProblem(field=_visible(problem.field),
                                                 message=visible(problem.message),
                                                 suggestion=_visible(problem.suggestion))
                                   for problem in problems])
    return ErrorRecord(profile=profile_id or source, source=source, error=detail)


def _visible(text: str | None) -> str | None:
    return None if text is None else visible(text)


def encode(outcome: Outcome, brief: BriefWriter | None = None) -> EncodedRecord:
    """The JSON Lines record of an outcome (``tests/test_record.py`` pins its text): the
    full record, or with a ``brief`` writer the brief one (an error record is the same)."""
    if isinstance(outcome, Evaluated):
        assessment = outcome.assessment
        writer = _WRITER if brief is None else brief
        return EncodedRecord(writer.record_json(assessment, outcome.source), ok=True,
                             candidates=tuple(option.id for option in assessment.options
                                              if option.status == "candidate"))
    error: dict[str, Any] = {"message": outcome.error.message, "field": outcome.error.field,
                             "kind": outcome.error.kind}
    if outcome.error.suggestion:
        error["suggestion"] = outcome.error.suggestion
    error["problems"] = [_problem(problem) for problem in outcome.error.problems]
    return EncodedRecord(dumps({"profile": outcome.profile, "source": outcome.source,
                                "error": error}), ok=False)


def _problem(problem: RecordProblem) -> dict[str, str | None]:
    item = {"field": problem.field, "message": problem.message}
    if problem.suggestion:
        item["suggestion"] = problem.suggestion
    return item


def decode(record: EncodedRecord) -> Outcome:
    """The outcome an encoded record was made from, as far as views can tell."""
    data = json.loads(record.line)  # not pydantic's parser: error text may hold lone surrogates
    if not record.ok:
        return ErrorRecord.model_validate(data)
    parsed = OutputRecord.model_validate(data)
    profile = None if parsed.profile == parsed.source else parsed.profile
    return Evaluated(parsed.source, Assessment(profile=profile, rule_pack=parsed.rule_pack,
                                               options=parsed.options, notes=parsed.notes,
                                               not_considered=parsed.not_considered,
                                               as_of=parsed.as_of, age_used=parsed.age_used))


def dumps(data: dict[str, Any]) -> str:
    # ASCII escapes: an error record may quote input text, which can hold lone surrogates
    # (from "\\ud800" escapes) that have no UTF-8 form and would break the output stream.
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"))
