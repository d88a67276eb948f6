"""The human view: one rich table per profile, coloured by status, plain when piped."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

STYLE = {"candidate": "bold green", "not_candidate": "bold red", "needs_information": "bold yellow"}
LABEL = {"candidate": "candidate", "not_candidate": "not a candidate",
         "needs_information": "needs information"}


def why_text(option: dict[str, Any]) -> str:
    """A short 'why' for one option: what failed, else what is missing, else all met."""
    reasons = option["reasons"]
    failed = [r for r in reasons if r["outcome"] == "not_met"]
    if failed:
        return "; ".join(f"{r['requirement']} (patient: {r['patient_value']})" for r in failed)
    if option["status"] == "needs_information":
        return "missing: " + ", ".join(option["missing_fields"])
    return f"all {len(reasons)} criteria met"


def render_record(console: Console, record: dict[str, Any]) -> None:
    title = str(record["profile"])
    if record["profile"] != record["source"]:
        title += f"  ({record['source']})"
    if "error" in record:
        error = record["error"]
        field = f" [field: {error['field']}]" if error.get("field") else ""
        console.print(Text(f"{record['source']}: error: {error['message']}{field}", style="red"))
        return
    plain = not console.is_terminal or console.no_color
    table = Table(title=title, title_justify="left", box=box.SIMPLE if plain else box.ROUNDED,
                  show_lines=False, expand=False)
    table.add_column("Option", max_width=26)
    table.add_column("Status", no_wrap=True)
    table.add_column("Why", overflow="fold")
    for option in record["options"]:
        table.add_row(option["name"], Text(LABEL[option["status"]], style=STYLE[option["status"]]),
                      why_text(option))
    console.print(table)


def render_footer(console: Console, record: dict[str, Any] | None) -> None:
    """The pack and the general notes, once per run rather than once per profile."""
    if record is None or "rule_pack" not in record:
        return
    pack = record["rule_pack"]
    console.print(Text(f"Rule pack {pack['name']} {pack['version']} (knowledge as of {pack['as_of']}).",
                       style="dim"))
    for note in record["notes"]:
        console.print(Text(f"- {note['text']}", style="dim"))
