"""Options and messages shared by subcommands."""

from __future__ import annotations

import argparse
import sys

from ..errors import RulePackError
from ..rulepack.loader import DEFAULT_PACK, load_pack


def add_rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", default=DEFAULT_PACK, metavar="PACK",
                        help=f"rule pack name or folder (default: {DEFAULT_PACK})")


def resolve_rules(args: argparse.Namespace) -> str | int:
    """The pack's folder, checked to load; or exit code 2 with the problems printed."""
    try:
        pack = load_pack(args.rules)
    except RulePackError as error:
        return fail_usage(f"rule pack {args.rules!r} cannot be used:\n{error}")
    return pack.path


def fail_usage(message: str) -> int:
    print(f"eligibility: error: {message}", file=sys.stderr)
    return 2
