"""The JSON Lines record of one assessment, assembled from cached JSON fragments.

A record repeats a lot of static text (rationales, sources, notes): serialising it anew
for every patient cost more than the inference itself. Every fragment here comes from
pydantic's own serialiser, made once and reused, so the text is exactly what
``OutputRecord.model_dump_json()`` gives; ``tests/test_record.py`` holds us to that.

The one cache in the library keyed by identity, and why it is sound: an evaluator hands
out one shared, deeply immutable record (a reason, a note, a counterfactual) for equal
inputs, so a record's identity stands for its value. Hashing the value instead would cost
more than the serialising it saves. Each entry keeps the record itself alive beside its
text and is used only when ``cached is record``, so an ``id()`` can never be reused for
another record while its entry stands; the caches are ``cache.BoundedCache``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic_core import to_json

from eligibility.cache import BoundedCache
from eligibility.model.assessment import (
    AgeUsed,
    Assessment,
    Counterfactual,
    Note,
    OptionAssessment,
    RulePackRef,
)

_CACHE_LIMIT = 4096
AS_OF_TEXT = ("The date the assessment is for (YYYY-MM-DD): --as-of, else the day the "
              "command ran; a birth_date is read on it. Null when none was given.")
AGE_TEXT = ("The age the decision used, as an interval of completed months, each end exact "
            "or not (Assessment.age_used); null when the age is unknown.")
T = TypeVar("T")


class OutputRecord(BaseModel):
    """What ``evaluate --format jsonl`` writes for an evaluated profile."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    profile: str = Field(description="The profile's id, or its source when it has none.")
    source: str = Field(description="FILE:LINE the profile was read from.")
    as_of: dt.date | None = Field(description=AS_OF_TEXT)
    age_used: AgeUsed | None = Field(description=AGE_TEXT)
    rule_pack: RulePackRef
    options: tuple[OptionAssessment, ...]
    notes: tuple[Note, ...]
    not_considered: tuple[str, ...] = Field(
        default=(),
        description="Profile fields the profile gives (not null) that no rule of this pack "
                    "reads: they did not count towards any answer.")


class RecordProblem(BaseModel):
    """One problem with an input record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str | None = Field(description="The offending field's dotted path, if any.")
    message: str = Field(description="What is wrong, naming the field where there is one.")
    suggestion: str | None = Field(default=None, description="A likely fix, e.g. a field name.")


class RecordError(BaseModel):
    """Why an input record could not be evaluated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message: str = Field(description="What is wrong: every problem, naming their fields.")
    field: str | None = Field(description="The first problem's field (dotted path), if any.")
    kind: str = Field(description="profile (bad input), engine (fail-closed) or internal.")
    suggestion: str | None = Field(default=None, description="A likely fix, e.g. a field name.")
    problems: list[RecordProblem] = Field(
        description="Each problem on its own, the first being the one `field` names (at most 10).")


