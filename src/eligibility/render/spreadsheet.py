"""``--format csv``: a row per patient that opens cleanly in a spreadsheet.

Columns: ``profile`` and ``source`` (``FILE:LINE``), then for each option its status
(``candidate``, ``not_candidate``, ``needs_information``) under its id, the status in
words under ``<id>_status_text`` (a trial option reads "may be eligible for a clinical
trial", never a bare "candidate") and the profile fields that would decide it under
``<id>_missing`` (``;`` between them), then ``not_considered`` (given fields no rule of
the pack reads), ``newer_pack`` (a shipped pack with later knowledge, "NAME (as of
DATE)"), ``as_of`` (the date the assessment is for), ``age`` (the age the decision used,
in words: "between 17 years 5 months 1 day and 18 years 5 months"; empty when unknown)
and ``error`` for a record that could not be evaluated (its other cells are empty).

The dialect is RFC 4180 as the standard library writes it: a header row, commas, CRLF
line ends, fields quoted when they hold a comma, quote or line break, quotes doubled;
UTF-8 with a byte-order mark, so spreadsheet programs read accents right. A cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read as a
formula by a spreadsheet (a profile id of ``=HYPERLINK(...)``): it gets a leading ``'``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from eligibility.render.record import ErrorRecord
from eligibility.render.wire import Decided, Evaluated, Outcome

BOM = "\ufeff"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """The cell as a spreadsheet shows it, never as a formula it would run."""
    return "'" + text if text.startswith(_FORMULA) else text


def header(options: Sequence[str]) -> list[str]:
    cells = ["profile", "source"]
    for option in options:
        cells += [option, f"{option}_status_text", f"{option}_missing"]
    return [*cells, "not_considered", "newer_pack", "as_of", "age_used", "error"]


def row(outcome: Decided | Outcome, options: Sequence[str]) -> list[str]:
    """One outcome's cells, in the order of ``header(options)``: only what was decided
    (a full outcome is read as its ``Decided``)."""
    if isinstance(outcome, ErrorRecord):
        return [outcome.profile, outcome.source, *[""] * (3 * len(options) + 4),
                outcome.error.message]
    decided = Decided.of(outcome) if isinstance(outcome, Evaluated) else outcome
    frame = decided.frame
    by_id = {option.id: (option, status, missing) for option, status, missing
             in zip(frame.options, decided.statuses, decided.missing, strict=True)}
    cells = [decided.profile or decided.source, decided.source]
    for option_id in options:
        found = by_id.get(option_id)
        if found is None:
            cells += ["", "", ""]
            continue
        option, status, missing = found
        cells += [status, option.status_text(status), ";".join(missing)]
    newer = frame.rule_pack.newer
    return [*cells, ";".join(decided.not_considered),
            "" if newer is None else f"{newer.name} (as of {newer.as_of})",
            "" if decided.as_of is None else decided.as_of.isoformat(),
            "" if decided.age_used is None else decided.age_used.text, ""]


def write_csv(outcomes: Iterable[Decided | Outcome], out: TextIO,
              options: Sequence[str] = ()) -> bool:
    """Every outcome as a row; ``options`` are the option ids, in column order (empty:
    those of the first evaluated record). Returns whether every record was a success."""
    writer = csv.writer(out, lineterminator="\r\n")
    columns = list(options)
    waiting: list[Decided | Outcome] = []
    ok = True
    started = False
    for outcome in outcomes:
        ok = ok and not isinstance(outcome, ErrorRecord)
        if not started:
            if not columns:
                if isinstance(outcome, ErrorRecord):
                    waiting.append(outcome)
                    continue
                decided = Decided.of(outcome) if isinstance(outcome, Evaluated) else outcome
                columns = list(decided.frame.ids)
            started = _start(writer, out, columns, waiting)
        writer.writerow([safe_cell(cell) for cell in row(outcome, columns)])
    if not started:
        _start(writer, out, columns, waiting)
    return ok


def _start(writer: Any, out: TextIO, columns: list[str], waiting: list[Decided | Outcome]) -> bool:
    out.write(BOM)
    writer.writerow(header(columns))
    for early in waiting:
        writer.writerow([safe_cell(cell) for cell in row(early, columns)])
    return True
