"""The command line: parsing and rendering only; every decision comes from ``evaluate``.

Each subcommand lives in its own module with ``register(subparsers)``; the module's
``run(args)`` returns the exit code (``status.py``): 0 success, 1 some input was invalid.
A ``UsageError`` raised anywhere below is reported here, once, as exit 2; Ctrl-C as 130.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from eligibility.cli import evaluate_cmd, explain_cmd, rules_cmd, schema_cmd, status
from eligibility.cli.version import VersionAction
from eligibility.errors import UsageError
from eligibility.safe_text import visible

COMMANDS = (evaluate_cmd, explain_cmd, schema_cmd, rules_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eligibility",
        description="Which immunotherapy options may a patient with atopic dermatitis be a "
                    "candidate for, and why. A decision aid for clinicians, not a prescription.")
    parser.add_argument("--version", action=VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                       help="what to do (eligibility COMMAND --help for each)")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except UsageError as error:
        _flush_quietly()
        # Paths and names in the message may be anyone's text: hidden characters are escaped.
        shown = "\n".join(visible(line) for line in str(error).split("\n"))
        print(f"eligibility: error: {shown}", file=sys.stderr)
        return status.USAGE_ERROR
    except KeyboardInterrupt:
        _flush_quietly()
        print("eligibility: interrupted; records written so far are complete", file=sys.stderr)
        return status.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    _flush_quietly()
    return code


def _flush_quietly() -> None:
    with contextlib.suppress(BrokenPipeError, ValueError):
        sys.stdout.flush()


def entry_point() -> None:
    code = main()
    if code == status.INTERRUPTED:
        # Interrupted: output is flushed; with --jobs a pool thread may still be blocked
        # reading stdin, and waiting for it would hang the exit. Leave at once.
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(130)
    sys.exit(code)