class ErrorRecord(BaseModel):
    """What ``evaluate --format jsonl`` writes for input it could not evaluate."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    profile: str = Field(description="The profile's id when readable, else its source.")
    source: str = Field(description="FILE:LINE the input was read from.")
    error: RecordError


def output_schema(detail: str | None = None) -> dict[str, object]:
    """JSON Schema of one output line: an evaluated record (``brief`` or ``full``; either
    when ``detail`` is None) or an error record."""
    from eligibility.render.brief import BriefRecord
    kinds: Any = {"brief": BriefRecord | ErrorRecord, "full": OutputRecord | ErrorRecord,
                  None: BriefRecord | OutputRecord | ErrorRecord}[detail]
    schema: dict[str, object] = TypeAdapter(kinds).json_schema(mode="serialization")
    schema["title"] = "eligibility output record" + (f" ({detail})" if detail else "")
    return schema


class RecordWriter:
    """Serialises records, caching the fragments that repeat from record to record."""

    def __init__(self) -> None:
        #: The pack reference's text, by its value.
        self._packs: BoundedCache[RulePackRef, str] = BoundedCache(_CACHE_LIMIT)
        #: The text around an option's per-patient parts (see ``_frame``).
        self._frames: BoundedCache[tuple[object, ...],
                                   tuple[tuple[Note, ...], tuple[str, str, str]]]
        self._frames = BoundedCache(_CACHE_LIMIT)
        #: Shared records' text by identity, each kept alive beside it (module docstring).
        self._shared: BoundedCache[int, tuple[BaseModel, str]] = BoundedCache(_CACHE_LIMIT)
        #: JSON strings that repeat (status texts, lists of field names), by value.
        self._texts: BoundedCache[object, str] = BoundedCache(_CACHE_LIMIT)

    def option_json(self, option: OptionAssessment) -> str:
        head, middle, tail = self._frame(option)
        reasons = ",".join(self._identity(reason) for reason in option.reasons)
        missing = to_json(option.missing_fields).decode() if option.missing_fields else "[]"
        counterfactuals = self._list_text(option.counterfactuals)
        return (f'{head}{option.status}","status_text":{self._text(option.status_text)}'
                f'{middle}{reasons}],"missing_fields":{missing},'
                f'"counterfactuals":{counterfactuals}{tail}')

    def _text(self, value: str | tuple[str, ...]) -> str:
        cached = self._texts.get(value)
        return cached if cached is not None else self._texts.put(value, to_json(value).decode())

    def _frame(self, option: OptionAssessment) -> tuple[str, str, str]:
        """The text around an option's per-patient parts, cached per option.

        Keyed by the option's own fields and the identity of its notes (immutable records
        shared by every assessment of one option of one loaded pack; kept alive in the
        cache, so an id cannot be reused while its entry stands).
        """
        notes = tuple(option.notes)
        key = (option.id, option.name, option.kind, option.evidence, option.summary,
               tuple(id(note) for note in notes))
        cached = self._frames.get(key)
        if cached is not None and all(a is b for a, b in zip(cached[0], notes, strict=True)):
            return cached[1]
        static = to_json({"id": option.id, "name": option.name, "kind": option.kind,
                          "evidence": option.evidence}).decode()
        frame = (f'{static[:-1]},"status":"',
                 f',"summary":{to_json(option.summary).decode()},"reasons":[',
                 f',"notes":{self._notes_text(option.notes)}}}')
        self._frames.put(key, (notes, frame))
        return frame

    def _notes_text(self, notes: Sequence[Note]) -> str:
        return "[" + ",".join(self._identity(note) for note in notes) + "]"

    def _list_text(self, items: Sequence[Counterfactual]) -> str:
        """JSON of a list of counterfactuals: each item's text is cached by identity."""
        if not items:
            return "[]"
        return "[" + ",".join(self._identity(item) for item in items) + "]"

    def _identity(self, item: BaseModel) -> str:
        """JSON of a shared immutable record (counterfactuals are), cached by identity."""
        cached = self._shared.get(id(item))
        if cached is not None and cached[0] is item:
            return cached[1]
        text = item.model_dump_json()
        self._shared.put(id(item), (item, text))
        return text

    def record_json(self, assessment: Assessment, source: str) -> str:
        profile = assessment.profile if assessment.profile is not None else source
        pack = self._packs.get(assessment.rule_pack)
        if pack is None:
            pack = self._packs.put(assessment.rule_pack, assessment.rule_pack.model_dump_json())
        notes = self._notes_text(assessment.notes)
        options = ",".join(self.option_json(option) for option in assessment.options)
        unread = self._text(assessment.not_considered)
        return (f'{{"profile":{to_json(profile).decode()},"source":{to_json(source).decode()},'
                f'{self.dated(assessment)},"rule_pack":{pack},"options":[{options}],'
                f'"notes":{notes},"not_considered":{unread}}}')

    def dated(self, assessment: Assessment) -> str:
        """'"as_of":…,"age_used":…' of a full record (null when not given or unknown)."""
        age = "null" if assessment.age_used is None else self._identity(assessment.age_used)
        return f'"as_of":{to_json(assessment.as_of).decode()},"age_used":{age}'


class SharedTexts:
    """Text made from shared immutable records, cached by identity (module docstring):
    the brief writer (``render/brief.py``) keeps its fragments here."""

    def __init__(self, limit: int = _CACHE_LIMIT) -> None:
        self._shared: BoundedCache[int, tuple[object, str]] = BoundedCache(limit)

    def text(self, item: T, make: Callable[[T], str]) -> str:
        found = self._shared.get(id(item))
        if found is not None and found[0] is item:
            return found[1]
        text = make(item)
        self._shared.put(id(item), (item, text))
        return text


def reference_json(assessment: Assessment, source: str) -> str:
    """The same record through pydantic alone: slow, and the definition of correct."""
    profile = assessment.profile if assessment.profile is not None else source
    return OutputRecord(profile=profile, source=source, as_of=assessment.as_of,
                        age_used=assessment.age_used, rule_pack=assessment.rule_pack,
                        options=assessment.options, notes=assessment.notes,
                        not_considered=assessment.not_considered).model_dump_json()
