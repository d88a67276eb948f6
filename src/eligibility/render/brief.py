"""The brief record: everything decided for one patient, the pack's texts by id.

A full record repeats, for every patient, texts that are the same for all of them:
titles, rationales, sources, notes, the wording of statuses and of what each test
needs (~17 KB a record, most of it those). A brief record keeps what was decided for
this patient: the pack's name, version and digest; per criterion (once, however many
options share it) its outcome, the patient's value as used and the fields that would
decide an unknown; per option its status, missing fields and the changes that would
meet a blocking criterion (which test, its kind, the words for this patient and the
patch). ``render/pack_texts.py`` gives the rest once per pack, and ``join`` rebuilds
the full record from the two (``tests/test_brief.py`` proves it byte for byte).

Fields that are empty or null are left out (their defaults in the schema say so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json

from eligibility.model.assessment import (
    AgeUsed,
    Assessment,
    Counterfactual,
    CounterfactualKind,
    Note,
    Outcome,
    Patch,
    Reason,
    Status,
)
from eligibility.render.pack_texts import PackTexts, TestText
from eligibility.render.record import AGE_TEXT, AS_OF_TEXT, SharedTexts

Detail = Literal["brief", "full"]
DETAILS: tuple[Detail, ...] = ("brief", "full")
_CACHE_LIMIT = 8192


class _Brief(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BriefPack(_Brief):
    name: str
    version: str
    digest: str = Field(description="'sha256:<hex>': the pack whose texts join this record.")


class BriefChange(_Brief):
    """The change meeting one test of a blocking criterion; its field, needed value and
    values are the pack texts' ``tests`` at the same position."""

    kind: CounterfactualKind
    eligible_at_months: int | None = None
    wait_months: int | None = None
    change: str | None = Field(default=None, description="The change in a few words, for "
                                                         "this patient; absent: the test's "
                                                         "fill_in_change.")
    sentence: str | None = Field(default=None, description="The change as a sentence; "
                                                           "absent: the test's fill_in_sentence.")
    patch: Patch = Field(description="A JSON Merge Patch for the input profile; empty when "
                                     "no change can meet the criterion (kind 'never').")


class BriefCriterion(_Brief):
    outcome: Outcome
    patient_value: str = Field(description="What the profile says, or 'unknown'.")
    missing_fields: tuple[str, ...] = Field(default=(), description="Profile fields that "
                                                                    "would decide an unknown.")
    changes: tuple[BriefChange, ...] = Field(
        default=(), description="When it is not met: the change meeting each of its tests, in "
                                "test order. An option's changes are those of its criteria, "
                                "smallest first: fill_in, change, wait (shorter first), never; "
                                "ties in the order of its criteria and their tests.")


class BriefOption(_Brief):
    id: str
    status: Status
    missing_fields: tuple[str, ...] = ()


class BriefRecord(_Brief):
    """What ``evaluate --format jsonl --detail brief`` writes for an evaluated profile."""

    profile: str = Field(description="The profile's id, or its source when it has none.")
    source: str = Field(description="FILE:LINE the profile was read from.")
    as_of: dt.date | None = Field(default=None, description=AS_OF_TEXT + " Absent: null.")
    age_used: AgeUsed | None = Field(default=None, description=AGE_TEXT + " Absent: null.")
    rule_pack: BriefPack
    criteria: dict[str, BriefCriterion] = Field(
        description="Every criterion of the options in the record, by id, once.")
    options: tuple[BriefOption, ...]
    not_considered: tuple[str, ...] = ()
    notes: tuple[Note, ...] = Field(
        default=(), description="Notes about this patient beyond the pack's own (what a "
        "mapping reader such as FHIR found: no active diagnosis, a conflict); the pack's "
        "notes are in its texts.")


def _json(value: object) -> str:
    return to_json(value).decode()


