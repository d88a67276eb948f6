"""``eligibility screen PATH --output DIR [--rules PACK] [--as-of DATE]``: a population's screening.

Parsing and printing only: the work is ``population.screening.run_screen``. pyarrow and
matplotlib (the ``screen`` extra) are imported when the command runs (matplotlib when the
report is drawn, after the rows), so every other command starts as fast without them.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

from eligibility.cli import status
from eligibility.cli.common import _date
from eligibility.cli.streams import OutputError
from eligibility.collector import batch_collector
from eligibility.errors import EligibilityError, UsageError
from eligibility.safe_text import clip
from eligibility.services.request import chosen_pack

#: Seconds between progress updates on a terminal.
PROGRESS_EVERY = 1.0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "screen", help="screen a population: who may be a candidate, who needs what information",
        description="Screen a population (a FHIR Bulk export folder of .ndjson files, with "
                    "--as-of; or a .parquet or .jsonl table of profiles, or a folder of them): "
                    "writes DIR/screening.parquet and DIR/screening.csv (a row per patient: "
                    "each option's status and missing fields) and DIR/report.html (counts, the "
                    "most often missing fields, age bands, with charts), and prints a summary.")
    parser.add_argument("path", metavar="PATH",
                        help="a FHIR Bulk export folder (.ndjson, .ndjson.gz), a .parquet or "
                             ".jsonl file, or a folder of them")
    parser.add_argument("--output", "-o", required=True, metavar="DIR",
                        help="folder for the results (made if needed); files appear only when "
                             "the run completes")
    parser.add_argument("--rules", default=None, metavar="PACK",
                        help="rule pack name or folder (default: the newest shipped pack dated "
                             "on or before --as-of, else the user's default pack)")
    parser.add_argument("--as-of", default=None, type=_date, metavar="DATE", dest="as_of",
                        help="the assessment date (YYYY-MM-DD): a birth_date needs it")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress line or summary; errors still")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        import pyarrow as pa

        from eligibility.population.screening import run_screen
        from eligibility.population.sources import population_at
        if importlib.util.find_spec("matplotlib") is None:  # imported once the rows are done
            raise ImportError(name="matplotlib")
    except ImportError as error:
        raise UsageError(f"eligibility screen needs pyarrow and matplotlib ({error.name} is "
                         "missing): pip install 'eligibility[screen]'") from None
    # This process holds little Arrow memory at a time (a row group of answers): the
    # system allocator gives it back, where mimalloc kept ~30 MB more resident.
    pa.set_memory_pool(pa.system_memory_pool())
    # The collector tuned for the batch, put back when the command ends (collector.py).
    with batch_collector():
        from eligibility.engine.evaluation import evaluator_for

        pack = chosen_pack(args.rules, args.as_of)
        population = population_at(Path(args.path))
        if population.skipped:
            names = ", ".join(clip(child.name) for child in population.skipped[:5])
            more = f" and {len(population.skipped) - 5} more" if len(population.skipped) > 5 else ""
            print(f"eligibility: note: {len(population.skipped)} file(s) in {clip(args.path)} are "
                  f"not read (a folder is screened as one kind, here {population.kind}): "
                  f"{names}{more}", file=sys.stderr)
        if population.kind == "fhir" and args.as_of is None:
            # The FHIR reader would read the clock: the same export would screen differently tomorrow.
            raise UsageError("a FHIR Bulk export needs --as-of DATE: ages and how recent a weight is "
                             "are computed on that date")
        progress = _Progress() if sys.stderr.isatty() and not args.quiet else None
        try:
            result = run_screen(population, evaluator_for(pack), Path(args.output), as_of=args.as_of,
                                source=args.path, progress=progress)
        except EligibilityError as error:  # a table whose columns are no profile fields
            raise UsageError(str(error)) from error
        except OSError as error:  # exit status 3, as for any output that cannot be written
            raise OutputError(f"{clip(args.output)}: cannot write the results: "
                              f"{error.strerror or error}") from error
        except Exception as error:  # pyarrow's errors for a file that is not Parquet
            if type(error).__module__.startswith("pyarrow"):
                raise UsageError(f"{clip(args.path)}: cannot be read as Parquet: {clip(str(error), 200)}") \
                    from error
            raise
        finally:
            if progress is not None:
                progress.done()
        if not args.quiet:
            sys.stdout.write(result.summary)
            print(f"eligibility: wrote {', '.join(str(path) for path in result.files)}", file=sys.stderr)
        return status.of(result.tally.invalid == 0)


class _Progress:
    """'screened 120,000 of 1,000,000 profiles (12 invalid), 4,100/s' on stderr, at most once a second."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown = self.started

    def __call__(self, patients: int, invalid: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.shown < PROGRESS_EVERY:
            return
        self.shown = now
        of = f" of {total:,}" if total else ""
        rate = patients / max(now - self.started, 1e-9)
        sys.stderr.write(f"\rscreened {patients:,}{of} profiles ({invalid:,} invalid), {rate:,.0f}/s ")
        sys.stderr.flush()

    def done(self) -> None:
        if self.shown != self.started:
            sys.stderr.write("\n")
            sys.stderr.flush()
