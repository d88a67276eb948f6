"""``rules diff``: which rules differ between two packs, and whose status changes.

Over profiles given, each is evaluated with both packs; over none, the boundary profiles
(every combination of the classes both packs' thresholds split each field into) are
read from the rules alone (``rulepack.diff``). The report is plain data: the JSON
output as it is, and what ``render.rules.diff_text`` shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eligibility.engine.evaluation import evaluate
from eligibility.errors import EligibilityError
from eligibility.inputs.reader import read_records
from eligibility.rulepack.diff import boundary_changes, rule_changes
from eligibility.rulepack.model import RulePack
from eligibility.services.request import input_files


def diff_report(old: RulePack, new: RulePack,
                profile_paths: Sequence[str]) -> tuple[dict[str, Any], bool]:
    """The diff as plain data (also the JSON output) and whether every profile was valid.

    Raises ``UsageError`` for a profile path that cannot be read at all.
    """
    report: dict[str, Any] = {
        "from": _pack_ref(old), "to": _pack_ref(new),
        "rules": [{"option": c.option, "change": c.change, "rule": c.rule, "details": c.details}
                  for c in rule_changes(old, new)]}
    ok = True
    if profile_paths:
        report["profiles"], ok = _profile_changes(old, new, profile_paths)
    else:
        report["boundary"] = [
            {"option": c.option, "from": c.before, "to": c.after, "count": c.count,
             "of": c.total, "who": c.who} for c in boundary_changes(old, new)]
    return report, ok


def _pack_ref(pack: RulePack) -> dict[str, str]:
    return {"name": pack.name, "version": pack.info.version, "as_of": str(pack.info.as_of)}


def _profile_changes(old: RulePack, new: RulePack,
                     paths: Sequence[str]) -> tuple[list[dict[str, Any]], bool]:
    files = input_files(paths)
    rows: list[dict[str, Any]] = []
    ok = True
    for record in read_records(files):
        row: dict[str, Any] = {"source": record.source}
        try:
            if record.error is not None:
                raise record.error
            before = evaluate(record.payload, rules=old)  # type: ignore[arg-type]
            after = evaluate(record.payload, rules=new)  # type: ignore[arg-type]
        except EligibilityError as error:
            ok = False
            row["error"] = str(error)
            rows.append(row)
            continue
        row["profile"] = before.profile or record.source
        row["changes"] = [{"option": option_id, "from": was, "to": now}
                          for option_id, was in before.statuses().items()
                          if (now := after.statuses().get(option_id, "absent")) != was]
        rows.append(row)
    return rows, ok
