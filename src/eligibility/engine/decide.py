"""From the engine's test outcomes to an ``Assessment``, in three-valued logic.

A criterion with one test takes that test's outcome; an ``any_of`` criterion is met when
any test is met, not met when all are not met, and unknown otherwise (Kleene's OR, as in
CQL: missing data never reads as "not met"). An option is ``not_candidate`` when any
criterion is not met, else ``needs_information`` when any is unknown, else ``candidate``.

This runs once per profile, so everything that depends only on the pack (wording,
sources, notes) is prepared once in ``DecisionPlan``, and the output models are built
with ``model_construct``: their inputs are our own, already-validated data. Profiling
showed per-profile re-validation and re-wording cost five times the engine itself.

A reason, and an option's list of changes, are immutable records shared by every
assessment with equal inputs, remembered in the plan's bounded memos. Their keys are the
inputs themselves: the criterion, its test outcomes and the patient's *values* for the
fields it reads (as ``counterfactual.value_key`` gives them), never the text a value is
shown as, which two different values can share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from eligibility.cache import BoundedCache
from eligibility.engine.compiler import CompiledPack, Outcome
from eligibility.engine.counterfactual import Changes, value_key
from eligibility.model.age import AgeInterval
from eligibility.model.assessment import (
    AgeUsed,
    Assessment,
    Counterfactual,
    NewerPack,
    Note,
    OptionAssessment,
    Reason,
    RulePackRef,
    SourceRef,
    Status,
    status_text,
    trusted,
)
from eligibility.model.fields import PROFILE_FIELDS_OF
from eligibility.model.profile import Profile
from eligibility.rulepack.catalog import newer_than
from eligibility.rulepack.model import Criterion
from eligibility.rulepack.model import Note as RuleNote
from eligibility.rulepack.wording import criterion_requirement, value_text

#: A reason's memo key: (criterion id, its test outcomes, the patient's value per field).
ReasonKey = tuple[object, ...]
#: Memo entries per plan (``cache.BoundedCache``); ages alone give ~1,600 values a rule.
CACHE_LIMIT = 16_384


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

    def outcome(self, tests: Sequence[Outcome]) -> Outcome:
        return tests[0] if len(tests) == 1 else any_of(tests)

    def missing(self, tests: Sequence[Outcome], profile: Profile) -> tuple[str, ...]:
        """The profile field to fill in for each unknown test: the first one not given.

        An age can be unknown for a rule although one is given (an interval that straddles
        the threshold); then the field that would decide it is one still absent (an exact
        birth date), never a field the profile already holds.
        """
        names = []
        for field, outcome in zip(self.test_fields, tests, strict=True):
            if outcome == "unknown":
                candidates = PROFILE_FIELDS_OF[field]
                absent = [name for name in candidates if getattr(profile, name) is None]
                names.append(absent[0] if absent else candidates[0])
        return tuple(names)


@dataclass(frozen=True)
class OptionPlan:
    id: str
    name: str
    kind: str
    evidence: str
    summary: str
    criteria: tuple[CriterionPlan, ...]
    notes: tuple[Note, ...]

    def status_text(self, status: Status) -> str:
        return status_text(status, self.kind, self.evidence)


class DecisionPlan:
    """A pack prepared for building assessments quickly, with its memos; an evaluator owns one."""

    def __init__(self, compiled: CompiledPack, limit: int = CACHE_LIMIT) -> None:
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
        self.notes = tuple(_note(note) for note in pack.notes)
        self.criteria = tuple(plans.values())
        self.fields = tuple(dict.fromkeys(field for plan in self.criteria for field in plan.fields))
        read = {name for field in self.fields for name in PROFILE_FIELDS_OF[field]}
        #: Profile fields behind a rule field with several (an age): which of them are
        #: given decides the missing field a reason names, so it is part of the memo key.
        self.sources = tuple(name for field in self.fields if len(PROFILE_FIELDS_OF[field]) > 1
                             for name in PROFILE_FIELDS_OF[field])
        #: Profile fields no rule of this pack reads, in the profile's order.
        self.unread = tuple(name for name in Profile.model_fields
                            if name != "id" and name not in read)
        newer = newer_than(pack)
        self.pack_ref = RulePackRef(
            name=pack.info.name, version=pack.info.version, as_of=pack.info.as_of,
            digest=pack.digest, origin=pack.origin,
            folder=pack.path if pack.origin == "folder" else None,
            newer=None if newer is None else NewerPack(name=newer.name, as_of=newer.info.as_of))
        self._reasons: BoundedCache[ReasonKey, Reason] = BoundedCache(limit)
        self._changes: BoundedCache[tuple[object, ...], tuple[Counterfactual, ...]]
        self._changes = BoundedCache(limit)
        self._counterfactuals = Changes(compiled)
        #: The age each interval reads as in a record (shared, immutable).
        self._ages: BoundedCache[AgeInterval, AgeUsed] = BoundedCache(limit)
        #: Each option's assessment under its criteria's reason keys: it is made from
        #: their reasons and the changes its blocking keys give, nothing else (immutable,
        #: so shared): one lookup instead of ~5 µs of assembling per option and profile.
        self._options: BoundedCache[tuple[object, ...], OptionAssessment] = BoundedCache(limit)

    def reason(self, plan: CriterionPlan, tests: tuple[Outcome, ...], profile: Profile) -> Reason:
        """One criterion's reason for a profile, made anew (``build`` remembers them);
        the batch pipeline (``services/pipeline.py``) keeps its text instead."""
        return self._reason(plan, tests, profile)

    def _reason(self, plan: CriterionPlan, tests: tuple[Outcome, ...],
                profile: Profile) -> Reason:
        criterion = plan.criterion
        if len(plan.fields) == 1:
            shown = value_text(profile, plan.fields[0])
        else:
            shown = "; ".join(f"{field} {value_text(profile, field)}" for field in plan.fields)
        outcome = plan.outcome(tests)
        return trusted(
            Reason,
            criterion=criterion.id, title=criterion.title, outcome=outcome,
            requirement=plan.requirement, patient_value=shown, rationale=criterion.rationale,
            evidence=criterion.evidence, source=plan.source,
            missing_fields=plan.missing(tests, profile) if outcome == "unknown" else ())

    def option(self, plan: OptionPlan, decided: Sequence[tuple[ReasonKey, Reason]],
               profile: Profile, outcomes: Sequence[Outcome]) -> OptionAssessment:
        """One option's assessment, from shared immutable reasons and counterfactuals.

        Counterfactuals depend only on the blocking criteria's keys (their test outcomes
        and the patient's values), so equal blocking keys share one tuple.
        """
        reasons = tuple(reason for _, reason in decided)
        outcomes_of = [reason.outcome for reason in reasons]
        status = status_of(outcomes_of)
        missing: tuple[str, ...] = ()
        if "unknown" in outcomes_of:
            missing = tuple(sorted({name for reason in reasons for name in reason.missing_fields}))
        changes: tuple[Counterfactual, ...] = ()
        if status != "candidate":
            blocking = (plan.id, *[key for key, reason in decided if reason.outcome != "met"])
            cached = self._changes.get(blocking)
            if cached is None:
                cached = self._changes.put(blocking, self._counterfactuals.of(
                    [c.criterion for c in plan.criteria], profile, outcomes))
            changes = cached
        return trusted(OptionAssessment, id=plan.id, name=plan.name, kind=plan.kind,
                       evidence=plan.evidence, status=status,
                       status_text=plan.status_text(status), summary=plan.summary,
                       reasons=reasons, missing_fields=missing, counterfactuals=changes,
                       notes=plan.notes)

    def build(self, profile: Profile, outcomes: Sequence[Outcome],
              as_of: dt.date | None = None) -> Assessment:
        """The assessment of a profile from its test outcomes; ``as_of`` is the date it is
        for (else the date the profile was dated on), which the record carries."""
        values = {field: value_key(profile, field) for field in self.fields}
        given = tuple(getattr(profile, name) is not None for name in self.sources)
        decided: dict[str, tuple[ReasonKey, Reason]] = {}
        for plan in self.criteria:
            tests = tuple([outcomes[slot] for slot in plan.slots])
            key: ReasonKey = (plan.criterion.id, tests, given,
                              *[values[field] for field in plan.fields])
            reason = self._reasons.get(key)
            if reason is None:
                reason = self._reasons.put(key, self._reason(plan, tests, profile))
            decided[plan.criterion.id] = (key, reason)
        options: list[OptionAssessment] = []
        for index, option in enumerate(self.options):
            mine = [decided[c.criterion.id] for c in option.criteria]
            chosen = (index, *[key for key, _ in mine])
            found = self._options.get(chosen)
            if found is None:
                found = self._options.put(chosen, self.option(option, mine, profile, outcomes))
            options.append(found)
        unread = tuple(name for name in self.unread if getattr(profile, name) is not None)
        interval = profile.age
        age = None
        if interval is not None:
            age = self._ages.get(interval)
            if age is None:
                age = self._ages.put(interval, AgeUsed.of(interval))
        return trusted(Assessment, profile=profile.id, rule_pack=self.pack_ref,
                       options=tuple(options), notes=self.notes, not_considered=unread,
                       as_of=as_of if as_of is not None else profile.as_of, age_used=age)


def _note(note: RuleNote) -> Note:
    return Note(id=note.id, text=note.text, source=SourceRef(**note.source.model_dump()))
