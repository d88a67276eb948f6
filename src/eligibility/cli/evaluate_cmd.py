"""``eligibility evaluate PATH... [--format text|json|jsonl|csv] [--option NAME] [-o FILE]``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Generator, Iterator
from contextlib import closing
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
from eligibility.cli.progress import Tally, report, show_progress, watched
from eligibility.collector import batch_collector
from eligibility.errors import UsageError
from eligibility.inputs.reader import InputRecord, line_blocks, read_records
from eligibility.render.brief import DETAILS, Detail
from eligibility.render.formats import Reads, View, output_format
from eligibility.rulepack.model import RulePack
from eligibility.services.batch import (
    CHUNK,
    assess_blocks,
    assess_chunks,
    assess_decisions,
    assess_outcomes,
)
from eligibility.services.request import input_files, option_ids

FORMATS = ("text", "json", "jsonl", "csv")
#: What evaluate can hand a format, in the order a name is looked up in.
READS: tuple[Reads, ...] = ("chunks", "decisions", "outcomes")
#: The format ``-o FILE`` implies by its suffix when --format is not given.
BY_SUFFIX = {".json": "json", ".jsonl": "jsonl", ".csv": "csv", ".txt": "text"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="assess profiles against the rules",
        description="Assess each profile: every option with its status and reasons. With "
                    "more than one profile, text is an overview: a row per patient, a "
                    "column per option.")
    add_paths(parser)
    add_format_option(parser, FORMATS, None,
                      "text (table is the same) on a terminal, jsonl otherwise; with -o, "
                      "what FILE's suffix says (.csv, .json, .jsonl, .txt)")
    add_option_filter(parser)
    add_output_options(parser)
    parser.add_argument("--detail", choices=DETAILS, default=None,
                        help="brief: what was decided, the pack's texts by id (rules show "
                             "--format json gives them); full: self-contained records. "
                             "Default: brief for jsonl and csv, full for json and text")
    parser.add_argument("--jobs", type=_positive, default=1, metavar="N",
                        help="processes that decide: this one and N-1 workers (output is "
                             "identical for any N)")
    add_input_option(parser)
    add_rules_option(parser, assessed=True)
    parser.set_defaults(run=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("choose between 1 and 64")
    return value


def default_format(args: argparse.Namespace) -> str:
    """--format, else what -o FILE's suffix says, else text on a terminal, jsonl otherwise."""
    if args.format is not None:
        return str(args.format)
    if args.output not in (None, "-"):
        suffix = str(args.output).lower().rpartition(".")[2]
        return BY_SUFFIX.get(f".{suffix}", "jsonl")
    return "text" if sys.stdout.isatty() else "jsonl"


def detail_of(args: argparse.Namespace, fmt: str) -> Detail:
    """--detail, else brief for jsonl and csv and full for json and text; a detail the
    format has not is a usage error (csv and text have one level each)."""
    detail: Detail = args.detail or ("brief" if fmt in ("jsonl", "csv") else "full")
    only = {"csv": "brief", "text": "full"}.get(fmt)
    if only is not None and detail != only:
        raise UsageError(f"--format {fmt} has one level of detail ({only}); for {detail} "
                         f"records use --format jsonl --detail {detail}")
    return detail


def run(args: argparse.Namespace) -> int:
    pack = resolve_pack(args)
    chosen = option_ids(pack, args.options)
    files = input_files(args.paths)
    fmt = output_format(default_format(args), reads=READS)
    detail = detail_of(args, fmt.name)
    view = View(options=option_labels(pack, chosen))
    day = assessment_date(args)
    # The collector tuned for the batch, put back when the command ends (collector.py).
    with batch_collector():
        # Workers read a JSON Lines file's lines themselves: this process only forwards them.
        blocks = line_blocks(files, CHUNK, as_of=day) if fmt.reads == "chunks" and args.jobs > 1 \
            else None
        assessed: Generator[Any, None, None]
        if blocks is not None:
            assessed = assess_blocks(blocks, rules=pack, jobs=args.jobs, options=chosen,
                                     detail=detail, as_of=day)
        else:
            assessed = _assessed(fmt.reads, read_records(files, pauses=True,
                                                         stdin=stdin_format(args, files), as_of=day),
                                 pack, args.jobs, chosen, detail, day)
        tally = Tally()
        items = watched(assessed, tally, progress=show_progress(args.output, quiet=args.quiet))
        # closing: whatever stops the writing (a full disk, Ctrl-C) ends the workers now.
        with closing(assessed), output_stream(args.output) as out:
            ok = fmt.write(items, out, view)
        report(tally, view.options, quiet=args.quiet)
        return status.of(ok)


def _assessed(reads: str, records: Iterator[InputRecord], pack: RulePack, jobs: int,
              chosen: tuple[str, ...] | None, detail: Detail,
              day: dt.date) -> Generator[Any, None, None]:
    if reads == "chunks":
        # The pack by value: what --jobs workers decide with is the pack checked here.
        return assess_chunks(records, rules=pack, jobs=jobs, options=chosen, detail=detail,
                             as_of=day)
    if reads == "decisions":
        return assess_decisions(records, rules=pack, jobs=jobs, options=chosen, as_of=day)
    if reads == "outcomes":
        return assess_outcomes(records, rules=pack, jobs=jobs, options=chosen, as_of=day)
    raise UsageError(f"evaluate does not write --format {reads}")  # pragma: no cover


