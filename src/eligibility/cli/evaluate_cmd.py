"""``eligibility evaluate PATH... [--format table|json|jsonl] [--jobs N]``."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Generator, Iterator
from contextlib import closing
from typing import Any

from eligibility.cli import status
from eligibility.cli.common import add_rules_option, resolve_pack
from eligibility.cli.progress import with_progress
from eligibility.errors import UsageError
from eligibility.inputs.reader import read_records
from eligibility.render.formats import output_format
from eligibility.services.batch import assess_chunks, assess_outcomes
from eligibility.services.request import input_files

FORMATS = ("table", "json", "jsonl")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="assess profiles against the rules",
        description="Assess each profile: every option with its status and reasons. "
                    "PATH is a .json file (one profile), a .jsonl file (one per line), a "
                    "folder of them, or - for JSON Lines on stdin.")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="table on a terminal, jsonl otherwise")
    parser.add_argument("--jobs", type=_positive, default=1, metavar="N",
                        help="worker processes (output is identical for any N)")
    add_rules_option(parser)
    parser.set_defaults(run=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("choose between 1 and 64")
    return value


def run(args: argparse.Namespace) -> int:
    rules = resolve_pack(args).path
    files = input_files(args.paths)
    fmt = output_format(args.format or ("table" if sys.stdout.isatty() else "jsonl"))
    _tune_collector()
    records = read_records(files, pauses=True)
    assessed: Generator[Any, None, None]
    items: Iterator[Any]
    if fmt.reads == "chunks":
        assessed = assess_chunks(records, rules=rules, jobs=args.jobs)
        items = with_progress(assessed, enabled=sys.stderr.isatty())
    elif fmt.reads == "outcomes":
        items = assessed = assess_outcomes(records, rules=rules, jobs=args.jobs)
    else:
        raise UsageError(f"evaluate does not write --format {fmt.name}")
    # closing: whatever stops the writing (a full disk, Ctrl-C) ends the workers now.
    with closing(assessed):
        return status.of(fmt.write(items, sys.stdout))


def _tune_collector() -> None:
    """Fewer garbage-collector passes for a batch: measured ~12% faster on 100k profiles.

    A batch makes many short-lived objects and keeps caches of long-lived ones, which the
    default thresholds re-scan over and over. Only the CLI does this: the process is ours.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
