"""The answer: every option's status and the reasons for it, each traceable to a rule.

These models are the JSON record too (``assessment.model_dump(mode="json")``), so field
names here are a public format; change them only with a version bump.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["candidate", "not_candidate", "needs_information"]
Outcome = Literal["met", "not_met", "unknown"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
    missing_fields: list[str] = Field(description="Profile fields that would decide an unknown.")


class Counterfactual(_Record):
    """A change to the profile that would make one criterion met (see ``explain``)."""

    criterion: str
    field: str
    change: str = Field(description="The needed value or threshold, in words.")
    values: list[str] = Field(default_factory=list, description="Values that would satisfy it.")
    sentence: str
    possible: bool = True


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
    summary: str
    reasons: list[Reason]
    missing_fields: list[str]
    counterfactuals: list[Counterfactual] = Field(default_factory=list)
    notes: list[Note]

    def reasons_with(self, outcome: Outcome) -> list[Reason]:
        return [reason for reason in self.reasons if reason.outcome == outcome]


class RulePackRef(_Record):
    name: str
    version: str
    as_of: dt.date


class Assessment(_Record):
    """Everything the aid concludes about one profile."""

    profile: str | None = Field(description="The profile's id, when it has one.")
    rule_pack: RulePackRef
    options: list[OptionAssessment]
    notes: list[Note]

    def option(self, option_id: str) -> OptionAssessment:
        """The assessment of one option by id (``KeyError`` names the known ids)."""
        for option in self.options:
            if option.id == option_id:
                return option
        known = ", ".join(option.id for option in self.options)
        raise KeyError(f"no option '{option_id}'; options are {known}")

    def statuses(self) -> dict[str, Status]:
        return {option.id: option.status for option in self.options}
