"""The short "why (not)" of one option, in a clinician's words rather than the pack's.

The record says what a rule asks as the pack writes it (``topical_response inadequate``)
for pack reviewers and scripts; a table cell is read by a clinician, so it says the same
in words: "needs age 18 years or older (is 16 years)", "missing: age, allergies". Words
come from the field registry's labels and the counterfactuals' needed values, never from
field names, so the cell is the same for every pack and every field.
"""

from __future__ import annotations

from eligibility.model.assessment import Counterfactual, OptionAssessment, Reason
from eligibility.model.fields import FIELDS
from eligibility.rulepack.wording import label, months_text

_YES_NO = {"true": "yes", "false": "no"}


def why_text(option: OptionAssessment) -> str:
    """What blocks the option, smallest change first, and how many criteria more block it.

    Candidates say all criteria are met; ``explain`` is the long form of the rest.
    """
    reasons = option.reasons
    if option.status == "candidate":
        return f"all {len(reasons)} criteria met"
    if option.status == "needs_information":
        return "missing: " + ", ".join(missing_words(option))
    failed = {r.criterion: r for r in reasons if r.outcome == "not_met"}
    blocking = sum(1 for r in reasons if r.outcome != "met")
    changes = [c for c in option.counterfactuals if c.criterion in failed]
    reason = failed[changes[0].criterion] if changes else next(iter(failed.values()))
    text = needs_text(reason, [c for c in changes if c.criterion == reason.criterion])
    if changes and changes[0].kind == "wait" and changes[0].wait_months is not None:
        text += f"; met in {months_text(changes[0].wait_months)}"
    elif changes and changes[0].kind == "never":
        text += "; can no longer be met"
    if blocking > 1:
        text += f"; +{blocking - 1} more"
    return text


def missing_words(option: OptionAssessment) -> list[str]:
    """The unknown fields that decide the option, in words: 'age', not 'age_years'."""
    asked = [label(change.field) for change in option.counterfactuals if change.kind == "fill_in"]
    # No fill-in change (an age the profile gives but too coarsely): the fields, in words.
    return list(dict.fromkeys(asked)) or [label(name) for name in option.missing_fields]


def needs_text(reason: Reason, changes: list[Counterfactual]) -> str:
    """'needs age 18 years or older (is 16 years)'; alternatives joined by 'or'."""
    if not changes:  # pragma: no cover - every not-met criterion has its changes
        return f"needs: {reason.title.lower()}"
    fields = list(dict.fromkeys(change.field for change in changes))
    needed = {change.field: change.needed for change in changes}
    if len(set(needed.values())) == 1:
        wants = _phrase(" or ".join(label(field) for field in fields), fields[0],
                        changes[0].needed)
    else:
        wants = " or ".join(_phrase(label(field), field, needed[field]) for field in fields)
    values = [_value_words(value, field) for field, value in
              zip(fields, _values(reason.patient_value, fields), strict=False)]
    return f"needs {wants} (is {', '.join(values)})"


def _phrase(words: str, field: str, needed: str) -> str:
    """What the rule needs: the registry's wording of the field ('{} eczema'), else the
    field's words and the needed value ('age 18 years or older')."""
    entry = FIELDS.get(field)
    if entry is not None and entry.needs and words == entry.label:
        return entry.needs.format(needed)
    kind = entry.kind if entry is not None else None
    if kind == "list":  # the needed text names the entries: 'at least 1 known allergy'
        return needed
    if kind == "boolean":
        if entry is not None and needed == "true" and words == entry.label:
            return entry.title.lower()  # 'allergies linked to eczema'
        return f"{words}: {_YES_NO.get(needed, needed)}"
    return f"{words} {needed}"


def _value_words(value: str, field: str) -> str:
    entry = FIELDS.get(field)
    kind = entry.kind if entry is not None else None
    if kind == "boolean":
        return _YES_NO.get(value, value)
    if kind == "category":
        return label(value)
    return value


def _values(shown: str, fields: list[str]) -> list[str]:
    """The patient's value of each field, from the reason's 'field value; field value'."""
    if len(fields) == 1:
        return [shown]
    values: list[str] = []
    rest = shown
    for index, field in enumerate(fields):
        if not rest.startswith(field + " "):
            return [shown]
        rest = rest[len(field) + 1:]
        if index + 1 < len(fields):
            cut = rest.find(f"; {fields[index + 1]} ")
            if cut < 0:
                return [shown]
            values.append(rest[:cut])
            rest = rest[cut + 2:]
    values.append(rest)
    return values
