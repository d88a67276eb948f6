"""Benchmark: throughput, CPU, latency, start-up and memory, beside the issue's targets.

    python bench/run.py            # 20,000 profiles (several minutes on 2 cores)
    python bench/run.py --quick    # 2,000 profiles; CI runs this so the script cannot rot
    python bench/run.py --million  # adds 1,000,000 profiles streamed, --jobs 1 to 3 (peak RSS)

Numbers only, no pass/fail: the machine is noisy (two cores shared), so every timing is
repeated and shown as its median with the range over the repeats, and each CLI run's
CPU time (user + sys of the child) is given per profile beside its wall-clock rate: on
a busy machine CPU time moves less than wall time. The two floors are measured in the
same run: the statuses in plain Python (the testing kit's reference reading of the
rules, no engine) and bare durable-rules inference (facts asserted, actions drained,
state deleted, no records). The figures are also written as JSON (``--json``) so that
runs can be compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_batch import profiles
from stages import breakdown

from eligibility.engine.decide import status_of
from eligibility.engine.evaluation import evaluate, evaluate_each, evaluator_for
from eligibility.model.profile import parse_profile
from eligibility.testing._packs import criterion_outcome

RULES = "article-2023"


@dataclass
class Figure:
    """One measure: its value (median) and range over the repeats, in ``unit``."""

    name: str
    unit: str
    median: float
    low: float
    high: float
    cpu_us: float | None = None  # CPU (user+sys) µs per profile, for CLI runs
    target: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    def shown(self) -> str:
        digits = 2 if self.unit == "x" else 0 if self.median >= 100 else 1
        if self.low == self.high:
            return f"{self.median:,.{digits}f}"
        return f"{self.median:,.{digits}f} ({self.low:,.{digits}f} to {self.high:,.{digits}f})"


def spread(name: str, unit: str, values: Sequence[float], **more: object) -> Figure:
    return Figure(name, unit, statistics.median(values), min(values), max(values), **more)  # type: ignore[arg-type]


def timed(repeats: int, action: Callable[[], object]) -> list[float]:
    """Wall seconds of each of ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    code: int


#: The CLI runs as an installed one does, from compiled bytecode: with
#: PYTHONDONTWRITEBYTECODE set (some shells and containers set it) every run would compile
#: ~230 modules anew, ~100 ms that no installed copy spends. ``main`` runs it once first.
CHILD_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_child(argv: list[str]) -> Run:
    """Wall and CPU seconds (user + sys, children included), the CLI's own peak RSS in MB
    (``VmHWM`` of the main process; workers are not counted) and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            check=False, env=CHILD_ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peaks = [int(line.split()[1]) for line in result.stderr.splitlines()
             if line.startswith("peak-rss-kb ")]
    return Run(wall, cpu, peaks[-1] / 1024 if peaks else -1.0, result.returncode)


def cli(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).with_name("child.py")), "evaluate", *args,
            "--rules", RULES, "--format", "jsonl", "-q"]


def plain_python(valid: Sequence[object]) -> Callable[[], object]:
    """Every option's status from the kit's reference reading of the rules: no engine."""
    pack = evaluator_for(RULES).pack
    options = [(option.id, pack.criteria_of(option)) for option in pack.options]

    def statuses() -> object:
        return [{name: status_of([criterion_outcome(c, profile) for c in criteria])  # type: ignore[arg-type]
                 for name, criteria in options} for profile in valid]
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--million", action="store_true")
    parser.add_argument("-n", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--json", metavar="PATH", default=None,
                        help="where to write the figures (default: bench/results/<UTC time>.json)")
    args = parser.parse_args()
    count = args.n or (2_000 if args.quick else 20_000)
    repeats = args.repeats or (1 if args.quick else 3)
    figures: list[Figure] = []

    payloads = list(profiles(count))
    valid = [parse_profile(item) for item in payloads]
    engine = evaluator_for(RULES).engine
    engine.outcomes(valid[0])

    per = [t / count * 1e6 for t in timed(repeats, plain_python(valid))]
    figures.append(spread("plain Python statuses (kit reference, no engine)", "µs/profile", per))
    per = [t / count * 1e6 for t in timed(repeats, lambda: [engine.outcomes(p) for p in valid])]
    figures.append(spread("bare durable-rules, one session per profile", "µs/profile", per))
    per = [t / count * 1e6 for t in timed(repeats, lambda: [engine.outcomes_many(valid[i:i + 128])
                                                            for i in range(0, count, 128)])]
    figures.append(spread("bare durable-rules, 128 profiles per session", "µs/profile", per))
    engine_floor = figures[-1].median

    evaluate_each(payloads[:500], rules=RULES)
    per = [t / count * 1e6 for t in timed(repeats, lambda: [evaluate_each(payloads[i:i + 128], rules=RULES)
                                                            for i in range(0, count, 128)])]
    figures.append(spread("library evaluate_each, chunks of 128", "µs/profile", per))
    medians = []
    for _ in range(repeats):
        singles = []
        for item in payloads[: min(count, 5_000)]:  # distinct profiles, warm evaluator
            start = time.perf_counter()
            evaluate(item, rules=RULES)
            singles.append(time.perf_counter() - start)
        medians.append(statistics.median(singles) * 1e6)
    figures.append(spread("library evaluate(), one distinct profile (median)", "µs", medians,
                          target="< 70 µs"))

    with tempfile.TemporaryDirectory() as folder:
        batch = Path(folder) / "batch.jsonl"
        batch.write_text("".join(json.dumps(item) + "\n" for item in payloads))
        one = Path(folder) / "one.json"
        one.write_text(json.dumps(payloads[0]))
        run_child([*cli(str(one)), "--jobs", "2"])  # writes the bytecode the runs then read
        # brief at --jobs 1 and 2 run in turn, so that each ratio is of two runs made
        # under the same load; full between them.
        runs_of: dict[str, list[Run]] = {"brief, --jobs 1": [], "full, --jobs 1": [],
                                         "brief, --jobs 2": []}
        options = {"brief, --jobs 1": [], "full, --jobs 1": ["--detail", "full"],
                   "brief, --jobs 2": ["--jobs", "2"]}
        for _ in range(repeats):
            for label, extra in options.items():
                runs_of[label].append(run_child([*cli(str(batch)), *extra]))
        targets = {"brief, --jobs 1": "≥ 25,000/s (stretch 30,000)", "full, --jobs 1": "≥ 12,000/s",
                   "brief, --jobs 2": "≥ 1.8 x brief --jobs 1"}
        for label, runs in runs_of.items():
            figures.append(spread(f"CLI end to end, JSON Lines in, {label}", "profiles/s",
                                  [count / run.wall for run in runs],
                                  cpu_us=statistics.median(run.cpu / count * 1e6 for run in runs),
                                  target=targets[label],
                                  extra={"peak_rss_mb": max(run.peak_mb for run in runs)}))
        pairs = zip(runs_of["brief, --jobs 1"], runs_of["brief, --jobs 2"], strict=True)
        ratios = [one.wall / two.wall for one, two in pairs]
        figures[-1].extra["vs_jobs_1"] = statistics.median(ratios)
        figures.append(spread("  --jobs 2 / --jobs 1, run by run", "x", ratios))
        for jobs in (1, 2):
            runs = [run_child([*cli(str(one)), "--jobs", str(jobs)]) for _ in range(5 if args.quick else 9)]
            figures.append(spread(f"CLI start-up: evaluate one.json, --jobs {jobs}, whole process", "ms",
                                  [run.wall * 1e3 for run in runs], target="< 200 ms",
                                  extra={"peak_rss_mb": max(run.peak_mb for run in runs)}))
        # What two processes could give at best: the start-up (one profile's run) is done
        # once, before any work can be shared; everything after it halves.
        serial = figures[-2].median / 1e3
        whole = statistics.median(run.wall for run in runs_of["brief, --jobs 1"])
        figures.append(Figure("  --jobs 2 at best, the start-up serial and the rest halved", "x",
                              whole / (serial + (whole - serial) / 2),
                              whole / (serial + (whole - serial) / 2),
                              whole / (serial + (whole - serial) / 2)))
        if args.million:
            big = Path(folder) / "million.jsonl"
            with big.open("w") as handle:
                for item in profiles(1_000_000, seed=7):
                    handle.write(json.dumps(item) + "\n")
            for jobs in (1, 2, 3):  # 3: more workers than cores, memory still flat
                run = run_child([*cli(str(big)), "--jobs", str(jobs)])
                figures.append(Figure(f"CLI, 1,000,000 profiles, brief, --jobs {jobs}", "profiles/s",
                                      1e6 / run.wall, 1e6 / run.wall, 1e6 / run.wall, cpu_us=run.cpu,
                                      target="peak RSS < 100 MB",
                                      extra={"peak_rss_mb": run.peak_mb, "exit": run.code}))

        stages = [breakdown(batch, count, detail, repeats) for detail in ("brief", "full")]

    report(figures, count, repeats, engine_floor)
    for table in stages:
        print(table)
    write_json(figures, count, repeats, args.json)


def report(figures: Sequence[Figure], count: int, repeats: int, engine_floor: float) -> None:
    print(f"{count:,} profiles, pack {RULES}, {repeats} repeat(s): median (range); "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    width = max(len(figure.name) for figure in figures)
    print(f"{'measure':<{width}}  {'value':>26}  {'unit':<11} {'CPU µs/prof':>11}  "
          f"{'peak RSS MB':>11}  target")
    for figure in figures:
        cpu = f"{figure.cpu_us:,.1f}" if figure.cpu_us is not None else ""
        rss = f"{figure.extra['peak_rss_mb']:,.0f}" if "peak_rss_mb" in figure.extra else ""
        target = figure.target
        if "vs_jobs_1" in figure.extra:
            target += f" (now {figure.extra['vs_jobs_1']:.2f} x)"
        print(f"{figure.name:<{width}}  {figure.shown():>26}  {figure.unit:<11} {cpu:>11}  "
              f"{rss:>11}  {target}")
    print(f"The engine alone bounds the pipeline at {1e6 / engine_floor:,.0f} profiles/s "
          f"({engine_floor:.1f} µs/profile, 128 per session). CPU µs/profile includes start-up.")


def write_json(figures: Sequence[Figure], count: int, repeats: int, path: str | None) -> None:
    now = dt.datetime.now(dt.UTC)
    target = Path(path) if path else (Path(__file__).with_name("results")
                                      / f"{now:%Y%m%dT%H%M%SZ}.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    data = {"when": now.isoformat(timespec="seconds"), "profiles": count, "repeats": repeats,
            "rules": RULES, "python": sys.version.split()[0], "machine": platform.machine(),
            "cpus": os.cpu_count(), "load": os.getloadavg()[0],
            "figures": [asdict(figure) for figure in figures]}
    target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"figures written to {target}")


if __name__ == "__main__":
    main()
