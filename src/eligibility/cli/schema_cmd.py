"""``eligibility schema [--output | --explain]``: the JSON Schema of what goes in or out."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schema", help="print the JSON Schema of a profile, an output record or an explanation",
        description="Print the JSON Schema of a profile (the input), or with --output of "
                    "one evaluate record (JSON Lines), or with --explain of one explain "
                    "--format json item.")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--output", action="store_true",
                       help="the schema of an evaluate record (evaluated or error) instead")
    which.add_argument("--explain", action="store_true",
                       help="the schema of an explain --format json item instead")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.output:
        from eligibility.render.record import output_schema
        schema = output_schema()
    elif args.explain:
        from eligibility.render.explain_record import explanation_schema
        schema = explanation_schema()
    else:
        from eligibility.model.profile import Profile
        schema = Profile.model_json_schema()
    print(json.dumps(schema, indent=2, sort_keys=True))
    return 0
