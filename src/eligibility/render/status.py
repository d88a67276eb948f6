"""What every human view says about a status, the pack's age and the fields it ignored.

One place for the words, so that the table, the overview, ``explain`` and CSV cannot
drift apart. A trial (investigational) option a patient qualifies for is shown as a
trial to ask about, "trial: may be eligible", never in the green of an approved
"candidate": the words say it, so it reads the same without colour. The lines about a
newer pack and about fields no rule read go under every table and explanation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from eligibility.model.assessment import (
    Assessment,
    OptionAssessment,
    RulePackRef,
    Status,
    is_investigational,
)

STYLE: dict[Status, str] = {"candidate": "bold green", "not_candidate": "bold red",
                            "needs_information": "bold yellow"}
LABEL: dict[Status, str] = {"candidate": "candidate", "not_candidate": "not a candidate",
                            "needs_information": "needs information"}
TRIAL_STYLE: dict[Status, str] = {"candidate": "bold cyan", "not_candidate": "bold red",
                                  "needs_information": "bold yellow"}
TRIAL_LABEL: dict[Status, str] = {"candidate": "trial: may be eligible",
                                  "not_candidate": "trial: not eligible",
                                  "needs_information": "trial: needs info"}
LEGEND = ("trial: = an investigational drug, not an approved treatment: \"may be eligible\" "
          "means the patient may be eligible for a clinical trial of it.")


def trial(option: OptionAssessment) -> bool:
    return is_investigational(option.kind, option.evidence)


def label(option: OptionAssessment, status: Status | None = None) -> str:
    """The short status label of ``option`` (or of ``status`` for it, e.g. after a change)."""
    shown = option.status if status is None else status
    return (TRIAL_LABEL if trial(option) else LABEL)[shown]


def style(option: OptionAssessment, status: Status | None = None) -> str:
    shown = option.status if status is None else status
    return (TRIAL_STYLE if trial(option) else STYLE)[shown]


def legend(assessment: Assessment) -> str | None:
    """The legend for trial labels, when the assessment shows a trial option."""
    return LEGEND if any(trial(option) for option in assessment.options) else None


def newer_line(pack: RulePackRef) -> str | None:
    """Says that newer shipped knowledge exists than the pack that answered, if it does."""
    if pack.newer is None:
        return None
    return (f"Newer knowledge ships: rule pack {pack.newer.name} (knowledge as of "
            f"{pack.newer.as_of}); these answers use {pack.name} (as of {pack.as_of}). "
            f"Choose it with --rules {pack.newer.name} or set ELIGIBILITY_RULES.")


def not_considered_line(assessment: Assessment) -> str | None:
    """Names the given profile fields no rule of the pack reads, if there are any."""
    return unread_line(assessment.rule_pack, assessment.not_considered)


def unread_line(pack: RulePackRef, fields: Sequence[str]) -> str | None:
    """Names ``fields``, given but read by no rule of ``pack``, if there are any."""
    if not fields:
        return None
    return f"Not considered (no rule of {pack.name} reads them): {', '.join(fields)}."


def age_line(assessment: Assessment) -> str | None:
    """The age the decision used and where it was read from, when the age is known."""
    age = assessment.age_used
    if age is None:
        return None
    read = " and ".join(name.replace("_", " ") for name in age.basis)
    return f"Age used: {age.text} (from {read})."


def assessed_line(as_of: dt.date | None) -> str | None:
    """The date the assessment is for, when one was given."""
    if as_of is None:
        return None
    return f"Assessed as of {as_of} (ages are read on this date)."
