"""A decision table a clinician can review: one row per option, one column per criterion kind.

Criteria are grouped into columns by the profile fields they read (an ``any_of`` over two
fields gets a column of its own), so the same question sits in the same column for every
option; each cell names the rule ids behind it, so the table leads back to the rules. The
table is derived from the rule files alone: the README embeds the default pack's, and a
test regenerates it to keep the two in sync. Titles, column order and cell wording come
from the field registry.
"""

from __future__ import annotations

import csv
import io

from eligibility.model.fields import FIELDS
from eligibility.rulepack.model import Criterion, RulePack
from eligibility.rulepack.wording import cell_text

NONE = "—"


def _column(criterion: Criterion) -> tuple[str, ...]:
    return tuple(criterion.fields)


def _criterion_cell(criterion: Criterion) -> str:
    many = len(criterion.fields) > 1
    parts = [cell_text(test, with_field=many) for test in criterion.tests]
    return f"{', or '.join(parts) if many else ' or '.join(parts)} ({criterion.id})"


def decision_rows(pack: RulePack) -> tuple[list[str], list[list[str]]]:
    """The header and one row per option, in the pack's option order."""
    columns: list[tuple[str, ...]] = []
    for criterion in (c for option in pack.options for c in pack.criteria_of(option)):
        if _column(criterion) not in columns:
            columns.append(_column(criterion))
    order = list(FIELDS)
    columns.sort(key=lambda column: (min(order.index(f) for f in column), len(column)))
    header = ["Option", "Evidence", *(_title(column) for column in columns), "Sources"]
    rows = []
    for option in pack.options:
        cells = []
        criteria = pack.criteria_of(option)
        for column in columns:
            here = [_criterion_cell(c) for c in criteria if _column(c) == column]
            cells.append("; and ".join(here) if here else NONE)
        documents = list(dict.fromkeys(c.source.document for c in criteria))
        rows.append([option.name, option.evidence.replace("_", " "), *cells, ", ".join(documents)])
    return header, rows


def _title(column: tuple[str, ...]) -> str:
    titles = [FIELDS[field].title for field in column]
    return " or ".join([titles[0], *(title.lower() for title in titles[1:])])


def markdown_table(pack: RulePack) -> str:
    header, rows = decision_rows(pack)
    lines = [_md_row(header), "|" + "---|" * len(header)]
    lines += [_md_row(row) for row in rows]
    return "\n".join(lines) + "\n"


def csv_table(pack: RulePack) -> str:
    header, rows = decision_rows(pack)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
