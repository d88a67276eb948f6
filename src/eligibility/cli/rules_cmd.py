"""``eligibility rules list|show|table|check|test|diff``: the rule packs, for people.

The rules a decision rests on must be readable, checkable and replaceable: these
commands show a pack as tables, check it (exit 1 on any problem, each naming file and
rule id), run its worked cases, and compare two packs.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from eligibility.cli import status
from eligibility.cli.common import add_format_option, add_rules_option, resolve_pack
from eligibility.errors import RulePackError, UsageError
from eligibility.rulepack.check import CheckReport
from eligibility.rulepack.loader import DEFAULT_PACK, available_packs
from eligibility.rulepack.model import RulePack
from eligibility.services.pack_check import check_pack, run_cases
from eligibility.services.request import named_pack, option_ids

ONCE = "name the pack once: as an argument or with --rules/--as-of"
EVERY_PACK = "every shipped pack"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rules", help="list, show, check, test and compare rule packs",
        description="Work with rule packs: the TOML knowledge every assessment rests on.")
    commands = parser.add_subparsers(dest="rules_command", metavar="SUBCOMMAND", required=True,
                                     help="what to do with packs (each has --help)")
    listing = commands.add_parser(
        "list", help="the shipped packs",
        description="List the shipped rule packs: name, version, the date their knowledge "
                    "is as of, how many rules and options, and which is the default.")
    listing.set_defaults(run=run_list)
    show = commands.add_parser(
        "show", help="the rules of a pack, for people",
        description="Show a pack's rules option by option: each criterion's id and title, "
                    "what it requires, its rationale, source and evidence.")
    _pack_argument(show)
    show.add_argument("--option", metavar="NAME", action="append", dest="options",
                      help="only this option, by id, brand or generic name; repeat for several")
    show.set_defaults(run=run_show)
    table = commands.add_parser(
        "table", help="a decision table: one row per option",
        description="A decision table of a pack: a row per option, a column per profile "
                    "field, each cell what the option requires of it (the README embeds "
                    "the default pack's).")
    _pack_argument(table)
    add_format_option(table, ("markdown", "csv"), "markdown",
                      "markdown (default) or csv (RFC 4180, for a spreadsheet)")
    table.set_defaults(run=run_table)
    check = commands.add_parser(
        "check", help="validate a pack; exit 1 on any problem",
        description="Validate a pack folder or shipped pack (all shipped packs when none "
                    "is named): schema, fields, thresholds, contradictions, options no "
                    "profile can reach, and the worked cases.")
    _pack_argument(check, name="PATH", default=EVERY_PACK)
    check.set_defaults(run=run_check)
    test = commands.add_parser(
        "test", help="run a pack's worked cases",
        description="Run the worked cases shipped with a pack (all shipped packs when "
                    "none is named) and report each one that fails; exit 1 if any does.")
    _pack_argument(test, name="PATH", default=EVERY_PACK)
    test.add_argument("-v", "--verbose", action="store_true", help="show every case")
    test.set_defaults(run=run_test)
    diff = commands.add_parser(
        "diff", help="rules and statuses that differ between two packs",
        description="Which rules differ between PACK_A and PACK_B and, over the PROFILES "
                    "given (or every boundary profile when none are), whose status changes.")
    diff.add_argument("pack_a", metavar="PACK_A", help="the pack compared from (name or folder)")
    diff.add_argument("pack_b", metavar="PACK_B", help="the pack compared to (name or folder)")
    diff.add_argument("profiles", nargs="*", metavar="PROFILES",
                      help="profiles to compare the statuses of, as evaluate's PATH")
    add_format_option(diff, ("text", "json"), "text", "text (default) or json")
    diff.set_defaults(run=run_diff)


def _pack_argument(parser: argparse.ArgumentParser, name: str = "PACK",
                   default: str | None = None) -> None:
    parser.add_argument("pack", nargs="?", metavar=name,
                        help=f"pack name or folder (default: {default or DEFAULT_PACK})")
    add_rules_option(parser, default)


def _chosen(args: argparse.Namespace) -> RulePack:
    if args.pack is not None:
        if (args.rules is not None and args.rules != args.pack) or args.as_of is not None:
            raise UsageError(ONCE)
        args.rules = args.pack
    return resolve_pack(args)


def _explicit(args: argparse.Namespace) -> bool:
    return args.pack is not None or args.rules is not None or args.as_of is not None


# -- list, show, table --------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    from eligibility.render.rules import packs_table
    _print(packs_table(available_packs(), DEFAULT_PACK))
    return 0


def run_show(args: argparse.Namespace) -> int:
    from eligibility.render.rules import rules_tables
    pack = _chosen(args)
    for renderable in rules_tables(pack, option_ids(pack, args.options)):
        _print(renderable)
    return 0


def run_table(args: argparse.Namespace) -> int:
    from eligibility.render.decision_table import csv_table, markdown_table
    pack = _chosen(args)
    sys.stdout.write(markdown_table(pack) if args.format == "markdown" else csv_table(pack))
    return 0


def _print(renderable: Any) -> None:
    from eligibility.render.console import console_for
    console_for(sys.stdout).print(renderable)


# -- check, test --------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    if _explicit(args):
        named = [name for name in (args.pack, args.rules) if name is not None]
        if len(set(named)) > 1 or (named and args.as_of is not None):
            raise UsageError(ONCE)
        # A broken folder cannot be loaded, so do not resolve a named one.
        targets = named[:1] if named else [_chosen(args).path]
    else:
        targets = [pack.path for pack in available_packs()]
    failed = False
    for target in targets:
        try:
            report = check_pack(target)
        except RulePackError as error:  # no pack by that name or path at all
            raise UsageError(str(error)) from error
        _print_report(report)
        failed = failed or not report.ok
    return status.of(not failed)


def _print_report(report: CheckReport) -> None:
    name = report.pack.name if report.pack is not None else report.folder.name
    if report.ok and report.pack is not None:
        pack = report.pack
        print(f"{name}: ok ({len(pack.all_criteria())} rules, {len(pack.options)} options, "
              f"{report.cases_run} worked cases; every option analysed over all classes)")
        return
    for problem in report.problems:
        print(problem.line())
    count = len(report.problems)
    print(f"{name}: {count} problem{'s' if count != 1 else ''}")


def run_test(args: argparse.Namespace) -> int:
    packs = [_chosen(args)] if _explicit(args) else available_packs()
    failed = 0
    total = 0
    for pack in packs:
        problems, count = run_cases(pack)
        total += count
        bad = {problem.case for problem in problems}
        failed += len(bad)
        for case in pack.cases:
            if case.name in bad or args.verbose:
                print(f"{'FAIL' if case.name in bad else 'PASS'}: {pack.name}: {case.file}: "
                      f"{case.name}")
        for problem in problems:
            print(f"  {problem.line()}")
    print("-" * 40)
    print(f"{'PASS' if not failed else 'FAIL'}: {total - failed}/{total}")
    return status.of(not failed)


# -- diff ---------------------------------------------------------------------------


def run_diff(args: argparse.Namespace) -> int:
    from eligibility.services.pack_diff import diff_report
    report, ok = diff_report(named_pack(args.pack_a), named_pack(args.pack_b), args.profiles)
    if args.format == "json":
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        from eligibility.render.rules import diff_text
        sys.stdout.write(diff_text(report))
    return status.of(ok)