class BriefWriter:
    """Brief records of one pack's assessments, caching what repeats between records.

    Reasons and counterfactuals are shared immutable records (``engine/decide.py``), so
    their text is cached by identity, each kept alive beside it as in ``render/record.py``.
    """

    def __init__(self, texts: PackTexts) -> None:
        info = texts.rule_pack
        self._pack = _json({"name": info.name, "version": info.version, "digest": info.digest})
        self._texts = texts
        self._tests: dict[tuple[str, str, str, tuple[str, ...]], tuple[int, TestText]] = {}
        self._shared = SharedTexts(_CACHE_LIMIT)

    def record_json(self, assessment: Assessment, source: str) -> str:
        profile = assessment.profile if assessment.profile is not None else source
        changes: dict[str, list[Counterfactual]] = {}
        reasons: dict[str, Reason] = {}
        options = []
        for option in assessment.options:
            for reason in option.reasons:
                reasons.setdefault(reason.criterion, reason)
            mine: dict[str, list[Counterfactual]] = {}
            for change in option.counterfactuals:
                mine.setdefault(change.criterion, []).append(change)
            for name, items in mine.items():  # the same for every option it blocks
                changes.setdefault(name, items)
            text = f'{{"id":{_json(option.id)},"status":"{option.status}"'
            if option.missing_fields:
                text += f',"missing_fields":{_json(option.missing_fields)}'
            options.append(text + "}")
        criteria = ",".join(self._criterion(reason, changes.get(name, ()))
                            for name, reason in reasons.items())
        unread = (f',"not_considered":{_json(assessment.not_considered)}'
                  if assessment.not_considered else "")
        own = assessment.notes[len(self._texts.notes):]  # after the pack's (InputRecord.annotated)
        if own:
            unread += ',"notes":[' + ",".join(note.model_dump_json() for note in own) + "]"
        return (f'{{"profile":{_json(profile)},"source":{_json(source)}{self._dated(assessment)},'
                f'"rule_pack":{self._pack},"criteria":{{{criteria}}},'
                f'"options":[{",".join(options)}]{unread}}}')

    def _dated(self, assessment: Assessment) -> str:
        """',"as_of":…,"age_used":…' of a brief record, each left out when null."""
        return dated_json(assessment.as_of, None if assessment.age_used is None
                          else self._cached(assessment.age_used, _model_json))

    def _criterion(self, reason: Reason, changes: Sequence[Counterfactual]) -> str:
        text = self._cached(reason, self._reason)
        if not changes:
            return text + "}"
        ordered = sorted(changes, key=lambda change: self._test(change)[0])
        return f'{text},"changes":[{",".join(self._cached(change, self._change) for change in ordered)}]}}'

    def _cached(self, item: Any, make: Callable[[Any], str]) -> str:
        return self._shared.text(item, make)

    @staticmethod
    def _reason(reason: Reason) -> str:
        """The criterion's entry, without its closing brace (its changes may follow)."""
        missing = f',"missing_fields":{_json(reason.missing_fields)}' if reason.missing_fields else ""
        return (f'{_json(reason.criterion)}:{{"outcome":"{reason.outcome}",'
                f'"patient_value":{_json(reason.patient_value)}{missing}')

    def _test(self, change: Counterfactual) -> tuple[int, TestText]:
        """The test a change meets: the first of its criterion's with its field and need."""
        key = (change.criterion, change.field, change.needed, change.values)
        found = self._tests.get(key)
        if found is None:
            tests = self._texts.criteria[change.criterion].tests
            found = next((index, test) for index, test in enumerate(tests)
                         if (test.field, test.needed, test.values) == key[1:])
            self._tests[key] = found
        return found

    def _change(self, change: Counterfactual) -> str:
        return change_json(change, self._test(change)[1])


def _model_json(item: BaseModel) -> str:
    return item.model_dump_json()


def dated_json(as_of: dt.date | None, age: str | None) -> str:
    """The date and age of a brief record (``age`` as JSON), each left out when null."""
    text = "" if as_of is None else f',"as_of":"{as_of.isoformat()}"'
    return text if age is None else f'{text},"age_used":{age}'


def change_json(change: Counterfactual, test: TestText) -> str:
    """A change in a brief record: what the test's texts do not already say."""
    data: dict[str, Any] = {"kind": change.kind}
    if change.eligible_at_months is not None:
        data["eligible_at_months"] = change.eligible_at_months
    if change.wait_months is not None:
        data["wait_months"] = change.wait_months
    if change.change != test.fill_in_change:
        data["change"] = change.change
    if change.sentence != test.fill_in_sentence:
        data["sentence"] = change.sentence
    data["patch"] = change.model_dump(mode="json", include={"patch"})["patch"]
    return _json(data)
