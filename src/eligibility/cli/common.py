"""Options and messages shared by subcommands."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from eligibility.rulepack.catalog import newer_than
from eligibility.rulepack.loader import DEFAULT_PACK
from eligibility.rulepack.model import RulePack
from eligibility.services.request import chosen_pack


def add_rules_option(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--rules", default=None, metavar="PACK",
                       help=f"rule pack name or folder (default: {DEFAULT_PACK})")
    group.add_argument("--as-of", default=None, type=_date, metavar="DATE", dest="as_of",
                       help="use the newest shipped pack whose knowledge is dated on or "
                            "before DATE (YYYY-MM-DD)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def resolve_pack(args: argparse.Namespace) -> RulePack:
    """The pack ``--rules``/``--as-of`` choose (``UsageError`` when it cannot be used).

    The one place a command picks its pack: ``--rules``, else ``--as-of``, else the
    default. When the default was used and newer knowledge ships, one line on stderr says so.
    """
    rules, as_of = getattr(args, "rules", None), getattr(args, "as_of", None)
    pack = chosen_pack(rules, as_of)
    if rules is None and as_of is None:
        newer = newer_than(pack)
        if newer is not None:
            print(f"eligibility: note: using the default rule pack {pack.name} (as of "
                  f"{pack.info.as_of}); a newer pack ships: {newer.name} (as of "
                  f"{newer.info.as_of}), chosen with --rules {newer.name}", file=sys.stderr)
    return pack
