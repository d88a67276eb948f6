"""Benchmark: the batch overview (``evaluate --format text``) of 20,000 patients.

    python bench/overview.py            # 20,000 profiles, 3 repeats
    python bench/overview.py --quick    # 2,000 profiles, 1 repeat (so the script cannot rot)
    python bench/overview.py --worst    # every age a distinct month count (no repeats)

Issue 13's goal: 20,000 patients' overview in under 10 s on the 2-core development
machine, fitting in 120 columns. Printed, never asserted (the machine is shared and
noisy): the whole command's wall and CPU seconds (user + sys), median and range over
the repeats, beside ``--format jsonl`` of the same file; then, in this process, the
overview written from the batch's decisions (what the command does) against the same
writer fed full Assessments (what it did before), as a ratio within one run; and the
widest line of the overview at ``COLUMNS=120``.

The batch is ``make_batch``'s seeded mix with a few invalid records (bad values, broken
JSON, a non-object) spread through it, as a clinic's export has.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_batch import profiles
from rich.cells import cell_len
from run import Figure, run_child, spread, timed

from eligibility.cli.common import option_labels
from eligibility.inputs.reader import read_records
from eligibility.render.human import write_assessments
from eligibility.render.overview import columns_of
from eligibility.rulepack.loader import load_pack
from eligibility.services.batch import assess_decisions, assess_outcomes
from eligibility.services.request import input_files

RULES = "article-2023"
INVALID = ('{"id":"bad-severity","severity":"Severe"}', "not json",
           '{"id":"bad-age","age_years":-3}', "[1, 2]", '{"age_years":"x"}')


def write_batch(path: Path, count: int, worst: bool) -> None:
    lines = [json.dumps(item) for item in profiles(count, worst=worst)]
    step = max(1, count // len(INVALID))
    for number, bad in enumerate(INVALID):
        lines[min(count - 1, number * step + step // 2)] = bad
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def command(path: Path, fmt: str) -> list[str]:
    return [sys.executable, str(Path(__file__).with_name("child.py")), "evaluate", str(path),
            "--rules", RULES, "--format", fmt, "-q"]


def in_process(path: Path, decisions: bool) -> None:
    pack = load_pack(RULES)
    columns = columns_of(option_labels(pack, None))
    records = read_records(input_files([str(path)]))
    items = (assess_decisions if decisions else assess_outcomes)(records, rules=pack)
    write_assessments(items, io.StringIO(), columns, 100)


def widest(path: Path) -> tuple[int, int]:
    """The widest line of the overview at COLUMNS=120, in cells, and its line count."""
    result = subprocess.run(command(path, "text"), capture_output=True, text=True, check=False,
                            env={**os.environ, "COLUMNS": "120"})
    lines = result.stdout.splitlines()
    return max(cell_len(line) for line in lines), len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--worst", action="store_true")
    parser.add_argument("-n", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    count = args.n or (2_000 if args.quick else 20_000)
    repeats = args.repeats or (1 if args.quick else 3)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clinic.jsonl"
        write_batch(path, count, args.worst)
        for fmt, target in (("text", "< 10 s"), ("jsonl", "")):
            runs = [run_child(command(path, fmt)) for _ in range(repeats)]
            figures.append(spread(f"CLI evaluate --format {fmt}, wall", "s",
                                  [run.wall for run in runs], target=target))
            figures.append(spread(f"CLI evaluate --format {fmt}, CPU (user+sys)", "s",
                                  [run.cpu for run in runs]))
        fast = timed(repeats, lambda: in_process(path, decisions=True))
        full = timed(repeats, lambda: in_process(path, decisions=False))
        figures.append(spread("overview from decisions, in process", "s", fast))
        figures.append(spread("overview from full Assessments, in process", "s", full))
        cells, lines = widest(path)
    print(f"{count:,} profiles ({'worst' if args.worst else 'seeded mix'}, {len(INVALID)} invalid), "
          f"pack {RULES}, {repeats} repeat(s): median (range); {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}")
    width = max(len(figure.name) for figure in figures)
    for figure in figures:
        print(f"{figure.name:<{width}}  {figure.shown():>22} {figure.unit:<2}  {figure.target}".rstrip())
    ratio = statistics.median(fast) / statistics.median(full)
    print(f"decisions / full Assessments, same writer: {ratio:.2f}")
    print(f"overview at COLUMNS=120: {lines:,} lines, widest {cells} cells (goal: <= 120)")


if __name__ == "__main__":
    main()
