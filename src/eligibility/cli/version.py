"""``eligibility --version``: the tool, every shipped rule pack and the engine, by version.

An answer depends on all three, so a bug report or an audit note needs all three.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from eligibility.errors import RulePackError
from eligibility.rulepack.loader import DEFAULT_PACK, available_packs

ENGINE = "durable_rules"


def version_text() -> str:
    from eligibility import __version__
    lines = [f"eligibility {__version__}"]
    try:
        packs = available_packs()
    except RulePackError as error:  # pragma: no cover - the shipped packs are tested
        lines.append(f"rule packs: cannot be read: {error}")
    else:
        for pack in packs:
            default = " (default)" if pack.name == DEFAULT_PACK else ""
            lines.append(f"rule pack {pack.name} {pack.info.version}, knowledge as of "
                         f"{pack.info.as_of}{default}")
    try:
        engine = metadata.version(ENGINE)
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency
        engine = "not installed"
    lines.append(f"engine durable-rules {engine}")
    return "\n".join(lines)


class VersionAction(argparse.Action):
    """Like argparse's ``version`` action, with the text made only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show the version of the tool, the rule packs and the engine")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(version_text(), file=sys.stdout)
        parser.exit()
