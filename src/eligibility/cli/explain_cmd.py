"""``eligibility explain PATH... [--option ID] [--format text|json]``: the long form."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from eligibility.cli import status
from eligibility.cli.common import add_rules_option, resolve_pack
from eligibility.errors import UsageError
from eligibility.inputs.reader import read_records
from eligibility.render.formats import output_format
from eligibility.services.request import input_files, option_id

FORMATS = ("text", "json")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explain", help="why each option is or is not open, and what would change it",
        description="For each profile, every option's criteria beside the patient's values, "
                    "with rationale and source, and for each option that is not a candidate "
                    "the changes that would make it one, each checked by evaluating again. "
                    "PATH is as for evaluate.")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--option", metavar="ID", default=None,
                        help="explain only this option (e.g. tralokinumab)")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text (default, also when piped) or the JSON records")
    add_rules_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eligibility.services.explaining import explained_chunks, explanations
    pack = resolve_pack(args)
    option = option_id(pack, args.option)
    records = read_records(input_files(args.paths))
    fmt = output_format(args.format)
    items: Iterator[Any]
    if fmt.reads == "chunks":
        items = explained_chunks(records, pack.path, option)
    elif fmt.reads == "explanations":
        items = explanations(records, pack.path, option)
    else:
        raise UsageError(f"explain does not write --format {fmt.name}")
    return status.of(fmt.write(items, sys.stdout))
