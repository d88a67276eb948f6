"""The names an option goes by: its id, its name, its short name and its aliases.

People ask for an option the way they know it: ``Adbry``, ``dupixent``, ``allergy
shots``, ``allergen-immunotherapy``. Every name is compared after ``key`` (case folded,
runs of spaces, ``_`` and ``-`` as one space), so each name of a pack must lead to one
option only: ``name_problems`` reports a name two options share when the pack loads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from eligibility.rulepack.model import Option, RulePack

_SEPARATORS = re.compile(r"[\s_-]+")


def key(name: str) -> str:
    """The form names are compared in: 'Allergen_Immunotherapy' -> 'allergen immunotherapy'."""
    return _SEPARATORS.sub(" ", name.casefold()).strip()


def names_of(option: Option) -> Iterator[str]:
    """Every name the option answers to, its id first."""
    yield option.id
    yield option.name
    if option.short_name:
        yield option.short_name
    yield from option.aliases


def name_index(pack: RulePack) -> dict[str, str]:
    """Each compared form of a name -> the id of the option it names (the first, on a clash)."""
    index: dict[str, str] = {}
    for option in pack.options:
        for name in names_of(option):
            index.setdefault(key(name), option.id)
    return index


def name_problems(pack: RulePack) -> list[tuple[str, str]]:
    """(option id, problem) for each name that another option of the pack also uses."""
    owners: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for option in pack.options:
        for name in dict.fromkeys(key(name) for name in names_of(option)):
            owner = owners.setdefault(name, option.id)
            if owner != option.id:
                problems.append((option.id, f"option '{option.id}': name '{name}' is already "
                                            f"a name of option '{owner}'; names (id, name, "
                                            "short_name, aliases) must be unique in a pack, "
                                            "ignoring case"))
    return problems
