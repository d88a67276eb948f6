"""``explain --format json``: the long form as data, for programs and audits.

Each option's criteria beside the patient's values, each suggested change with the
result of applying it and evaluating again (``checked``), and the combined change with
its re-checked status: what the text form shows, and what an ``evaluate`` record (which
holds the changes but never re-checks them) cannot. ``eligibility schema --explain``
prints the schema; an input that cannot be evaluated is the same error record as in
``evaluate``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter

from eligibility.engine.explanation import Explanation, OptionExplanation
from eligibility.model.assessment import AgeUsed, Counterfactual, Note, Reason, RulePackRef, Status
from eligibility.render.record import AGE_TEXT, AS_OF_TEXT, ErrorRecord
from eligibility.render.wire import EncodedRecord, encode


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExplainedCriterion(Reason):
    """One criterion as it applied (the record's reason), beside the patient's values."""

    comparisons: list[str] = Field(
        description="One line per test, in words: 'age 16 years — rule: 18 years or older'.")
    from_resources: list[str] = Field(
        default_factory=list,
        description="FHIR input: the resources (Type/id) the patient's values for this "
                    "criterion came from, as the text form's 'From:' line; empty for "
                    "other input, or when no resource gave a value.")


class CheckedChange(_Record):
    """A change that would meet one blocking criterion, and whether it was checked."""

    title: str = Field(description="The title of the criterion the change is for.")
    change: Counterfactual
    checked: bool | None = Field(
        description="true: applying the change and evaluating again met the criterion; "
                    "null: no change can (an age limit already passed).")


class Together(_Record):
    """One change for each blocking criterion, applied together and evaluated again."""

    patch: dict[str, JsonValue] | None = Field(
        description="A JSON Merge Patch combining one change per blocking criterion; null "
                    "when the changes contradict one another.")
    status: Status | None = Field(
        description="The option's status with the patch applied, evaluated again; null "
                    "without a patch.")
    impossible: list[str] = Field(
        description="Blocking criteria that no change to the profile can meet.")


class ExplainedOption(_Record):
    id: str
    name: str
    evidence: str
    status: Status
    summary: str
    criteria: list[ExplainedCriterion]
    changes: list[CheckedChange] = Field(description="Smallest change first; empty for candidates.")
    together: Together | None = Field(
        description="Present when several criteria block the option, or one cannot be met.")
    notes: list[Note]


class ExplanationRecord(_Record):
    """What ``explain --format json`` gives for a profile that was evaluated."""

    profile: str = Field(description="The profile's id, or its source when it has none.")
    source: str = Field(description="FILE:LINE the profile was read from.")
    as_of: dt.date | None = Field(description=AS_OF_TEXT)
    age_used: AgeUsed | None = Field(description=AGE_TEXT)
    rule_pack: RulePackRef
    options: list[ExplainedOption]
    notes: list[Note]


def explanation_record(explanation: Explanation, source: str,
                       provenance: Mapping[str, tuple[str, ...]] | None = None,
                       input_notes: Iterable[Note] = ()) -> ExplanationRecord:
    """``provenance``: per criterion id, the resources its values came from (FHIR);
    ``input_notes``: the reader's (FHIR: no active diagnosis), after the pack's."""
    assessment = explanation.assessment
    return ExplanationRecord(
        profile=assessment.profile if assessment.profile is not None else source,
        source=source, as_of=assessment.as_of, age_used=assessment.age_used,
        rule_pack=assessment.rule_pack,
        options=[_option(item, provenance or {}) for item in explanation.options],
        notes=[*assessment.notes, *input_notes])


def _option(explained: OptionExplanation,
            provenance: Mapping[str, tuple[str, ...]]) -> ExplainedOption:
    option = explained.option
    criteria = [ExplainedCriterion(**view.reason.model_dump(), comparisons=list(view.comparisons),
                                   from_resources=list(provenance.get(view.reason.criterion, ())))
                for view in explained.criteria]
    changes = [CheckedChange(title=checked.title, change=checked.change, checked=checked.verified)
               for checked in explained.changes]
    blocking = {checked.change.criterion for checked in explained.changes}
    together = None
    if len(blocking) > 1 or explained.impossible:
        patch: dict[str, JsonValue] | None = None
        if explained.combined is not None:
            patch = {name: list(value) if isinstance(value, tuple) else value
                     for name, value in explained.combined.items()}
        together = Together(patch=patch, status=explained.combined_status,
                            impossible=list(explained.impossible))
    return ExplainedOption(id=option.id, name=option.name, evidence=option.evidence,
                           status=option.status, summary=option.summary, criteria=criteria,
                           changes=changes, together=together, notes=list(option.notes))


def explanation_lines(items: Iterable[Any]) -> Iterator[EncodedRecord]:
    """Each item (``Explained`` or ``ErrorRecord``) as one compact JSON line."""
    from eligibility.render.explain import Explained
    for item in items:
        if isinstance(item, Explained):
            data = explanation_record(item.explanation, item.source, item.provenance,
                                      item.input_notes).model_dump(mode="json")
            yield EncodedRecord(_dumps(data), ok=True)
        else:
            yield encode(item)


def _dumps(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from a file name): escape it
        text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text


def explanation_schema() -> dict[str, object]:
    """JSON Schema of one ``explain --format json`` item: an explanation or an error record."""
    schema: dict[str, object] = TypeAdapter(ExplanationRecord | ErrorRecord).json_schema(
        mode="serialization")
    schema["title"] = "eligibility explanation record"
    return schema
