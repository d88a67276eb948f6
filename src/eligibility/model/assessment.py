"""The answer: every option's status and the reasons for it, each traceable to a rule.

These models are the JSON record too (``assessment.model_dump(mode="json")``), so field
names here are a public format; change them only with a version bump.

Assessments are immutable all the way down: arrays are tuples and a patch is a read-only
mapping (``frozen.py``), because the records inside an assessment (a reason, a note, a
counterfactual) are shared by every assessment with equal inputs: that is what makes
batches fast, and why nothing a caller holds may change what another caller gets.
Tuples serialise as JSON arrays, so records are unchanged; ``model_dump(mode="json")``
gives plain JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, GetPydanticSchema, JsonValue
from pydantic_core import core_schema

from eligibility.model.age import AgeInterval
from eligibility.model.frozen import freeze, thaw

Status = Literal["candidate", "not_candidate", "needs_information"]
Outcome = Literal["met", "not_met", "unknown"]

#: What each status means in words, for approved options and for trial (investigational)
#: ones: a trial option a patient qualifies for is a trial to ask about, not a treatment.
STATUS_TEXT: Mapping[tuple[Status, bool], str] = {
    ("candidate", False): "candidate",
    ("not_candidate", False): "not a candidate",
    ("needs_information", False): "needs information",
    ("candidate", True): "may be eligible for a clinical trial",
    ("not_candidate", True): "not eligible for the trials",
    ("needs_information", True): "needs information for the trials",
}


def is_investigational(kind: str, evidence: str) -> bool:
    """An option only trials give (no approval): its candidacy is trial eligibility."""
    return kind == "investigational_biologic" or evidence == "investigational"


def status_text(status: Status, kind: str, evidence: str) -> str:
    """``status`` in words for an option of this kind and evidence (``STATUS_TEXT``)."""
    return STATUS_TEXT[status, is_investigational(kind, evidence)]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @property
    def model_fields_set(self) -> set[str]:
        """The fields set explicitly, as a fresh set each time: records are shared between
        callers (memos), so clearing one caller's copy must not change another's
        ``model_dump(exclude_unset=True)``. (pydantic's serialiser refuses a frozenset.)"""
        return set(self.__pydantic_fields_set__)


class SourceRef(_Record):
    document: str
    section: str
    detail: str | None = None


class Reason(_Record):
    """One criterion as it applied to this patient."""

    criterion: str = Field(description="The rule id.")
    title: str
    outcome: Outcome
    requirement: str = Field(description="What the rule asks, in words.")
    patient_value: str = Field(description="What the profile says, or 'unknown'.")
    rationale: str
    evidence: Literal["approved", "investigational", "clinician_judgement"]
    source: SourceRef
    missing_fields: tuple[str, ...] = Field(
        description="Profile fields that would decide an unknown.")


CounterfactualKind = Literal["fill_in", "change", "wait", "never", "enter"]

#: A value in a patch: what a profile field holds, with a list as a tuple.
PatchValue = str | int | float | bool | tuple[str, ...] | None
#: A JSON Merge Patch, read-only; validated from any JSON object, written as one.
Patch = Annotated[Mapping[str, PatchValue], GetPydanticSchema(
    lambda _source, handler: core_schema.no_info_after_validator_function(
        freeze, handler(dict[str, PatchValue]),
        serialization=core_schema.plain_serializer_function_ser_schema(
            thaw, return_schema=handler(dict[str, JsonValue]))))]


class Counterfactual(_Record):
    """A change to the profile that would make one blocking criterion met.

    Computed from the rule's own test (``counterfactual.py``), never written by hand. On
    each option the list runs smallest change first: filling in an unknown, then changing
    a known value, then waiting for an age (shorter waits first), then what can never be
    met; ties keep the rules' order.
    """

    criterion: str = Field(description="The rule id of the criterion this change would meet.")
    field: str = Field(description="The rule field it is about: age, severity, allergies, ...")
    kind: CounterfactualKind = Field(
        description="fill_in: the field is unknown; change: a known value would have to "
                    "differ; wait: the patient will reach the age; never: no change can; "
                    "enter: a clinician must enter it (which allergens): no patch is given.")
    needed: str = Field(description="The needed value or threshold, in words "
                                    "('18 years or older', 'moderate or severe').")
    values: tuple[str, ...] = Field(description="For a categorical or true/false rule, every "
                                                "value that would meet it; empty otherwise.")
    eligible_at_months: int | None = Field(
        description="For an age rule, the age in completed months at which it is met.")
    wait_months: int | None = Field(
        description="For kind 'wait', the months from the patient's age to eligible_at_months.")
    change: str = Field(description="The change in a few words ('at 18 years, in 2 years').")
    sentence: str = Field(description="The change as a sentence a clinician can act on.")
    possible: bool = Field(description="False when no change to the profile can meet the "
                                       "criterion (an age limit already passed).")
    patch: Patch = Field(
        description="A JSON Merge Patch (RFC 7396) for the input profile: merged into it "
                    "(null removes a field), this criterion is met. Empty when not possible.")


class Note(_Record):
    id: str
    text: str
    source: SourceRef


class OptionAssessment(_Record):
    id: str
    name: str
    kind: str
    evidence: str
    status: Status
    status_text: str = Field(
        description="The status in words: 'candidate', 'not a candidate', 'needs information'; "
                    "for an investigational option (kind 'investigational_biologic' or "
                    "evidence 'investigational') 'may be eligible for a clinical trial', 'not "
                    "eligible for the trials', 'needs information for the trials'.")
    summary: str
    reasons: tuple[Reason, ...]
    missing_fields: tuple[str, ...]
    counterfactuals: tuple[Counterfactual, ...] = Field(
        default_factory=tuple,
        description="What would change the answer, smallest change first; empty for candidates.")
    notes: tuple[Note, ...]

    def reasons_with(self, outcome: Outcome) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.outcome == outcome)


