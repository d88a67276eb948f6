"""CSV cells to profile values: the header names the fields, the field registry their kinds.

A spreadsheet cell is text, so each is read by the kind the field registry gives its
field, as strictly as JSON would be: a number as JSON writes one (``16``, ``16.5``, never
``16 years`` or ``16,5``), a boolean as ``true`` or ``false``, a list as entries
separated by ``;`` (``[]`` for none known), anything else as the text it is. An empty
cell is unknown: the field is left out, exactly as in a JSON profile. Nothing is ever
guessed or evaluated (``=1+1`` is text, and not a number). The values then go through
the same ``Profile`` validation as JSON, so the same profile gives the same answer in
either format.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eligibility.errors import Problem, ProfileError
from eligibility.model.fields import PROFILE_FIELDS_OF, RULE_FIELDS
from eligibility.model.profile import PROFILE_FIELDS
from eligibility.safe_text import clip
from eligibility.suggest import did_you_mean

#: A list cell that means "none known" (an empty cell means unknown).
NONE_KNOWN = "[]"
SEPARATOR = ";"
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


class _Bad(ValueError):
    """A cell that is not a value of its field's kind; the message says what would be."""


def _text(cell: str) -> object:
    return cell


def _number(cell: str) -> object:
    if not _NUMBER.fullmatch(cell):
        raise _Bad(f"'{clip(cell)}' is not a number; write digits, with '.' before a "
                   "fraction and no unit (16 or 16.5)")
    if cell.lstrip("-").isdigit():
        try:
            return int(cell)
        except ValueError:  # more digits than Python converts
            raise _Bad(f"'{clip(cell, 20)}' has too many digits for a number") from None
    value = float(cell)
    if not math.isfinite(value):
        raise _Bad(f"'{clip(cell, 20)}' is too large to be a number")
    return value


def _boolean(cell: str) -> object:
    word = cell.lower()  # spreadsheets write TRUE and FALSE
    if word not in ("true", "false"):
        raise _Bad(f"'{clip(cell)}' is not a boolean; write true or false")
    return word == "true"


def _entries(cell: str) -> object:
    if cell == NONE_KNOWN:
        return []
    entries = [entry.strip() for entry in cell.split(SEPARATOR)]
    if "" in entries:
        raise _Bad(f"'{clip(cell)}' has an empty entry: entries are separated by "
                   f"'{SEPARATOR}' (none at either end); write {NONE_KNOWN} when none are known")
    return entries


_READ: dict[str, Callable[[str], object]] = {
    "age": _number, "number": _number, "boolean": _boolean, "list": _entries,
    "category": _text,
}


def _kinds() -> dict[str, Callable[[str], object]]:
    """Each profile field's cell reader, from the registry; fields it does not list are text."""
    kinds: dict[str, Callable[[str], object]] = dict.fromkeys(PROFILE_FIELDS, _text)
    for rule_field, kind in RULE_FIELDS.items():
        for name in PROFILE_FIELDS_OF[rule_field]:
            kinds[name] = _READ.get(kind, _text)
    return kinds


_CELL_READERS = _kinds()


@dataclass(frozen=True)
class Header:
    """The header row: each column's field (``None``: a column without a name, kept empty)."""

    fields: tuple[str | None, ...]

    def profile(self, cells: Sequence[str]) -> dict[str, object]:
        """The profile data of one data row; ``ProfileError`` naming each bad cell's column."""
        if len(cells) < len(self.fields) or any(cell.strip() for cell in cells[len(self.fields):]):
            raise ProfileError(f"the row has {len(cells)} cells where the header has "
                               f"{len(self.fields)}; write an unknown value as an empty cell "
                               "and quote a cell holding a comma")
        data: dict[str, object] = {}
        problems: list[Problem] = []
        within = cells[:len(self.fields)]  # cells past the header's are empty (checked above)
        for number, (field, raw) in enumerate(zip(self.fields, within, strict=True), start=1):
            cell = raw.strip()
            if not cell:
                continue  # unknown: left out, as a missing JSON field
            if field is None:
                problems.append(Problem(f"column {number} has no name in the header but this "
                                        f"row has '{clip(cell)}' in it"))
                continue
            try:
                data[field] = _CELL_READERS[field](cell)
            except _Bad as error:
                problems.append(Problem(f"{field} (column {number}): {error}", field=field))
        if problems:
            raise ProfileError("; ".join(problem.message for problem in problems),
                               field=problems[0].field, problems=problems)
        return data


def read_header(cells: Sequence[str]) -> Header:
    """The header row's fields; ``ProfileError`` naming every column that is not one."""
    names = [cell.strip() for cell in cells]
    problems: list[Problem] = []
    first_column: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        if not name:
            continue
        if name not in _CELL_READERS:
            hint = did_you_mean(name, PROFILE_FIELDS)
            problems.append(Problem(f"column {number} '{clip(name)}': unknown field{hint}",
                                    field=clip(name), suggestion=hint.strip(" ()") or None))
        elif name in first_column:
            problems.append(Problem(f"column {number} '{name}': the same field as column "
                                    f"{first_column[name]}; keep one", field=name))
        else:
            first_column[name] = number
    if problems:
        message = "; ".join(problem.message for problem in problems)
        if len(names) == 1 and SEPARATOR in names[0]:
            message = (f"one column '{clip(names[0])}': CSV columns are separated by ',' "
                       f"(a spreadsheet set to '{SEPARATOR}' as its separator wrote this)")
        elif not first_column:
            message += f"; the first row must name each column's field ({', '.join(PROFILE_FIELDS)})"
        raise ProfileError(f"header row: {message}", field=problems[0].field,
                           suggestion=problems[0].suggestion, problems=problems)
    return Header(tuple(name or None for name in names))


def names_fields(cells: Sequence[str]) -> bool:
    """Whether a row names at least one profile field (so it is a header: CSV it is)."""
    return any(cell.strip() in _CELL_READERS for cell in cells)
