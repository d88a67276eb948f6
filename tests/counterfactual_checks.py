"""Checks shared by the counterfactual tests: every claim made, confirmed by the engine.

Applying a suggested change (its JSON Merge Patch) and evaluating again must make its
criterion met; one change per blocking criterion, together, must make the option a
candidate, unless some blocking criterion can never be met (and then none is offered).
"""

from __future__ import annotations

from pathlib import Path

from eligibility import Assessment, OptionAssessment, RulePack, evaluate
from eligibility.engine.counterfactual import apply_patch, combined_patch
from eligibility.model.assessment import Counterfactual
from eligibility.model.fields import RULE_FIELDS


def outcome_after(profile: dict[str, object], change: Counterfactual, option_id: str,
                  rules: RulePack | str | Path, patch: dict[str, object] | None = None) -> str:
    changed = evaluate(apply_patch(profile, patch if patch is not None else change.patch),
                       rules=rules)
    return next(r.outcome for r in changed.option(option_id).reasons
                if r.criterion == change.criterion)


def check_assessment(profile: dict[str, object], assessment: Assessment,
                     rules: RulePack | str | Path) -> None:
    """Every claim the counterfactuals make, checked against the engine."""
    for option in assessment.options:
        blocking = [r.criterion for r in option.reasons if r.outcome != "met"]
        if option.status == "candidate":
            assert option.counterfactuals == ()
            continue
        assert sorted({c.criterion for c in option.counterfactuals}) == sorted(blocking)
        for change in option.counterfactuals:
            if not change.possible:
                assert change.kind == "never" and change.patch == {}
                continue
            if change.kind == "enter":  # never invented: a clinician enters the allergens
                assert change.patch == {} and RULE_FIELDS[change.field] == "allergy"
                continue
            assert outcome_after(profile, change, option.id, rules) == "met", change
            if RULE_FIELDS[change.field] == "category":
                for value in change.values:
                    patch = {change.field: value}
                    assert outcome_after(profile, change, option.id, rules, patch) == "met"
        check_combined(profile, option, rules)


def check_combined(profile: dict[str, object], option: OptionAssessment,
                   rules: RulePack | str | Path) -> None:
    """One change per blocking criterion, together, yields a candidate, or we say why not."""
    impossible = {c.criterion for c in option.counterfactuals} - {
        c.criterion for c in option.counterfactuals if c.possible}
    combined = combined_patch(option)
    if impossible or any(c.kind == "enter" for c in option.counterfactuals):
        assert combined is None
        return
    assert combined is not None, option.counterfactuals
    after = evaluate(apply_patch(profile, combined), rules=rules).option(option.id)
    assert after.status == "candidate", (combined, after.reasons)
