"""Views of rule packs for people: the pack list, the rules of each option, a diff report.

Rendering only; what the rules say comes from the pack, the diff report (plain data, also
the JSON output) from ``services.pack_diff``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from eligibility.render.console import BOX
from eligibility.rulepack.model import Criterion, RulePack
from eligibility.rulepack.wording import criterion_requirement
from eligibility.safe_text import visible


def packs_table(packs: Sequence[RulePack], default: str) -> Table:
    table = Table(title="Rule packs", title_justify="left", box=BOX)
    for column in ("Name", "Version", "As of", "Rules", "Options"):
        table.add_column(column, no_wrap=True)  # names and dates are never split
    table.add_column("Title", ratio=1, overflow="fold")
    for pack in packs:
        name = pack.name + (" (default)" if pack.name == default else "")
        table.add_row(name, pack.info.version, str(pack.info.as_of),
                      str(len(pack.all_criteria())), str(len(pack.options)), pack.info.title)
    return table


def rules_tables(pack: RulePack, option_ids: Sequence[str] | None = None) -> list[Group]:
    """One block per option: each criterion's id and title, then what it requires, its
    rationale, source and evidence beside their labels.

    Blocks rather than a five-column table: at 80 columns a table has to fold long rule
    ids (``allergen_immunotherapy.has_allergies``) mid-word; here each id has a line.
    """
    blocks = []
    for option in pack.options:
        if option_ids is not None and option.id not in option_ids:
            continue
        title = Text.assemble((option.name, "bold"), f" [{option.id}] — ",
                              option.evidence.replace("_", " "),
                              (f" ({pack.name} {pack.info.version}, as of {pack.info.as_of})",
                               "dim"))
        parts: list[Text | Table] = [title]
        for criterion in pack.criteria_of(option):
            parts.append(Text())
            parts.append(Text.assemble("  ", (criterion.id, "bold"), " — ", criterion.title))
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True, style="dim")
            grid.add_column(overflow="fold")
            for label, value in (("Requires", criterion_requirement(criterion)),
                                 ("Rationale", criterion.rationale),
                                 ("Source", source_text(criterion)),
                                 ("Evidence", criterion.evidence.replace("_", " "))):
                grid.add_row(f"    {label}:", Text(value))
            parts.append(grid)
        parts.append(Text())
        blocks.append(Group(*parts))
    blocks.append(sources_block(pack))
    return blocks


def sources_block(pack: RulePack) -> Group:
    """The documents the rules cite (their ``source.document`` ids): what and where to read."""
    parts: list[Text | Table] = [Text.assemble(("Sources", "bold"), (f" ({pack.name})", "dim"))]
    for source in pack.sources:
        parts.append(Text())
        parts.append(Text.assemble("  ", (visible(source.id), "bold"), " — ",
                                   visible(source.title)))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column(overflow="fold")
        for label, value in (("Kind", source.kind), ("Published", source.published),
                             ("Location", source.location or "not given")):
            if value:
                grid.add_row(f"    {label}:", Text(visible(value)))
        parts.append(grid)
    parts.append(Text())
    return Group(*parts)


def source_text(criterion: Criterion) -> str:
    source = criterion.source
    detail = f" ({source.detail})" if source.detail else ""
    return f"{source.document} § {source.section}{detail}"


# -- diff ---------------------------------------------------------------------------


def diff_text(report: dict[str, Any]) -> str:
    """The diff report as text for a terminal or a review comment."""
    old, new = report["from"], report["to"]
    lines = [f"Rule pack diff: {old['name']} {old['version']} (as of {old['as_of']}) → "
             f"{new['name']} {new['version']} (as of {new['as_of']})", "", "Rules:"]
    marks = {"added": "+", "removed": "-", "changed": "~"}
    option = None
    for change in report["rules"]:
        if change["option"] != option:
            option = change["option"]
            lines.append(f"  {option}")
        details = "; ".join(change["details"])
        lines.append(f"    {marks[change['change']]} {change['rule']}: {details}")
    if not report["rules"]:
        lines.append("  (no differences)")
    lines.append("")
    if "profiles" in report:
        lines.append(f"Status changes over {len(report['profiles'])} profiles:")
        changed = 0
        for row in report["profiles"]:
            if "error" in row:
                lines.append(visible(f"  {row['source']}: error: {row['error']}"))
                continue
            for change in row["changes"]:
                changed += 1
                lines.append(visible(f"  {row['profile']}: {change['option']}: {change['from']} → "
                                     f"{change['to']}"))
        if not changed:
            lines.append("  (no status changes)")
    else:
        lines.append("Status changes over boundary profiles (every combination of the classes "
                     "both packs' thresholds split each field into):")
        for change in report["boundary"]:
            lines.append(f"  {change['option']}: {change['from']} → {change['to']} "
                         f"({change['count']} of {change['of']} combinations)")
            lines.extend(f"    - {who}" for who in change["who"])
        if not report["boundary"]:
            lines.append("  (no status changes)")
    return "\n".join(lines) + "\n"
