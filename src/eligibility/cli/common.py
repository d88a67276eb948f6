"""Options and messages shared by subcommands: one spelling and one help text each."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence

from eligibility.render.formats import ALIASES, OptionLabel, canonical
from eligibility.rulepack.catalog import newer_than
from eligibility.rulepack.loader import DEFAULT_PACK
from eligibility.rulepack.model import RulePack
from eligibility.rulepack.preference import ENV_VAR, SHIPPED, default_rules
from eligibility.services.request import chosen_pack
from eligibility.suggest import did_you_mean

_USER_DEFAULT = f"${ENV_VAR}, else the config file's [defaults] rules, else {DEFAULT_PACK}"
PATH_HELP = ("a .json file (one profile), a .jsonl file (one profile per line), a .csv file "
             "(a header row of field names, then one profile per row), a FHIR R4 Bundle "
             ".json, FHIR Bulk Data .ndjson/.ndjson.gz files (read together as one export), "
             "a folder of them, or - for stdin (see --input)")


def add_rules_option(parser: argparse.ArgumentParser, default: str | None = None, *,
                     assessed: bool = False) -> None:
    """``--rules``/``--as-of``; ``default`` says what is used without either.

    ``assessed``: the command assesses profiles, so ``--as-of`` is the date the
    assessment is for (ages from a birth_date are read on it) and goes with ``--rules``;
    without ``--rules`` it also picks the pack. Otherwise (the ``rules`` commands) it only
    picks a pack, so the two exclude each other.
    """
    rules_help = f"rule pack name or folder (default: {default or _USER_DEFAULT})"
    if assessed:
        parser.add_argument("--rules", default=None, metavar="PACK", help=rules_help)
        parser.add_argument("--as-of", default=None, type=_date, metavar="DATE", dest="as_of",
                            help="the date the assessment is for (YYYY-MM-DD; default: "
                                 "today, written in every record): ages from a birth_date "
                                 "are read on it; without --rules it also picks the newest "
                                 "shipped pack whose knowledge is dated on or before it")
        return
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--rules", default=None, metavar="PACK", help=rules_help)
    group.add_argument("--as-of", default=None, type=_date, metavar="DATE", dest="as_of",
                       help="use the newest shipped pack whose knowledge is dated on or "
                            "before DATE (YYYY-MM-DD)")


def assessment_date(args: argparse.Namespace) -> dt.date:
    """The date the assessment is for: ``--as-of``, else today.

    The one place the clock is read: the engine and the services take the date as an
    argument, and every record says which was used, so the same input and date give the
    same output on any day.
    """
    given: dt.date | None = getattr(args, "as_of", None)
    return given if given is not None else dt.date.today()


def add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help=PATH_HELP)


def add_option_filter(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--option", metavar="NAME", action="append", dest="options",
                        default=None,
                        help="only this option, by id, brand or generic name, in any case "
                             "(Adbry, dupilumab, 'allergy shots'); repeat for several")


def add_format_option(parser: argparse.ArgumentParser, formats: Sequence[str],
                      default: str | None, help_text: str) -> None:
    """``--format`` of one vocabulary: ``formats`` (own names), aliases accepted too."""
    parser.add_argument("--format", type=format_name(formats), default=default,
                        metavar="{" + ",".join(formats) + "}", help=help_text)


def format_name(formats: Sequence[str]) -> Callable[[str], str]:
    """An argparse type: the format's own name, or a 'did you mean' error."""
    def parse(text: str) -> str:
        name = canonical(text.lower())
        if name not in formats:
            known = [*formats, *(alias for alias, own in ALIASES.items() if own in formats)]
            raise argparse.ArgumentTypeError(
                f"no format '{text}'{did_you_mean(text.lower(), known)}; formats: "
                f"{', '.join(formats)}")
        return name
    return parse


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE", default=None,
                        help="write to FILE instead of stdout, whole or not at all (a "
                             "temporary file renamed when done)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no notes, progress line or summary on stderr; errors still")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def resolve_pack(args: argparse.Namespace) -> RulePack:
    """The pack ``--rules``/``--as-of`` choose (``UsageError`` when it cannot be used).

    The one place a command picks its pack: ``--rules``, else ``--as-of``, else the
    default. When the default was used and newer knowledge ships, one line on stderr says
    so (unless ``--quiet``).
    """
    rules, as_of = getattr(args, "rules", None), getattr(args, "as_of", None)
    pack = chosen_pack(rules, as_of)
    if rules is None and as_of is None and not getattr(args, "quiet", False):
        newer = newer_than(pack)
        if newer is not None:
            chosen = default_rules()
            # Said whenever the user set it, even to the shipped default's name.
            where = "" if chosen.origin == SHIPPED else f", set in {chosen.origin}"
            print(f"eligibility: note: using the default rule pack {pack.name} (as of "
                  f"{pack.info.as_of}{where}); a newer pack ships: {newer.name} (as of "
                  f"{newer.info.as_of}), chosen with --rules {newer.name}", file=sys.stderr)
    return pack


def option_labels(pack: RulePack, chosen: Sequence[str] | None) -> tuple[OptionLabel, ...]:
    """The options shown (all, or those chosen), as narrow views name them."""
    return tuple(OptionLabel(option.id, option.label, option.evidence == "investigational")
                 for option in pack.options if chosen is None or option.id in chosen)
