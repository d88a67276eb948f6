"""``--input``: how stdin (``-``) is read. Files are read by what they are, never by this."""

from __future__ import annotations

import argparse

from eligibility.errors import UsageError
from eligibility.inputs.stdin import AUTO, STDIN, choices
from eligibility.suggest import did_you_mean


def add_input_option(parser: argparse.ArgumentParser) -> None:
    names = choices()
    parser.add_argument(
        "--input", type=_choice, default=AUTO, metavar="{" + ",".join(names) + "}",
        help="how stdin (-) is read: auto (default) reads JSON Lines, one JSON document, or "
             "CSV with a header row, whichever its first line shows; the others say which")


def _choice(text: str) -> str:
    name = text.lower()
    if name not in choices():
        raise argparse.ArgumentTypeError(
            f"no input format '{text}'{did_you_mean(name, choices())}; formats: "
            f"{', '.join(choices())}")
    return name


def stdin_format(args: argparse.Namespace, files: list[str]) -> str:
    """``--input``, checked: naming a format is a usage error unless stdin is read."""
    chosen = str(getattr(args, "input", AUTO))
    if chosen != AUTO and STDIN not in files:
        raise UsageError(f"--input {chosen} says how stdin (-) is read, and no PATH is -; "
                         "files are read by their suffix (.json, .jsonl, .csv)")
    return chosen
