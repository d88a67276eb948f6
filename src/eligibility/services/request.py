"""What a command asks for, checked before anything runs: the pack and the input files.

Each problem is a ``UsageError`` naming what was asked and what would work; the faces
print it and choose the exit status, so a library caller gets the same error and words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from eligibility.errors import RulePackError, UsageError
from eligibility.inputs.reader import InputError, expand_paths
from eligibility.rulepack.catalog import choose_pack
from eligibility.rulepack.loader import load_pack
from eligibility.rulepack.model import RulePack
from eligibility.rulepack.names import key, name_index, names_of
from eligibility.suggest import closest


def chosen_pack(rules: str | Path | None, as_of: dt.date | None) -> RulePack:
    """The pack to use: ``rules`` if given, else the newest dated by ``as_of``, else the
    user's default (whose error already names where it was set)."""
    try:
        return choose_pack(rules, as_of)
    except RulePackError as error:
        if rules is None and as_of is None:
            raise UsageError(str(error)) from error
        chosen = rules if rules is not None else f"--as-of {as_of}"
        raise UsageError(f"rule pack {str(chosen)!r} cannot be used:\n{error}") from error


def named_pack(name_or_path: str | Path) -> RulePack:
    """A pack named outright (as ``rules diff`` takes two)."""
    try:
        return load_pack(name_or_path)
    except RulePackError as error:
        raise UsageError(f"rule pack cannot be used:\n{error}") from error


def input_files(paths: Iterable[str]) -> list[str]:
    """The files to read, in order; a path that cannot be used at all is a usage error."""
    try:
        return expand_paths(paths)
    except InputError as error:
        raise UsageError(str(error)) from error


def option_ids(pack: RulePack, wanted: Sequence[str] | None) -> tuple[str, ...] | None:
    """The ids of the options asked for by any of their names, in pack order, each once.

    ``None`` (nothing asked) means every option. Names are compared ignoring case and
    ``-``/``_``/spaces (``Adbry``, ``DUPIXENT``, ``allergen-immunotherapy``); a name no
    option has is a usage error with the closest name and the pack's options.
    """
    if not wanted:
        return None
    index = name_index(pack)
    chosen = set()
    for name in wanted:
        option = index.get(key(name))
        if option is None:
            spelt = {key(known): known for item in pack.options for known in names_of(item)}
            match = closest(key(name), spelt)
            hint = f" (did you mean '{spelt[match]}'?)" if match else ""
            known = ", ".join(f"{item.id} ({item.label})" if item.label != item.id else item.id
                              for item in pack.options)
            raise UsageError(f"pack {pack.name} has no option '{name}'{hint}; options: {known}")
        chosen.add(option)
    return tuple(option for option in pack.option_ids if option in chosen)
