"""The long form of an assessment: each criterion beside the patient's value, and each
suggested change checked by evaluating the changed profile again.

``evaluate`` already carries the counterfactuals; this module adds what only a second
evaluation can give: proof that each change does what it says, and whether one change
per blocking criterion, taken together, makes the option a candidate. The profile itself
is evaluated once; only the changed profiles are evaluated again. It is for
``eligibility explain`` and for people reading one patient, not for batch throughput.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from eligibility.engine.counterfactual import apply_patch, combined_patch
from eligibility.engine.evaluation import Evaluator, Rules, evaluator_for
from eligibility.model.assessment import (
    Assessment,
    Counterfactual,
    OptionAssessment,
    PatchValue,
    Reason,
    Status,
)
from eligibility.model.profile import Profile, parse_profile
from eligibility.rulepack.model import Source
from eligibility.rulepack.wording import comparisons


@dataclass(frozen=True)
class CriterionView:
    """One criterion as it applied: the reason and 'patient value — rule: threshold' lines."""

    reason: Reason
    comparisons: tuple[str, ...]


@dataclass(frozen=True)
class CheckedChange:
    """A counterfactual and whether applying it made its criterion met (None: no change can)."""

    change: Counterfactual
    title: str
    verified: bool | None


@dataclass(frozen=True)
class OptionExplanation:
    option: OptionAssessment
    criteria: tuple[CriterionView, ...]
    changes: tuple[CheckedChange, ...]
    #: One change per blocking criterion, merged; None when none combines (or none needed).
    combined: Mapping[str, PatchValue] | None
    #: The option's status after ``combined`` is applied and evaluated again.
    combined_status: Status | None
    #: Blocking criteria that no change to the profile can meet.
    impossible: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    assessment: Assessment
    options: tuple[OptionExplanation, ...]
    #: The pack's sources by id, so a reader sees what a reason's ``source.document`` is.
    sources: Mapping[str, Source] = field(default_factory=dict)


def explain(profile: Profile | Mapping[str, object], *,
            rules: Rules | Evaluator | None = None,
            option: str | None = None, as_of: dt.date | None = None) -> Explanation:
    """Explain every option (or one, by id) for one profile, checking each change.

    ``rules`` is a pack (name, path or ``RulePack``) or an ``Evaluator`` to use; without
    it, the user's default pack (``evaluator_for``). ``as_of``: the assessment date, which
    a birth_date needs (as for ``evaluate``); the changed profiles are read on it too.
    Raises ``ProfileError`` for an invalid profile and ``KeyError`` for an unknown option.
    """
    evaluator = rules if isinstance(rules, Evaluator) else evaluator_for(rules)
    valid = parse_profile(profile).dated(as_of)  # its age read on as_of, in comparisons too
    assessment = evaluator.evaluate(valid, as_of=as_of)
    chosen = [assessment.option(option)] if option is not None else assessment.options
    return Explanation(assessment, tuple(_option(evaluator, valid, item) for item in chosen),
                       {source.id: source for source in evaluator.pack.sources})


def _option(evaluator: Evaluator, profile: Profile,
            option: OptionAssessment) -> OptionExplanation:
    pack = evaluator.pack
    criteria = {criterion.id: criterion for criterion in pack.criteria_of(pack.option(option.id))}
    views = tuple(CriterionView(reason, comparisons(criteria[reason.criterion], profile))
                  for reason in option.reasons)
    changes = tuple(CheckedChange(change, criteria[change.criterion].title,
                                  _verify(evaluator, profile, option.id, change))
                    for change in option.counterfactuals)
    blocking = list(dict.fromkeys(change.criterion for change in option.counterfactuals))
    impossible = tuple(rule_id for rule_id in blocking
                       if not any(c.possible for c in option.counterfactuals
                                  if c.criterion == rule_id))
    combined = combined_patch(option) if option.counterfactuals else None
    status: Status | None = None
    if combined is not None:
        status = evaluator.evaluate(_patched(profile, combined)).option(option.id).status
    return OptionExplanation(option, views, changes, combined, status, impossible)


def _patched(profile: Profile, patch: Mapping[str, PatchValue]) -> Profile:
    """The profile with a change applied, on the same assessment date as the profile (a
    birth_date read on a date stays read on it: FHIR input dates its profiles)."""
    return parse_profile(apply_patch(profile, patch)).dated(profile._as_of)


def _verify(evaluator: Evaluator, profile: Profile, option_id: str,
             change: Counterfactual) -> bool | None:
    """Apply the change and evaluate again: is its criterion now met? None when there is
    nothing to apply (a clinician must enter the value, e.g. which allergens)."""
    if not change.possible or not change.patch:
        return None
    changed = evaluator.evaluate(_patched(profile, change.patch)).option(option_id)
    return any(reason.criterion == change.criterion and reason.outcome == "met"
               for reason in changed.reasons)
