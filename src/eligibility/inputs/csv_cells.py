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
from eligibility.model.fields import BIRTH_DATE, field_of, profile_fields
from eligibility.model.profile import MAX_PROBLEMS
from eligibility.safe_text import clip
from eligibility.suggest import did_you_mean

#: A list cell that means "none known" (an empty cell means unknown).
NONE_KNOWN = "[]"
SEPARATOR = ";"
#: Profile fields holding a date: text, whatever the kind of the rule field behind them.
DATE_FIELDS = (BIRTH_DATE,)
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


def _reader_of(kind: str) -> Callable[[str], object]:
    if kind in ("age", "number"):
        return _number
    if kind == "boolean":
        return _boolean
    if kind in ("list", "allergy"):  # an allergy list is a list of entries too
        return _entries
    return _text  # a category, checked against its vocabulary by the model


def cell_readers() -> dict[str, Callable[[str], object]]:
    """Each profile field's cell reader, by its kind in the registry (``id``: text).

    Read when a header is, not at import: a field added to the registry is a column.
    """
    readers: dict[str, Callable[[str], object]] = {}
    for name in profile_fields():
        entry = field_of(name)
        # A birth_date stands behind the age but is a date, written as text (2008,
        # 2008-06, 2008-06-01) as in JSON: read as a number, "2008" would be refused.
        readers[name] = _text if entry is None or name in DATE_FIELDS else _reader_of(entry.kind)
    return readers


@dataclass(frozen=True)
class Header:
    """The header row: each column's field (``None``: a column without a name, kept empty)."""

    fields: tuple[str | None, ...]
    readers: tuple[Callable[[str], object] | None, ...]

    def profile(self, cells: Sequence[str]) -> dict[str, object]:
        """The profile data of one data row; ``ProfileError`` naming each bad cell's column."""
        if len(cells) < len(self.fields) or any(cell.strip() for cell in cells[len(self.fields):]):
            raise ProfileError(f"the row has {len(cells)} cells where the header has "
                               f"{len(self.fields)}; write an unknown value as an empty cell "
                               "and quote a cell holding a comma")
        data: dict[str, object] = {}
        problems: list[Problem] = []
        within = cells[:len(self.fields)]  # cells past the header's are empty (checked above)
        columns = zip(self.fields, self.readers, within, strict=True)
        for number, (field, read, raw) in enumerate(columns, start=1):
            cell = raw.strip()
            if not cell:
                continue  # unknown: left out, as a missing JSON field
            if field is None or read is None:
                problems.append(Problem(f"column {number} has no name in the header but this "
                                        f"row has '{clip(cell)}' in it"))
                continue
            try:
                data[field] = read(cell)
            except _Bad as error:
                problems.append(Problem(f"{field} (column {number}): {error}", field=field))
        if problems:
            raise _error("", problems)
        return data


def read_header(cells: Sequence[str]) -> Header:
    """The header row's fields; ``ProfileError`` naming every column that is not one."""
    names = [cell.strip() for cell in cells]
    readers = cell_readers()
    problems: list[Problem] = []
    first_column: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        if not name:
            continue
        if name not in readers:
            hint = did_you_mean(name, tuple(readers))
            problems.append(Problem(f"column {number} '{clip(name)}': unknown field{hint}",
                                    field=clip(name), suggestion=hint.strip(" ()") or None))
        elif name in first_column:
            problems.append(Problem(f"column {number} '{name}': the same field as column "
                                    f"{first_column[name]}; keep one", field=name))
        else:
            first_column[name] = number
    if len(names) == 1 and SEPARATOR in names[0] and problems:
        problems = [Problem(f"one column '{clip(names[0])}': CSV columns are separated by "
                            f"',' (a spreadsheet set to '{SEPARATOR}' as its separator wrote "
                            "this)")]
    elif problems and not first_column:
        problems.append(Problem(f"the first row must name each column's field "
                                f"({', '.join(readers)})"))
    if problems:
        raise _error("header row: ", problems)
    return Header(tuple(name or None for name in names),
                  tuple(readers[name] if name else None for name in names))


def _error(prefix: str, problems: list[Problem]) -> ProfileError:
    """One error for a row's problems: the first ``MAX_PROBLEMS`` listed, the rest counted."""
    shown = problems[:MAX_PROBLEMS]
    message = "; ".join(problem.message for problem in shown)
    if len(problems) > len(shown):
        message += f"; and {len(problems) - len(shown)} more"
    return ProfileError(prefix + message, field=shown[0].field, suggestion=shown[0].suggestion,
                        problems=shown)


def names_fields(cells: Sequence[str]) -> bool:
    """Whether a row names at least one profile field (so it is a header: CSV it is)."""
    known = profile_fields()
    return any(cell.strip() in known for cell in cells)
