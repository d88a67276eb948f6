"""``eligibility evaluate PATH... [--format table|json|jsonl] [--jobs N]``."""

from __future__ import annotations

import argparse
import gc
import sys
from contextlib import closing
from typing import Any

from eligibility.cli.common import add_rules_option, fail_usage, resolve_rules
from eligibility.cli.progress import with_progress
from eligibility.inputs.reader import InputError, expand_paths, read_records
from eligibility.services.batch import assess_all, assess_chunks


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="assess profiles against the rules",
        description="Assess each profile: every option with its status and reasons. "
                    "PATH is a .json file (one profile), a .jsonl file (one per line), a "
                    "folder of them, or - for JSON Lines on stdin.")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--format", choices=("table", "json", "jsonl"), default=None,
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
    rules = resolve_rules(args)
    if isinstance(rules, int):
        return rules
    try:
        files = expand_paths(args.paths)
    except InputError as error:
        return fail_usage(str(error))
    fmt = args.format or ("table" if sys.stdout.isatty() else "jsonl")
    _tune_collector()
    show = fmt != "table" and sys.stderr.isatty()
    if fmt == "jsonl":
        from eligibility.render.json_lines import write_jsonl_chunks
        sys.stdout.flush()
        out = getattr(sys.stdout, "buffer", sys.stdout)  # bytes straight through when we can
        # closing: whatever stops the writing (a full disk, Ctrl-C) ends the workers now.
        with closing(assess_chunks(read_records(files, pauses=True), rules=rules,
                                   jobs=args.jobs)) as chunks:
            ok = write_jsonl_chunks(with_progress(chunks, enabled=show), out)
        return 0 if ok else 1
    with closing(assess_all(read_records(files, pauses=True), rules=rules,
                            jobs=args.jobs)) as assessed:
        records = with_progress(assessed, enabled=show)
        if fmt == "json":
            from eligibility.render.json_lines import write_json_array
            ok = write_json_array(records, sys.stdout)
        else:
            ok = _write_table(records)
    return 0 if ok else 1


def _tune_collector() -> None:
    """Fewer garbage-collector passes for a batch: measured ~12% faster on 100k profiles.

    A batch makes many short-lived objects and keeps caches of long-lived ones, which the
    default thresholds re-scan over and over. Only the CLI does this: the process is ours.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _write_table(records: Any) -> bool:
    from rich.console import Console

    from eligibility.render.table import render_footer, render_record
    console = Console(highlight=False)
    ok = True
    last_good: dict[str, Any] | None = None
    for record in records:
        data = record.data()
        render_record(console, data)
        ok = ok and record.ok
        if record.ok:
            last_good = data
    render_footer(console, last_good)
    return ok
