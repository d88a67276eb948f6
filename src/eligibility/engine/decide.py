"""From the engine's test outcomes to an ``Assessment``, in three-valued logic.

A criterion with one test takes that test's outcome; an ``any_of`` criterion is met when
any test is met, not met when all are not met, and unknown otherwise (Kleene's OR, as in
CQL: missing data never reads as "not met"). An option is ``not_candidate`` when any
criterion is not met, else ``needs_information`` when any is unknown, else ``candidate``.

This runs once per profile, so everything that depends only on the pack (wording,
sources, notes) is prepared once in ``DecisionPlan``, and the output models are built
with ``model_construct``: their inputs are our own, already-validated data. Profiling
showed per-profile re-validation and re-wording cost five times the engine itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eligibility.engine.compiler import CompiledPack, Outcome
from eligibility.engine.counterfactual import counterfactuals
from eligibility.model.assessment import (
    Assessment,
    Counterfactual,
    Note,
    OptionAssessment,
    Reason,
    RulePackRef,
    SourceRef,
    Status,
    trusted,
)
from eligibility.model.fields import PROFILE_FIELDS_OF
from eligibility.model.profile import Profile
from eligibility.rulepack.model import Criterion
from eligibility.rulepack.model import Note as RuleNote
from eligibility.rulepack.wording import criterion_requirement, value_text

ReasonKey = tuple[str, Outcome, str]
_CACHE_LIMIT = 16_384


def any_of(outcomes: Sequence[Outcome]) -> Outcome:
    if "met" in outcomes:
        return "met"
    if "unknown" in outcomes:
        return "unknown"
    return "not_met"


def status_of(outcomes: Sequence[Outcome]) -> Status:
    if "not_met" in outcomes:
        return "not_candidate"
    if "unknown" in outcomes:
        return "needs_information"
    return "candidate"


@dataclass(frozen=True)
class CriterionPlan:
    """Everything about one criterion that does not depend on the patient."""

    criterion: Criterion
    slots: tuple[int, ...]
    fields: tuple[str, ...]
    test_fields: tuple[str, ...]
    requirement: str
    source: SourceRef

    def outcome(self, outcomes: Sequence[Outcome]) -> Outcome:
        if len(self.slots) == 1:
            return outcomes[self.slots[0]]
        return any_of([outcomes[slot] for slot in self.slots])

    def missing(self, outcomes: Sequence[Outcome]) -> list[str]:
        return [PROFILE_FIELDS_OF[field][0] for field, slot in zip(self.test_fields, self.slots, strict=True)
                if outcomes[slot] == "unknown"]


@dataclass(frozen=True)
class OptionPlan:
    id: str
    name: str
    kind: str
    evidence: str
    summary: str
    criteria: tuple[CriterionPlan, ...]
    notes: tuple[Note, ...]


class DecisionPlan:
    """A pack prepared for building assessments quickly; one per compiled pack."""

    def __init__(self, compiled: CompiledPack) -> None:
        self.compiled = compiled
        pack = compiled.pack
        plans: dict[str, CriterionPlan] = {}
        for criterion in pack.all_criteria():
            plans[criterion.id] = CriterionPlan(
                criterion=criterion, slots=compiled.criterion_tests[criterion.id],
                fields=tuple(criterion.fields), test_fields=tuple(t.field for t in criterion.tests),
                requirement=criterion_requirement(criterion),
                source=SourceRef(**criterion.source.model_dump()))
        self.options = tuple(
            OptionPlan(id=option.id, name=option.name, kind=option.kind, evidence=option.evidence,
                       summary=option.summary,
                       criteria=tuple(plans[c.id] for c in pack.criteria_of(option)),
                       notes=tuple(_note(note) for note in option.notes))
            for option in pack.options)
        self.notes = [_note(note) for note in pack.notes]
        self.criteria = tuple(plans.values())
        self.fields = tuple(dict.fromkeys(field for plan in self.criteria for field in plan.fields))
        self.pack_ref = RulePackRef(name=pack.info.name, version=pack.info.version,
                                    as_of=pack.info.as_of)
        self._reasons: dict[ReasonKey, Reason] = {}
        self._changes: dict[tuple[object, ...], list[Counterfactual]] = {}

    def reason(self, plan: CriterionPlan, key: ReasonKey, outcomes: Sequence[Outcome]) -> Reason:
        reason = self._reasons.get(key)
        if reason is None:
            _, outcome, shown = key
            criterion = plan.criterion
            reason = trusted(
                Reason,
                criterion=criterion.id, title=criterion.title, outcome=outcome,
                requirement=plan.requirement, patient_value=shown, rationale=criterion.rationale,
                evidence=criterion.evidence, source=plan.source,
                missing_fields=plan.missing(outcomes) if outcome == "unknown" else [])
            if len(self._reasons) > _CACHE_LIMIT:  # ages alone give ~1,600 texts a rule
                self._reasons.clear()
            self._reasons[key] = reason
        return reason

    def option(self, plan: OptionPlan, keys: tuple[ReasonKey, ...], profile: Profile,
               outcomes: Sequence[Outcome]) -> OptionAssessment:
        """One option's assessment, from shared immutable reasons and counterfactuals.

        Counterfactuals depend only on the blocking criteria's keys (outcome and the
        patient's values as shown), so equal blocking keys share one list.
        """
        reasons = [self.reason(c, key, outcomes) for c, key in zip(plan.criteria, keys, strict=True)]
        status = status_of([key[1] for key in keys])
        missing = (sorted({name for reason in reasons for name in reason.missing_fields})
                   if status == "needs_information" or any(key[1] == "unknown" for key in keys)
                   else [])
        changes: list[Counterfactual] = []
        if status != "candidate":
            blocking = (plan.id, *[key for key in keys if key[1] != "met"])
            cached = self._changes.get(blocking)
            if cached is None:
                cached = counterfactuals(self.compiled, [c.criterion for c in plan.criteria],
                                         profile, outcomes)
                if len(self._changes) > _CACHE_LIMIT:
                    self._changes.clear()
                self._changes[blocking] = cached
            changes = cached
        return trusted(OptionAssessment, id=plan.id, name=plan.name, kind=plan.kind,
                       evidence=plan.evidence, status=status, summary=plan.summary,
                       reasons=reasons, missing_fields=missing, counterfactuals=list(changes),
                       notes=list(plan.notes))

    def build(self, profile: Profile, outcomes: Sequence[Outcome]) -> Assessment:
        values = {field: value_text(profile, field) for field in self.fields}
        keys: dict[str, ReasonKey] = {}
        for plan in self.criteria:
            if len(plan.fields) == 1:
                shown = values[plan.fields[0]]
            else:
                shown = "; ".join(f"{field} {values[field]}" for field in plan.fields)
            keys[plan.criterion.id] = (plan.criterion.id, plan.outcome(outcomes), shown)
        options = [self.option(plan, tuple(keys[c.criterion.id] for c in plan.criteria), profile,
                               outcomes) for plan in self.options]
        return trusted(Assessment, profile=profile.id, rule_pack=self.pack_ref,
                       options=options, notes=list(self.notes))


def build_assessment(compiled: CompiledPack, profile: Profile,
                     outcomes: Sequence[Outcome]) -> Assessment:
    plan = compiled.decision_plan
    if not isinstance(plan, DecisionPlan):
        plan = compiled.decision_plan = DecisionPlan(compiled)
    return plan.build(profile, outcomes)


def _note(note: RuleNote) -> Note:
    return Note(id=note.id, text=note.text, source=SourceRef(**note.source.model_dump()))
