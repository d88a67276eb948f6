"""The plain-text note a clinician pastes into a chart: what was entered and the answer.

It is ``eligibility explain``'s own text (``render/explain.option_tree``), plain and 80
columns wide, under a heading that names the date, the rule pack and what was entered,
and over the pack's notes (the decision-aid disclaimer among them). The same bytes for
the same form, whatever the browser: the "copy as note" button and the print stylesheet
both give exactly this text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from io import StringIO

from rich.console import Console
from rich.text import Text

from eligibility.engine.explanation import Explanation
from eligibility.model.fields import AGE_MONTHS, AGE_YEARS, BIRTH_DATE, FIELDS
from eligibility.render.explain import cited_sources, option_tree
from eligibility.render.status import legend, not_considered_line
from eligibility.rulepack.wording import label
from eligibility.safe_text import visible

WIDTH = 80
HEADING = "Immunotherapy options for atopic dermatitis (decision aid, not a prescription)"


def entered_text(profile: Mapping[str, object]) -> str:
    """What the form gave, field by field in words; the rest named as unknown."""
    parts: list[str] = []
    unknown: list[str] = []
    for entry in FIELDS.values():
        if entry.kind == "age":
            given = [f"{profile[AGE_YEARS]:g} years" if AGE_YEARS in profile else "",
                     f"{profile[AGE_MONTHS]} months" if AGE_MONTHS in profile else "",
                     f"born {profile[BIRTH_DATE]}" if BIRTH_DATE in profile else ""]
            text = ", ".join(part for part in given if part)
        elif entry.profile_fields[0] in profile:
            text = _value(profile[entry.profile_fields[0]], entry.unit)
        else:
            text = ""
        if text:
            parts.append(f"{entry.label} {text}")
        else:
            unknown.append(entry.label)
    known = "; ".join(parts) or "nothing"
    return f"Entered: {known}." + (f" Unknown: {', '.join(unknown)}." if unknown else "")


def note_text(explanation: Explanation, profile: Mapping[str, object], as_of: dt.date,
              newer: str | None) -> str:
    """The whole note, as plain text lines of at most ``WIDTH`` columns."""
    assessment = explanation.assessment
    pack = assessment.rule_pack
    out = StringIO()
    console = Console(file=out, width=WIDTH, color_system=None, force_terminal=False,
                      no_color=True, highlight=False, emoji=False, legacy_windows=False)
    console.print(Text(HEADING))
    console.print(Text(visible(f"Assessed {as_of} with rule pack {pack.name} {pack.version} "
                               f"(knowledge as of {pack.as_of}).")))
    console.print(Text(visible(entered_text(profile))))
    for option in explanation.options:
        console.print()
        console.print(option_tree(option, explanation.sources))
    console.print()
    for line in cited_sources(explanation):
        console.print(line)
    for text in (not_considered_line(assessment), newer, legend(assessment)):
        if text is not None:
            console.print(Text(visible(text)))
    for note in assessment.notes:
        console.print(Text(visible(f"- {note.text}")))
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


def _value(value: object, unit: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "none known" if not value else ", ".join(label(str(item)) for item in value)
    if isinstance(value, float):
        return f"{value:g} {unit}".strip()
    return label(str(value))
