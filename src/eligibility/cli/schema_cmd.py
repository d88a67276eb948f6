"""``eligibility schema [--output]``: the JSON Schema of the profile or of the output."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("schema", help="print the JSON Schema of the input profile",
                                   description="Print the JSON Schema of a profile, or with "
                                               "--output of one output line (JSON Lines record).")
    parser.add_argument("--output", action="store_true",
                        help="the schema of an output record (evaluated or error) instead")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.output:
        from eligibility.render.record import output_schema
        schema = output_schema()
    else:
        from eligibility.model.profile import Profile
        schema = Profile.model_json_schema()
    print(json.dumps(schema, indent=2, sort_keys=True))
    return 0
