"""The command line: parsing and rendering only; every decision comes from ``evaluate``.

Each subcommand lives in its own module with ``register(subparsers)``; the module's
``run(args)`` returns the exit code. ``main`` maps what can go wrong around a command to
the codes the README documents, each with one line on stderr:

====  ==========================================================================
0     success: every profile was evaluated
1     some input was invalid (its records say why; every other one was evaluated)
2     usage error
3     a standard stream failed: the output could not be written (a full disk, a
      closed stdout), or ``-`` was named and stdin is closed; the output is incomplete
4     the tool itself cannot run: the rule engine cannot be imported (the line names
      the command that fixes it) or a ``--jobs`` worker process died
130   interrupted (Ctrl-C); records already written are complete
141   the reader went away (``| head``): stopped quietly, as a Unix filter killed by
      SIGPIPE would (128 + 13)
====  ==========================================================================
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

from eligibility.cli import evaluate_cmd, explain_cmd, rules_cmd, schema_cmd
from eligibility.cli.streams import InputClosedError, OutputError, ReaderGone, guard, silence_stdout
from eligibility.engine.rete import require_core
from eligibility.errors import EngineUnavailableError
from eligibility.services.pool import WorkerError

COMMANDS = (evaluate_cmd, explain_cmd, schema_cmd, rules_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eligibility",
        description="Which immunotherapy options may a patient with atopic dermatitis be a "
                    "candidate for, and why. A decision aid for clinicians, not a prescription.")
    from eligibility import __version__
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
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
    except KeyboardInterrupt:
        _flush_quietly()
        _say("interrupted; records written so far are complete")
        return 130
    except ReaderGone:
        # The reader went away (`| head`): stop quietly, as other Unix tools do.
        silence_stdout()
        return 141
    except (OutputError, InputClosedError) as error:
        silence_stdout()
        _say(f"error: {error}")
        return 3
    except (EngineUnavailableError, WorkerError) as error:
        _flush_quietly()
        _say(f"error: {error}")
        return 4
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
        sys.exit(3)
    sys.exit(main())
