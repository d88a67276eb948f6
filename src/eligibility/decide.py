"""From the engine's test outcomes to an ``Assessment``, in three-valued logic.

A criterion with one test takes that test's outcome; an ``any_of`` criterion is met when
any test is met, not met when all are not met, and unknown otherwise (Kleene's OR, as in
CQL: missing data never reads as "not met"). An option is ``not_candidate`` when any
criterion is not met, else ``needs_information`` when any is unknown, else ``candidate``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .assessment import Assessment, Note, OptionAssessment, Reason, RulePackRef, SourceRef, Status
from .compiler import CompiledPack, Outcome
from .counterfactual import counterfactuals
from .profile import Profile
from .rulepack.fields import PROFILE_FIELDS_OF
from .rulepack.model import Criterion
from .rulepack.model import Note as RuleNote
from .wording import requirement_text, values_text


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


def build_assessment(compiled: CompiledPack, profile: Profile,
                     outcomes: Sequence[Outcome]) -> Assessment:
    pack = compiled.pack
    options = []
    for option in pack.options:
        criteria = pack.criteria_of(option)
        reasons = [_reason(compiled, criterion, profile, outcomes) for criterion in criteria]
        missing = sorted({name for reason in reasons for name in reason.missing_fields})
        status = status_of([reason.outcome for reason in reasons])
        options.append(OptionAssessment(
            id=option.id, name=option.name, kind=option.kind, evidence=option.evidence,
            status=status, summary=option.summary,
            reasons=reasons, missing_fields=missing,
            counterfactuals=([] if status == "candidate"
                             else counterfactuals(compiled, criteria, profile, outcomes)),
            notes=[_note(note) for note in option.notes]))
    return Assessment(
        profile=profile.id,
        rule_pack=RulePackRef(name=pack.info.name, version=pack.info.version, as_of=pack.info.as_of),
        options=options, notes=[_note(note) for note in pack.notes])


def _reason(compiled: CompiledPack, criterion: Criterion, profile: Profile,
            outcomes: Sequence[Outcome]) -> Reason:
    slots = compiled.criterion_tests[criterion.id]
    test_outcomes = [outcomes[slot] for slot in slots]
    outcome = test_outcomes[0] if criterion.test is not None else any_of(test_outcomes)
    missing: list[str] = []
    if outcome == "unknown":
        for test, test_outcome in zip(criterion.tests, test_outcomes, strict=True):
            if test_outcome == "unknown":
                missing.extend(PROFILE_FIELDS_OF[test.field][:1])
    requirement = " or ".join(requirement_text(test) for test in criterion.tests)
    return Reason(
        criterion=criterion.id, title=criterion.title, outcome=outcome,
        requirement=requirement, patient_value=values_text(profile, criterion.fields), rationale=criterion.rationale,
        evidence=criterion.evidence, source=SourceRef(**criterion.source.model_dump()),
        missing_fields=missing)


def _note(note: RuleNote) -> Note:
    return Note(id=note.id, text=note.text, source=SourceRef(**note.source.model_dump()))
