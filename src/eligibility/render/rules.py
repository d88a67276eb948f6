"""Views of rule packs for people: the pack list, the rules of each option, a diff report.

Rendering only; what the rules say comes from the pack, the diff report (plain data, also
the JSON output) from ``services.pack_diff``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.table import Table

from eligibility.rulepack.model import Criterion, RulePack
from eligibility.rulepack.wording import criterion_requirement
from eligibility.safe_text import visible


def packs_table(packs: Sequence[RulePack], default: str) -> Table:
    table = Table(title="Rule packs", title_justify="left", box=box.SIMPLE)
    for column in ("Name", "Version", "As of", "Rules", "Options", "Title"):
        table.add_column(column, overflow="fold")
    for pack in packs:
        name = pack.name + (" (default)" if pack.name == default else "")
        table.add_row(name, pack.info.version, str(pack.info.as_of),
                      str(len(pack.all_criteria())), str(len(pack.options)), pack.info.title)
    return table


def rules_tables(pack: RulePack, option_id: str | None = None) -> list[Table]:
    """One table per option: criterion, requirement, rationale, source, evidence."""
    tables = []
    for option in pack.options:
        if option_id is not None and option.id != option_id:
            continue
        title = (f"{option.name} [{option.id}] — {option.evidence.replace('_', ' ')} "
                 f"({pack.name} {pack.info.version}, as of {pack.info.as_of})")
        table = Table(title=title, title_justify="left", box=box.SIMPLE, show_lines=True)
        for column, width in (("Rule", 24), ("Requires", 22), ("Rationale", 40),
                              ("Source", 26), ("Evidence", 12)):
            table.add_column(column, overflow="fold", max_width=width)
        for criterion in pack.criteria_of(option):
            table.add_row(f"{criterion.id}\n{criterion.title}", criterion_requirement(criterion),
                          criterion.rationale, source_text(criterion),
                          criterion.evidence.replace("_", " "))
        tables.append(table)
    return tables


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
