"""The long human view: for each option a tree of its criteria, why, where from, and what
would change the answer. Colour on a terminal, plain text when piped; fits 80 columns.

Like the table, it takes the typed ``Explanation`` and returns a rich renderable. Every
text is a ``rich.text.Text`` with hidden characters escaped (``safe_text.visible``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.text import Text
from rich.tree import Tree

from eligibility.engine.explanation import CheckedChange, Explanation, OptionExplanation
from eligibility.model.assessment import Note, SourceRef
from eligibility.render.status import label, style
from eligibility.render.table import age_lines, knowledge_lines
from eligibility.rulepack.model import Source
from eligibility.safe_text import visible

OUTCOME_LABEL = {"met": "met", "not_met": "not met", "unknown": "unknown"}
OUTCOME_STYLE = {"met": "green", "not_met": "red", "unknown": "yellow"}


@dataclass(frozen=True)
class Explained:
    """One profile explained, and ``FILE:LINE`` it was read from.

    ``provenance`` (FHIR input) names, per criterion id, the resources the patient's value
    came from; ``input_notes`` are the reader's notes (no active diagnosis found), which
    the JSON form lists after the pack's, as an evaluate record does.
    """

    source: str
    explanation: Explanation
    provenance: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    input_notes: tuple[Note, ...] = ()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Every explained option of the profile, under a heading naming it."""
        heading = self.explanation.assessment.profile or self.source
        title = heading if heading == self.source else f"{heading}  ({self.source})"
        yield Text(visible(title), style="bold")
        yield from age_lines(self.explanation.assessment)
        for option in self.explanation.options:
            yield Text()
            yield option_tree(option, self.explanation.sources, self.provenance)
        yield Text()
        if self.input_notes:
            yield Text("From the input", style="bold")
            yield from (Text(visible(f"- {note.text}"), style="dim") for note in self.input_notes)
            yield Text()
        sources = cited_sources(self.explanation)
        if sources:
            yield from sources
            yield Text()
        lines = knowledge_lines(self.explanation.assessment)
        if lines:
            yield from lines
            yield Text()


def option_tree(explained: OptionExplanation, sources: Mapping[str, Source] | None = None,
                provenance: Mapping[str, tuple[str, ...]] | None = None) -> Tree:
    option = explained.option
    header = Text.assemble((visible(option.name), "bold"), ": ",
                           (label(option), style(option)))
    tree = Tree(header, guide_style="dim")
    for view in explained.criteria:
        reason = view.reason
        outcome = (f"[{OUTCOME_LABEL[reason.outcome]}] ", OUTCOME_STYLE[reason.outcome])
        body = [Text.assemble(outcome, (visible(reason.title), "bold")),
                *(Text(visible(line)) for line in view.comparisons),
                *_from(reason.criterion, provenance),
                Text(visible(f"Why: {reason.rationale}"), style="dim"),
                Text(visible(source_line(reason.source, (sources or {}).get(reason.source.document))),
                     style="dim")]
        tree.add(Group(*body))
    if explained.changes:
        changes = tree.add(Text("What would change the answer", style="bold"))
        for checked in explained.changes:
            changes.add(_change(checked))
        both = together(explained)
        if both is not None:
            changes.add(both)
    if option.notes:
        notes = tree.add(Text("Notes", style="bold"))
        for note in option.notes:
            notes.add(Text(visible(note.text), style="dim"))
    return tree


def _from(criterion: str, provenance: Mapping[str, tuple[str, ...]] | None) -> list[Text]:
    """'From: Condition/c1' — the resources a criterion's value came from (FHIR input)."""
    found = (provenance or {}).get(criterion)
    return [Text(visible(f"From: {', '.join(found)}"), style="cyan")] if found else []


def _change(checked: CheckedChange) -> Group:
    text = Text(visible(checked.change.sentence))
    if checked.verified is True:
        text.append(" (checked)", style="green")
    elif checked.verified is False:  # pragma: no cover - would be a bug the tests catch
        text.append(" (NOT confirmed by evaluating again)", style="bold red")
    return Group(Text(visible(checked.title), style="bold"), text)


def together(explained: OptionExplanation) -> Text | None:
    """For several blocking criteria: do the smallest changes together give a candidate?
    (Public: the clinician page shows the same sentence.)"""
    if explained.impossible:
        titles = ", ".join(_title(explained, rule_id) for rule_id in explained.impossible)
        return Text(visible(f"No change to the profile can make it a candidate: {titles} can "
                            "never be met."), style="bold")
    blocking = {checked.change.criterion for checked in explained.changes}
    if len(blocking) < 2:
        return None
    entered = sorted({checked.change.field for checked in explained.changes
                      if checked.change.kind == "enter"})
    if explained.combined is None and entered:
        return Text(visible(f"Together: no single change can be given, since {', '.join(entered)} "
                            "needs a clinician's entry first."), style="bold")
    if explained.combined is None:
        return Text("The suggested changes contradict one another: no single profile "
                    "meets every criterion.", style="bold")
    patch = ", ".join(f"{key} {_json(value)}" for key, value in explained.combined.items()
                      if value is not None)
    status = explained.combined_status or "not_candidate"
    text = Text.assemble(("Together: ", "bold"), visible(f"{patch} → "),
                         (label(explained.option, status), style(explained.option, status)))
    if status == "candidate":
        text.append(" (checked)", style="green")
    return text


def _title(explained: OptionExplanation, rule_id: str) -> str:
    for view in explained.criteria:
        if view.reason.criterion == rule_id:
            return view.reason.title
    return rule_id  # pragma: no cover - every blocking criterion has a reason


def _json(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def source_line(source: SourceRef, cited: Source | None) -> str:
    """Where a reason comes from: the document (its title when the pack lists it), the
    section. (Public: the clinician page cites the same way.)"""
    detail = f" ({source.detail})" if source.detail else ""
    title = f"{cited.title} [{source.document}]" if cited is not None else source.document
    return f"Source: {title}, {source.section}{detail}"


def cited_sources(explanation: Explanation) -> list[Text]:
    """Each source the explained reasons cite, once: title, kind, date and where to read it."""
    cited = dict.fromkeys(view.reason.source.document for option in explanation.options
                          for view in option.criteria)
    lines = []
    for document in cited:
        source = explanation.sources.get(document)
        if source is None:
            continue
        about = "; ".join(part for part in (source.kind, source.published, source.location)
                          if part)
        lines.append(Text(visible(f"[{document}] {source.title}{f': {about}' if about else ''}"),
                          style="dim"))
    return [Text("Sources", style="bold"), *lines] if lines else []