class NewerPack(_Record):
    """A shipped pack with later knowledge than the one that decided."""

    name: str
    as_of: dt.date


class RulePackRef(_Record):
    """Which pack decided: its name and version as written, and what identifies it."""

    name: str
    version: str
    as_of: dt.date
    digest: str = Field(description="'sha256:<hex>' over the pack's files: the same digest, "
                                    "the same rules, whatever the name says.")
    origin: Literal["shipped", "folder", "memory"] = Field(
        description="'shipped' with this package, or a 'folder' given by path; an edited "
                    "copy of a shipped pack is a folder pack with another digest; 'memory' "
                    "for a pack built or edited in memory, its digest over its content.")
    folder: str | None = Field(description="The folder of a folder pack; null when shipped.")
    newer: NewerPack | None = Field(
        default=None,
        description="The newest shipped pack whose knowledge is dated later than this "
                    "pack's as_of, which this answer did not use; null when none is newer.")


class AgeUsed(_Record):
    """The age a decision used: an interval of months, exactly as the rules compare it.

    Every age threshold is a whole number of months, so each end is given as completed
    months and whether it is exactly on them (``model/age.py``): nothing is rounded, and
    "at least T months" is met for every age in it when ``from_months >= T``, for none
    when ``to_months < T`` (or ``to_months == T`` and not ``to_exact``).
    """

    from_months: int = Field(description="The youngest the patient can be, in completed months.")
    from_exact: bool = Field(description="True: exactly from_months months; false: more than "
                                         "that, by less than a month.")
    to_months: int = Field(description="The oldest the patient can be, in completed months.")
    to_exact: bool = Field(description="True: exactly to_months months; false: more than "
                                       "that, by less than a month.")
    basis: tuple[str, ...] = Field(description="The profile fields it was read from "
                                               "(age_years, age_months, birth_date).")
    text: str = Field(description="The age in words, as reasons show it: '5.04 years', "
                                  "'between 17 years 5 months 1 day and 18 years 5 months'.")

    @classmethod
    def of(cls, interval: AgeInterval) -> AgeUsed:
        low, high = interval.codes
        return trusted(cls, from_months=low // 2, from_exact=low % 2 == 0,
                       to_months=high // 2, to_exact=high % 2 == 0,
                       basis=tuple(interval.basis.split("+")), text=interval.text)


class Assessment(_Record):
    """Everything the aid concludes about one profile."""

    profile: str | None = Field(description="The profile's id, when it has one.")
    rule_pack: RulePackRef
    options: tuple[OptionAssessment, ...]
    notes: tuple[Note, ...]
    not_considered: tuple[str, ...] = Field(
        default=(),
        description="Profile fields the profile gives (not null) that no rule of this pack "
                    "reads: they did not count towards any answer.")
    as_of: dt.date | None = Field(
        default=None,
        description="The date the assessment is for, as given (the command line gives "
                    "--as-of, else the day it ran); a birth_date is read on it. Null when "
                    "none was given (a library call without as_of).")
    age_used: AgeUsed | None = Field(default=None, description="The age the decision used; null "
                                                          "when the age is unknown.")

    def option(self, option_id: str) -> OptionAssessment:
        """The assessment of one option by id (``KeyError`` names the known ids)."""
        for option in self.options:
            if option.id == option_id:
                return option
        known = ", ".join(option.id for option in self.options)
        raise KeyError(f"no option '{option_id}'; options are {known}")

    def statuses(self) -> dict[str, Status]:
        return {option.id: option.status for option in self.options}


_M = TypeVar("_M", bound=BaseModel)


def trusted(model: type[_M], **values: Any) -> _M:
    """Build a model from values we made ourselves, without validating them again.

    Like ``model.model_construct(**values)`` but several times faster, which matters
    because assessments are built once per patient in batches of millions. Callers pass
    every field; ``tests/test_trusted.py`` checks the result equals ``model_construct``'s
    and serialises identically, so a pydantic upgrade that changes these internals fails
    loudly rather than silently.
    """
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", set(values))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance
