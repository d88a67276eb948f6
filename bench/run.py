"""Benchmark: throughput, latency, start-up and memory, printed as a table.

    python bench/run.py            # 20,000 profiles (a few minutes on 2 cores)
    python bench/run.py --quick    # 2,000 profiles; CI runs this so the script cannot rot
    python bench/run.py --million  # adds the million-line streaming run (peak RSS)

Numbers only, no pass/fail: the machine is noisy, so each timing is a median of
repeats. The baseline is bare durable-rules inference in this same run: one session
per profile, facts asserted, actions drained, state deleted, no explanations.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import json

from make_batch import profiles

from eligibility.engine.evaluation import evaluate, evaluate_each, evaluator_for
from eligibility.model.profile import parse_profile

RULES = "article-2023"


def best_of(repeats: int, action: Callable[[], object]) -> float:
    """Median wall seconds of ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_child(argv: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MB (the main process's), and exit code of one CLI run."""
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            check=False)
    wall = time.perf_counter() - start
    peaks = [int(line.split()[1]) for line in result.stderr.splitlines()
             if line.startswith("peak-rss-kb ")]
    return wall, (peaks[-1] // 1024 if peaks else -1), result.returncode


def cli(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).with_name("child.py")), "evaluate", *args,
            "--rules", RULES, "--format", "jsonl"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--million", action="store_true")
    parser.add_argument("-n", type=int, default=None)
    args = parser.parse_args()
    count = args.n or (2_000 if args.quick else 20_000)
    repeats = 1 if args.quick else 3
    rows: list[tuple[str, str, str, str]] = []

    payloads = list(profiles(count))
    valid = [parse_profile(item) for item in payloads]
    engine = evaluator_for(RULES).engine
    engine.outcomes(valid[0])

    bare = best_of(repeats, lambda: [engine.outcomes(profile) for profile in valid])
    rows.append(("bare durable-rules, one session per profile", f"{count / bare:,.0f}",
                 f"{bare / count * 1e6:.1f}", "1.00"))
    chunked = best_of(repeats, lambda: [engine.outcomes_many(valid[i:i + 128])
                                        for i in range(0, count, 128)])
    rows.append(("durable-rules, 128 profiles per session", f"{count / chunked:,.0f}",
                 f"{chunked / count * 1e6:.1f}", f"{bare / chunked:.2f}"))

    evaluate_each(payloads[:500])
    library = best_of(repeats, lambda: [evaluate_each(payloads[i:i + 128])
                                        for i in range(0, count, 128)])
    rows.append(("library evaluate_each, chunks of 128 (validate, infer, explain)", f"{count / library:,.0f}",
                 f"{library / count * 1e6:.1f}", f"{bare / library:.2f}"))

    singles = []
    for item in payloads[: min(count, 5_000)]:
        start = time.perf_counter()
        evaluate(item)
        singles.append(time.perf_counter() - start)
    single = statistics.median(singles)
    rows.append(("library evaluate(), one profile (median)", f"{1 / single:,.0f}",
                 f"{single * 1e6:.1f}", f"{bare / count / single:.2f}"))

    with tempfile.TemporaryDirectory() as folder:
        batch = Path(folder) / "batch.jsonl"
        batch.write_text("".join(json.dumps(item) + "\n" for item in payloads))
        one = Path(folder) / "one.json"
        one.write_text(json.dumps(payloads[0]))
        rss = {}
        for jobs in (1, 2):
            runs = [run_child([*cli(str(batch)), "--jobs", str(jobs)]) for _ in range(repeats)]
            wall = statistics.median(run[0] for run in runs)
            rss[jobs] = max(run[1] for run in runs)
            rows.append((f"CLI end to end, JSON Lines in and out, --jobs {jobs}",
                         f"{count / wall:,.0f}", f"{wall / count * 1e6:.1f}", f"{bare / wall:.2f}"))
        start_runs = [run_child(cli(str(one))) for _ in range(5 if args.quick else 9)]
        startup = statistics.median(run[0] for run in start_runs)
        rows.append(("CLI start-up: evaluate one.json, whole process", "", f"{startup * 1e6:,.0f}", ""))
        rows.append(("CLI peak RSS (MB), --jobs 1 / --jobs 2 (parent)", "", f"{rss[1]} / {rss[2]}", ""))
        if args.million:
            big = Path(folder) / "million.jsonl"
            with big.open("w") as handle:
                for item in profiles(1_000_000, seed=7):
                    handle.write(json.dumps(item) + "\n")
            wall, peak, code = run_child(cli(str(big)))
            rows.append(("CLI, 1,000,000 profiles: profiles/s, peak RSS MB", f"{1e6 / wall:,.0f}",
                         f"{peak} MB", f"exit {code}"))

    width = max(len(row[0]) for row in rows)
    print(f"{count:,} profiles, pack {RULES}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{'measure':<{width}}  {'profiles/s':>11}  {'µs/profile':>11}  {'vs bare':>7}")
    for name, rate, micro, ratio in rows:
        print(f"{name:<{width}}  {rate:>11}  {micro:>11}  {ratio:>7}")


if __name__ == "__main__":
    main()
