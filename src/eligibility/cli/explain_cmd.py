"""``eligibility explain PATH... [--option ID] [--format text|json]``: the long form."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from typing import Any

from eligibility.cli.common import add_rules_option, fail_usage, resolve_rules
from eligibility.inputs.reader import InputError, InputRecord, expand_paths, read_records
from eligibility.rulepack.loader import load_pack
from eligibility.services.batch import OutputRecord, assess_record, attempt, dumps
from eligibility.suggest import did_you_mean


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explain", help="why each option is or is not open, and what would change it",
        description="For each profile, every option's criteria beside the patient's values, "
                    "with rationale and source, and for each option that is not a candidate "
                    "the changes that would make it one, each checked by evaluating again. "
                    "PATH is as for evaluate.")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--option", metavar="ID", default=None,
                        help="explain only this option (e.g. tralokinumab)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default, also when piped) or the JSON records")
    add_rules_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rules = resolve_rules(args)
    if isinstance(rules, int):
        return rules
    option_ids = load_pack(rules).option_ids
    if args.option is not None and args.option not in option_ids:
        hint = did_you_mean(args.option, option_ids)
        return fail_usage(f"no option '{args.option}'{hint}; options are {', '.join(option_ids)}")
    try:
        files = expand_paths(args.paths)
    except InputError as error:
        return fail_usage(str(error))
    records = read_records(files)
    if args.format == "json":
        from eligibility.render.json_lines import write_json_array
        ok = write_json_array(_json_records(records, rules, args.option), sys.stdout)
    else:
        ok = _write_text(records, rules, args.option)
    return 0 if ok else 1


def _json_records(records: Iterator[InputRecord], rules: str,
                  option: str | None) -> Iterator[OutputRecord]:
    """The same records as ``evaluate --format json``, with only the chosen option."""
    for record in records:
        out = assess_record(record, rules)
        if out.ok and option is not None:
            data = out.data()
            data["options"] = [item for item in data["options"] if item["id"] == option]
            out = OutputRecord(dumps(data), ok=True)
        yield out


def _write_text(records: Iterator[InputRecord], rules: str, option: str | None) -> bool:
    from rich.console import Console

    from eligibility.engine.evaluation import evaluator_for
    from eligibility.engine.explanation import explain
    from eligibility.render.explain import render_error, render_explanation
    from eligibility.render.table import render_footer
    console = Console(highlight=False)
    ok = True
    last_good: dict[str, Any] | None = None
    evaluator = evaluator_for(rules)
    for record in records:
        # Evaluated once, inside explain; only the changed profiles are evaluated again.
        explanation = attempt(record, lambda payload: explain(payload, rules=evaluator,
                                                               option=option))
        if isinstance(explanation, OutputRecord):
            _emit(console, render_error, explanation.data())
            ok = False
            continue
        _emit(console, render_explanation, explanation, record.source)
        last_good = explanation.assessment.model_dump(mode="json")
    _emit(console, render_footer, last_good)
    return ok


def _emit(console: Any, render: Callable[..., None], *args: Any) -> None:
    """Render, then write with trailing spaces stripped (rich keeps the one it wrapped at)."""
    with console.capture() as captured:
        render(console, *args)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
