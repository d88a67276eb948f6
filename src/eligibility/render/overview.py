"""The batch overview: a row per patient, a column per option, a short status word each.

A clinic's list has thousands of patients: one table each is unreadable and slow (rich
measures every cell of every row), so the rows are laid out here at fixed widths, as
plain strings, and stream as they come. The status is always a word (colour only adds
to it): ``yes``, ``no``, ``needs info``; an investigational option is marked ``*`` in its
heading and a candidate for it reads ``trial?``: a candidate for a clinical trial, whose
protocol decides. The footer counts each status per option; invalid records are rows
marked ``invalid`` and listed in full after it. ``explain`` is the long form.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from eligibility.model.assessment import Status
from eligibility.render.record import ErrorRecord
from eligibility.render.wire import Decided, Evaluated, Frame, Outcome
from eligibility.safe_text import visible

WORD: dict[Status, str] = {"candidate": "yes", "not_candidate": "no",
                           "needs_information": "needs info"}
TRIAL = "trial?"
MARK = "*"
INVALID = "invalid"
#: SGR colours of each word, used only when the output is a colour terminal.
COLOUR = {"yes": "32", "no": "31", "needs info": "33", TRIAL: "36", INVALID: "1;31"}
GAP = "  "
PATIENT_WIDTH = (10, 28)
#: Invalid records listed in full after the footer; the rest are counted.
MAX_LISTED = 100
LEGEND = ("yes: candidate · no: not a candidate · needs info: a missing field decides "
          "(eligibility explain says which)")
TRIAL_LEGEND = (f"{MARK} in clinical trials (investigational): {TRIAL} means a candidate for "
                "a trial, whose protocol decides; it is counted with yes")


@dataclass(frozen=True)
class Column:
    """One option's column: its id, its heading (short name, marked when a trial) and width."""

    id: str
    heading: str
    trial: bool
    width: int


def columns_of(options: Sequence[tuple[str, str, bool]]) -> list[Column]:
    """Columns for (id, short name, investigational) triples, in the pack's order."""
    found = []
    for option_id, name, trial in options:
        heading = visible(name) + (MARK if trial else "")
        width = max(cell_len(heading), *(len(word) for word in WORD.values()))
        found.append(Column(option_id, heading, trial, width))
    return found


def columns_from(frame: Frame) -> list[Column]:
    """Columns when no short names were given: the option names of the first answer."""
    return columns_of([(option.id, option.name.split(" (")[0], option.evidence == "investigational")
                       for option in frame.options])


class Overview:
    """Lays out the overview's lines for a given width; counts as rows are made."""

    def __init__(self, columns: Sequence[Column], width: int, *, colour: bool) -> None:
        self.columns = list(columns)
        used = sum(len(GAP) + column.width for column in self.columns)
        low, high = PATIENT_WIDTH
        self.patient = max(low, min(high, width - used))
        self.colour = colour
        self.counts = {column.id: Counter[Status]() for column in self.columns}
        self.invalid: list[ErrorRecord] = []
        self.invalid_count = 0
        self.rows = 0
        self._cells = {(column.id, status): self._cell(self._word(column, status), column.width)
                       for column in self.columns for status in WORD}

    @property
    def line_width(self) -> int:
        return self.patient + sum(len(GAP) + column.width for column in self.columns)

    def header(self) -> list[str]:
        cells = [_fit("Patient", self.patient)]
        cells += [_fit(column.heading, column.width) for column in self.columns]
        return [GAP.join(cells).rstrip(), "─" * self.line_width]

    def row(self, outcome: Decided | Outcome) -> str:
        self.rows += 1
        if isinstance(outcome, Evaluated):
            outcome = Decided.of(outcome)
        if isinstance(outcome, Decided):
            return self._decided(outcome)
        self.invalid_count += 1
        if len(self.invalid) < MAX_LISTED:
            self.invalid.append(outcome)
        rest = self.line_width - self.patient - len(GAP) - len(INVALID) - 2
        message = _fit(visible(" ".join(outcome.error.message.split())), max(rest, 1)).rstrip()
        return (f"{self._patient(outcome.profile, outcome.source)}{GAP}"
                f"{self._paint(INVALID)}: {message}")

    def _decided(self, decided: Decided) -> str:
        statuses = dict(zip(decided.frame.ids, decided.statuses, strict=True))
        cells = [self._patient(decided.profile or decided.source, decided.source)]
        for column in self.columns:
            status = statuses.get(column.id)
            if status is None:
                cells.append(" " * column.width)
                continue
            self.counts[column.id][status] += 1
            cells.append(self._cells[(column.id, status)])
        return GAP.join(cells).rstrip()

    def footer(self) -> list[str]:
        """The counts per option and status, the invalid records, and the legend."""
        lines = ["─" * self.line_width]
        for status, word in WORD.items():
            label = f"{word}/{TRIAL}" if status == "candidate" and self._trials() else word
            cells = [_fit(label, self.patient)]
            cells += [_fit(f"{self.counts[column.id][status]:,}", column.width)
                      for column in self.columns]
            lines.append(GAP.join(cells).rstrip())
        total = f"{self.rows:,} record{'s' if self.rows != 1 else ''}"
        if self.invalid_count:
            total += f", {self.invalid_count:,} {self._paint(INVALID)} (listed below)"
        lines.append(total)
        lines.append("")
        width = max(self.line_width, 40)
        lines += textwrap.wrap(LEGEND, width)
        if self._trials():
            lines += textwrap.wrap(TRIAL_LEGEND, width)
        return lines

    def _patient(self, name: str, source: str) -> str:
        """The patient's id; without one, its FILE:LINE, cut on the left to keep the line.
        Hidden characters in either are shown as escapes (``safe_text.visible``)."""
        name, source = visible(name), visible(source)
        if name == source and cell_len(name) > self.patient:
            kept = ""
            for char in reversed(name):
                if cell_len(char + kept) >= self.patient:
                    break
                kept = char + kept
            return set_cell_size("…" + kept, self.patient)
        return _fit(name, self.patient)

    def _trials(self) -> bool:
        return any(column.trial for column in self.columns)

    def _word(self, column: Column, status: Status) -> str:
        return TRIAL if column.trial and status == "candidate" else WORD[status]

    def _cell(self, word: str, width: int) -> str:
        return self._paint(word) + " " * (width - len(word))

    def _paint(self, word: str) -> str:
        return f"\x1b[{COLOUR[word]}m{word}\x1b[0m" if self.colour else word


def _fit(text: str, width: int) -> str:
    """``text`` padded to ``width`` cells, or cut with '…' when longer."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"
