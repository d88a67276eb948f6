"""Where a batch's time goes: CPU µs per profile in each stage of the one-process pipeline.

    python bench/stages.py -n 20000          # the bench's batch, brief records
    python bench/stages.py -n 20000 --detail full

The stages are run one after the other over the whole batch, each timed on its own with
``time.process_time`` (CPU, so a busy machine moves it less than wall time), the same
functions the CLI calls in the same order: read and decode the JSON Lines, validate each
profile, encode the distinct facts and let the engine decide them (128 per session, as
the CLI does), make each distinct record body (decisions, counterfactuals, reason
texts), join the records into a chunk's bytes, and write them. The sum is close to the
CLI's own CPU per profile, less its start-up. Numbers only: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_batch import profiles

from eligibility.engine.rete import MAX_FACTS_PER_SESSION
from eligibility.inputs.reader import read_records
from eligibility.render.json_lines import write_jsonl_chunks
from eligibility.render.wire import EncodedChunk
from eligibility.services.batch import CHUNK
from eligibility.services.pipeline import Pipeline
from eligibility.services.profiles import readable, values_of

RULES = "article-2023"
#: As the CLI assesses: on the day it runs (``--as-of`` unset).
TODAY = dt.date.today()


def cpu(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    result = action()
    return time.process_time() - start, result


def staged(pipeline: Pipeline, chunks: list[list[Any]], times: dict[str, float]) -> list[EncodedChunk]:
    """``Pipeline.encode``'s stages, each over every chunk before the next starts."""
    as_of = TODAY
    times["validate"], profiles_ = cpu(lambda: [[readable(r, as_of, pipeline._parse) for r in chunk]
                                                for chunk in chunks])

    def keyed() -> list[list[tuple[Any, ...]]]:
        return [[values_of(p) for p in chunk] for chunk in profiles_]
    times["key (values_of)"], keys = cpu(keyed)

    def distinct() -> list[dict[Any, Any]]:
        return [dict(zip(chunk_keys, chunk, strict=True))
                for chunk_keys, chunk in zip(keys, profiles_, strict=True)]
    times["dedupe"], uniques = cpu(distinct)

    def engine() -> list[list[Any]]:
        done = []
        for unique in uniques:
            items = list(unique.values())
            done.append([o for i in range(0, len(items), MAX_FACTS_PER_SESSION)
                         for o in pipeline._engine.outcomes_many(items[i:i + MAX_FACTS_PER_SESSION])])
        return done
    times["engine (facts+session)"], outcomes = cpu(engine)

    def bodies() -> list[dict[Any, Any]]:
        return [{key: pipeline._text.body(key, profile, tests)
                 for (key, profile), tests in zip(unique.items(), decided, strict=True)}
                for unique, decided in zip(uniques, outcomes, strict=True)]
    times["decide+changes+record"], made = cpu(bodies)

    def encoded() -> list[EncodedChunk]:
        from eligibility.services.record_frames import head_text
        out = []
        for chunk, chunk_keys, body in zip(chunks, keys, made, strict=True):
            lines = [head_text(r.source, r.source) + body[k][0]
                     for r, k in zip(chunk, chunk_keys, strict=True)]
            out.append(EncodedChunk("".join(line + "\n" for line in lines).encode(), (True,) * len(lines)))
        return out
    times["head+join+encode"], result = cpu(encoded)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20_000)
    parser.add_argument("--detail", choices=("brief", "full"), default="brief")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        batch = Path(folder) / "batch.jsonl"
        batch.write_text("".join(json.dumps(item) + "\n" for item in profiles(args.n)))
        print(breakdown(batch, args.n, args.detail, args.repeats))


def breakdown(batch: Path, count: int, detail: str, repeats: int) -> str:
    """The table of stages for the JSON Lines file ``batch`` of ``count`` profiles."""
    gc.freeze()  # as the CLI tunes the collector for a batch (cli/evaluate_cmd.py)
    gc.set_threshold(50_000, 20, 100)
    runs: list[dict[str, float]] = []
    for _ in range(repeats):
        pipeline = Pipeline(RULES, detail, as_of=TODAY)  # type: ignore[arg-type]  # fresh memos
        times: dict[str, float] = {}
        times["read+decode"], records = cpu(lambda: list(read_records([str(batch)])))
        chunks = [records[i:i + CHUNK] for i in range(0, len(records), CHUNK)]
        encoded = staged(pipeline, chunks, times)
        with open("/dev/null", "wb") as sink:
            times["write"], _ = cpu(lambda: write_jsonl_chunks(encoded, sink))  # noqa: B023
        runs.append(times)
    lines = [f"Stages, {count:,} profiles, {detail} records, CPU µs/profile (median of {repeats}, range):"]
    total = 0.0
    for name in runs[0]:
        values = [run[name] / count * 1e6 for run in runs]
        total += statistics.median(values)
        low, high = min(values), max(values)
        lines.append(f"  {name:<26} {statistics.median(values):7.1f}  ({low:.1f} to {high:.1f})")
    lines.append(f"  {'total':<26} {total:7.1f}  -> {1e6 / total:,.0f} profiles/s of CPU, before start-up")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
