"""The human view: one rich table per profile, coloured by status, plain when piped.

Text from input (ids, file names, values) is shown with hidden characters escaped
(``safe_text.visible``) and always as ``rich.text.Text``: markup in it is text, not style.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from eligibility.rulepack.wording import months_text
from eligibility.safe_text import visible

STYLE = {"candidate": "bold green", "not_candidate": "bold red", "needs_information": "bold yellow"}
LABEL = {"candidate": "candidate", "not_candidate": "not a candidate",
         "needs_information": "needs information"}


def why_text(option: dict[str, Any]) -> str:
    """A short 'why not': the blocking criterion with the smallest change, and that change.

    Candidates say all criteria are met; ``explain`` is the long form of the rest.
    """
    reasons = option["reasons"]
    if option["status"] == "candidate":
        return f"all {len(reasons)} criteria met"
    if option["status"] == "needs_information":
        return "missing: " + ", ".join(option["missing_fields"])
    failed = {r["criterion"]: r for r in reasons if r["outcome"] == "not_met"}
    blocking = sum(1 for r in reasons if r["outcome"] != "met")
    changes = [c for c in option.get("counterfactuals", []) if c["criterion"] in failed]
    first = failed[changes[0]["criterion"]] if changes else next(iter(failed.values()))
    text = f"{first['requirement']}; is {first['patient_value']}"
    if changes and changes[0]["kind"] == "wait":
        text += f"; met in {months_text(changes[0]['wait_months'])}"
    elif changes and changes[0]["kind"] == "never":
        text += "; can no longer be met"
    if blocking > 1:
        text += f"; +{blocking - 1} more"
    return text


def render_record(console: Console, record: dict[str, Any]) -> None:
    title = str(record["profile"])
    if record["profile"] != record["source"]:
        title += f"  ({record['source']})"
    if "error" in record:
        error = record["error"]
        field = f" [field: {error['field']}]" if error.get("field") else ""
        console.print(Text(visible(f"{record['source']}: error: {error['message']}{field}"),
                           style="red"))
        return
    plain = not console.is_terminal or console.no_color
    table = Table(title=Text(visible(title)), title_justify="left", box=box.SIMPLE if plain else box.ROUNDED,
                  show_lines=False, expand=False)
    table.add_column("Option", max_width=26)
    table.add_column("Status", no_wrap=True)
    table.add_column("Why (not)", overflow="fold")
    for option in record["options"]:
        table.add_row(Text(visible(option["name"])),
                      Text(LABEL[option["status"]], style=STYLE[option["status"]]),
                      Text(visible(why_text(option))))
    console.print(table)


def render_footer(console: Console, record: dict[str, Any] | None) -> None:
    """The pack and the general notes, once per run rather than once per profile."""
    if record is None or "rule_pack" not in record:
        return
    pack = record["rule_pack"]
    console.print(Text(visible(f"Rule pack {pack['name']} {pack['version']} "
                               f"(knowledge as of {pack['as_of']})."), style="dim"))
    for note in record["notes"]:
        console.print(Text(visible(f"- {note['text']}"), style="dim"))
