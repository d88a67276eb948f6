"""What a command asks for, checked before anything runs: the pack and the input files.

Each problem is a ``UsageError`` naming what was asked and what would work; the faces
print it and choose the exit status, so a library caller gets the same error and words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from eligibility.errors import RulePackError, UsageError
from eligibility.inputs.reader import InputError, expand_paths
from eligibility.rulepack.catalog import choose_pack
from eligibility.rulepack.loader import load_pack
from eligibility.rulepack.model import RulePack
from eligibility.suggest import did_you_mean


def chosen_pack(rules: str | Path | None, as_of: dt.date | None) -> RulePack:
    """The pack to use: ``rules`` if given, else the newest dated by ``as_of``, else the default."""
    try:
        return choose_pack(rules, as_of)
    except RulePackError as error:
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


def option_id(pack: RulePack, wanted: str | None) -> str | None:
    """``wanted`` when the pack has that option (or ``None`` for all); else a usage error."""
    if wanted is not None and wanted not in pack.option_ids:
        raise UsageError(f"no option '{wanted}'{did_you_mean(wanted, pack.option_ids)}; "
                         f"options are {', '.join(pack.option_ids)}")
    return wanted
