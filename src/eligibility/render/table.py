"""The human view of one profile: a rich table coloured by status (colour only on a terminal).

Views take the typed answer (an ``Assessment``, an ``OptionAssessment``, an
``ErrorRecord``) and return rich renderables; whoever prints them chooses the console.
Text from input (ids, file names, values) is shown with hidden characters escaped
(``safe_text.visible``) and always as ``rich.text.Text``: markup in it is text, not style.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from eligibility.model.assessment import Assessment, Note, RulePackRef
from eligibility.render.console import BOX
from eligibility.render.record import ErrorRecord
from eligibility.render.status import (
    LABEL,
    STYLE,
    age_line,
    assessed_line,
    label,
    legend,
    newer_line,
    style,
    unread_line,
)
from eligibility.render.why import why_text
from eligibility.safe_text import visible

__all__ = ["LABEL", "STYLE", "AssessmentTable", "age_lines", "error_line", "footer",
           "knowledge_lines", "why_text"]


class AssessmentTable:
    """One profile's options, status and 'why not'; option names are never wrapped."""

    def __init__(self, assessment: Assessment, source: str) -> None:
        self.assessment = assessment
        self.source = source

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        heading = self.assessment.profile if self.assessment.profile is not None else self.source
        title = heading if heading == self.source else f"{heading}  ({self.source})"
        table = Table(title=Text(visible(title)), title_justify="left", box=BOX,
                      show_lines=False, expand=False)
        table.add_column("Option", no_wrap=True)
        table.add_column("Status", no_wrap=True)
        table.add_column("Why (not)", overflow="fold")
        for option in self.assessment.options:
            table.add_row(Text(visible(option.name)),
                          Text(label(option), style=style(option)),
                          Text(visible(why_text(option))))
        yield table
        yield from age_lines(self.assessment)
        yield from knowledge_lines(self.assessment)


def knowledge_lines(assessment: Assessment) -> list[Text]:
    """The lines under every table and explanation: fields no rule read, newer knowledge."""
    return pack_lines(assessment.rule_pack, assessment.not_considered)


def pack_lines(pack: RulePackRef, not_considered: Sequence[str]) -> list[Text]:
    """``knowledge_lines`` of any patients: ``not_considered`` are the fields they gave
    that no rule of ``pack`` read (the overview names those of the whole batch)."""
    lines = [unread_line(pack, not_considered), newer_line(pack)]
    return [Text(visible(line), style="yellow") for line in lines if line is not None]


def age_lines(assessment: Assessment) -> list[Text]:
    """The age the decision used, under one profile's table or explanation."""
    line = age_line(assessment)
    return [] if line is None else [Text(visible(line), style="dim")]


def error_line(record: ErrorRecord) -> Text:
    """An input that could not be evaluated: where, what, and the field."""
    error = record.error
    field = f" [field: {error.field}]" if error.field else ""
    return Text(visible(f"{record.source}: error: {error.message}{field}"), style="red")


def footer(assessment: Assessment | None) -> RenderableType:
    """The pack and the general notes, once per run rather than once per profile."""
    if assessment is None:
        return Group()
    return pack_footer(assessment.rule_pack, assessment.notes, legend(assessment),
                       assessment.as_of)


def pack_footer(pack: RulePackRef, notes: Sequence[Note], key: str | None,
                as_of: dt.date | None = None) -> RenderableType:
    """``footer`` from its parts: the date assessed for, the pack, the notes and the trial
    legend (``None``: no trial option is shown)."""
    dated = assessed_line(as_of)
    return Group(*([Text(dated, style="dim")] if dated is not None else []),
                 Text(visible(f"Rule pack {pack.name} {pack.version} (knowledge as of "
                              f"{pack.as_of})."), style="dim"),
                 *([Text(key, style="dim")] if key is not None else []),
                 *(Text(visible(f"- {note.text}"), style="dim") for note in notes))
