"""``eligibility explain PATH... [--option NAME] [--format text|json|jsonl] [-o FILE]``."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from eligibility.cli import status
from eligibility.cli.common import (
    add_format_option,
    add_option_filter,
    add_output_options,
    add_paths,
    add_rules_option,
    assessment_date,
    option_labels,
    resolve_pack,
)
from eligibility.cli.input_option import add_input_option, stdin_format
from eligibility.cli.output import output_stream
from eligibility.errors import UsageError
from eligibility.inputs.reader import read_records
from eligibility.render.formats import View, output_format
from eligibility.services.request import input_files, option_ids

FORMATS = ("text", "json", "jsonl")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explain", help="why each option is or is not open, and what would change it",
        description="For each profile, every option's criteria beside the patient's values, "
                    "with rationale and source, and for each option that is not a candidate "
                    "the changes that would make it one, each checked by evaluating again.")
    add_paths(parser)
    add_option_filter(parser)
    add_format_option(parser, FORMATS, "text",
                      "text (default, also when piped); json: the same long form as data "
                      "(eligibility schema --explain); jsonl: one such record per line")
    add_output_options(parser)
    add_input_option(parser)
    add_rules_option(parser, assessed=True)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eligibility.services.explaining import explanations
    pack = resolve_pack(args)
    chosen = option_ids(pack, args.options)
    files = input_files(args.paths)
    day = assessment_date(args)
    records = read_records(files, stdin=stdin_format(args, files), as_of=day)
    fmt = output_format(args.format, reads=("explanations",))
    items: Iterator[Any]
    if fmt.reads == "explanations":
        items = explanations(records, pack.path, chosen, as_of=day)
    else:  # pragma: no cover - output_format only gives what was asked for
        raise UsageError(f"explain does not write --format {fmt.name}")
    with output_stream(args.output) as out:
        ok = fmt.write(items, out, View(options=option_labels(pack, chosen)))
    return status.of(ok)
