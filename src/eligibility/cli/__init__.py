"""The command line: parsing and rendering only; every decision comes from ``evaluate``.

Each subcommand lives in its own module with ``register(subparsers)``; the module's
``run(args)`` returns the exit code (``status.py``): 0 success, 1 some input was invalid.
``main`` maps what can go wrong around a command to the other codes the README
documents, each with one line on stderr: a ``UsageError`` raised anywhere below is exit
2; a standard stream that failed (output not written, a closed stdin) 3; an engine that
cannot be imported or a ``--jobs`` worker that died 4; Ctrl-C 130; a reader that went
away (``| head``) 141, quietly, as a Unix filter stopped by SIGPIPE (128 + 13).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

from eligibility.cli import (
    evaluate_cmd,
    explain_cmd,
    rules_cmd,
    schema_cmd,
    screen_cmd,
    serve_cmd,
    status,
)
from eligibility.cli.streams import InputClosedError, OutputError, ReaderGone, guard, silence_stdout
from eligibility.cli.version import VersionAction
from eligibility.engine.rete import require_core
from eligibility.errors import EngineUnavailableError, UsageError, WorkerError
from eligibility.safe_text import visible

COMMANDS = (evaluate_cmd, explain_cmd, schema_cmd, rules_cmd, screen_cmd, serve_cmd)


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
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit:  # --help, --version or a usage error: argparse has printed
            sys.stdout.flush()
            raise
        require_core()
        code: int = args.run(args)
        sys.stdout.flush()
    except UsageError as error:
        _flush_quietly()
        # Paths and names in the message may be anyone's text: hidden characters are escaped.
        shown = "\n".join(visible(line) for line in str(error).split("\n"))
        _say(f"error: {shown}")
        return status.USAGE_ERROR
    except KeyboardInterrupt:
        _flush_quietly()
        _say("interrupted; records written so far are complete")
        return status.INTERRUPTED
    except ReaderGone:
        # The reader went away (`| head`): stop quietly, as other Unix tools do.
        silence_stdout()
        return status.READER_GONE
    except (OutputError, InputClosedError) as error:
        silence_stdout()
        _say(f"error: {error}")
        return status.STREAM_FAILED
    except (EngineUnavailableError, WorkerError) as error:
        _flush_quietly()
        _say(f"error: {error}")
        return status.CANNOT_RUN
    return code


def _say(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(f"eligibility: {message}", file=sys.stderr)


def _flush_quietly() -> None:
    try:
        sys.stdout.flush()
    except (OutputError, OSError, ValueError):
        silence_stdout()


def entry_point() -> None:
    problem = guard()
    if problem is not None:
        _say(f"error: {problem}")
        sys.exit(status.STREAM_FAILED)
    sys.exit(main())
