"""The human view: one rich table per profile, coloured by status, plain when piped.

Views take the typed answer (an ``Assessment``, an ``OptionAssessment``, an
``ErrorRecord``) and return rich renderables; whoever prints them chooses the console.
Text from input (ids, file names, values) is shown with hidden characters escaped
(``safe_text.visible``) and always as ``rich.text.Text``: markup in it is text, not style.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from eligibility.model.assessment import Assessment, OptionAssessment
from eligibility.render.record import ErrorRecord
from eligibility.rulepack.wording import months_text
from eligibility.safe_text import visible

STYLE = {"candidate": "bold green", "not_candidate": "bold red", "needs_information": "bold yellow"}
LABEL = {"candidate": "candidate", "not_candidate": "not a candidate",
         "needs_information": "needs information"}


def why_text(option: OptionAssessment) -> str:
    """A short 'why not': the blocking criterion with the smallest change, and that change.

    Candidates say all criteria are met; ``explain`` is the long form of the rest.
    """
    reasons = option.reasons
    if option.status == "candidate":
        return f"all {len(reasons)} criteria met"
    if option.status == "needs_information":
        return "missing: " + ", ".join(option.missing_fields)
    failed = {r.criterion: r for r in reasons if r.outcome == "not_met"}
    blocking = sum(1 for r in reasons if r.outcome != "met")
    changes = [c for c in option.counterfactuals if c.criterion in failed]
    first = failed[changes[0].criterion] if changes else next(iter(failed.values()))
    text = f"{first.requirement}; is {first.patient_value}"
    if changes and changes[0].kind == "wait" and changes[0].wait_months is not None:
        text += f"; met in {months_text(changes[0].wait_months)}"
    elif changes and changes[0].kind == "never":
        text += "; can no longer be met"
    if blocking > 1:
        text += f"; +{blocking - 1} more"
    return text


class AssessmentTable:
    """One profile's options, status and 'why not'; rounded on a terminal, plain otherwise."""

    def __init__(self, assessment: Assessment, source: str) -> None:
        self.assessment = assessment
        self.source = source

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        heading = self.assessment.profile if self.assessment.profile is not None else self.source
        title = heading if heading == self.source else f"{heading}  ({self.source})"
        plain = not console.is_terminal or console.no_color
        table = Table(title=Text(visible(title)), title_justify="left",
                      box=box.SIMPLE if plain else box.ROUNDED, show_lines=False, expand=False)
        table.add_column("Option", max_width=26)
        table.add_column("Status", no_wrap=True)
        table.add_column("Why (not)", overflow="fold")
        for option in self.assessment.options:
            table.add_row(Text(visible(option.name)),
                          Text(LABEL[option.status], style=STYLE[option.status]),
                          Text(visible(why_text(option))))
        yield table


def error_line(record: ErrorRecord) -> Text:
    """An input that could not be evaluated: where, what, and the field."""
    error = record.error
    field = f" [field: {error.field}]" if error.field else ""
    return Text(visible(f"{record.source}: error: {error.message}{field}"), style="red")


def footer(assessment: Assessment | None) -> RenderableType:
    """The pack and the general notes, once per run rather than once per profile."""
    if assessment is None:
        return Group()
    pack = assessment.rule_pack
    return Group(Text(visible(f"Rule pack {pack.name} {pack.version} (knowledge as of "
                              f"{pack.as_of})."), style="dim"),
                 *(Text(visible(f"- {note.text}"), style="dim") for note in assessment.notes))
