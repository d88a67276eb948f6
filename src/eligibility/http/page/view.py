"""The answer as the page shows it: plain values for the templates, made from ``explain``.

Every word comes from the renderers the command line uses (``render/status.py`` for the
status labels, trial ones included; ``render/why.py`` for the short why; ``render/explain``
for sources and the "together" line), so the page and ``eligibility explain`` cannot say
different things. Status is carried by a word and a symbol, never by colour alone; a trial
(investigational) option is marked so in words, and styled apart in the stylesheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from eligibility.engine.explanation import Explanation, OptionExplanation
from eligibility.model.assessment import Outcome, Status
from eligibility.render.explain import OUTCOME_LABEL, source_line, together
from eligibility.render.status import LEGEND, label, trial
from eligibility.render.why import why_text

#: A symbol beside each word, for readers who scan (the word is always there too).
STATUS_MARK: dict[Status, str] = {"candidate": "✓", "not_candidate": "✗", "needs_information": "?"}
OUTCOME_MARK: dict[Outcome, str] = {"met": "✓", "not_met": "✗", "unknown": "?"}


@dataclass(frozen=True)
class CriterionRow:
    outcome: str
    outcome_text: str
    mark: str
    title: str
    comparisons: tuple[str, ...]
    rationale: str
    source: str


@dataclass(frozen=True)
class ChangeRow:
    title: str
    sentence: str
    checked: bool


@dataclass(frozen=True)
class OptionView:
    id: str
    name: str
    trial: bool
    status: Status
    label: str
    status_text: str
    mark: str
    why: str
    criteria: tuple[CriterionRow, ...]
    changes: tuple[ChangeRow, ...]
    together: str | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class AnswerView:
    options: tuple[OptionView, ...]
    legend: str | None
    notes: tuple[str, ...]
    not_considered: tuple[str, ...]
    pack: str


def answer_view(explanation: Explanation) -> AnswerView:
    assessment = explanation.assessment
    options = tuple(_option(item, explanation) for item in explanation.options)
    pack = assessment.rule_pack
    return AnswerView(
        options=options,
        legend=LEGEND if any(option.trial for option in options) else None,
        notes=tuple(note.text for note in assessment.notes),
        not_considered=assessment.not_considered,
        pack=f"{pack.name} {pack.version} (knowledge as of {pack.as_of})")


def _option(item: OptionExplanation, explanation: Explanation) -> OptionView:
    option = item.option
    criteria = tuple(
        CriterionRow(view.reason.outcome, OUTCOME_LABEL[view.reason.outcome],
                     OUTCOME_MARK[view.reason.outcome], view.reason.title, view.comparisons,
                     view.reason.rationale,
                     source_line(view.reason.source,
                                 explanation.sources.get(view.reason.source.document)))
        for view in item.criteria)
    changes = tuple(ChangeRow(checked.title, checked.change.sentence, checked.verified is True)
                    for checked in item.changes)
    both = together(item)
    return OptionView(
        id=option.id, name=option.name, trial=trial(option), status=option.status,
        label=label(option), status_text=option.status_text, mark=STATUS_MARK[option.status],
        why=why_text(option), criteria=criteria, changes=changes,
        together=both.plain if both is not None else None,
        notes=tuple(note.text for note in option.notes))
