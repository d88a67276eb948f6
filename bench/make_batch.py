"""Write a reproducible batch of profiles as JSON Lines (seeded; same seed, same bytes).

The mix resembles a clinic export: most ages in whole years, infants in months, some
fields missing, short lists; every field of the registry is drawn, by its kind.
``--worst`` makes every age a distinct month count, which defeats the caches of repeated
(criterion, value) pairs.

    python bench/make_batch.py 100000 > batch.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterator

from eligibility.model.fields import AGE_MONTHS, AGE_YEARS, FIELDS, RuleField

#: How often each kind of field is known in the export.
PRESENT = {"category": 0.9, "list": 0.8, "allergy": 0.8, "boolean": 0.7, "number": 0.3}


def profiles(count: int, seed: int = 2026, worst: bool = False) -> Iterator[dict[str, object]]:
    """Every field of the registry, drawn by its kind: a field added there is drawn too."""
    rng = random.Random(seed)
    for number in range(count):
        data: dict[str, object] = {"id": f"p{number:07d}"}
        for entry in FIELDS.values():
            if entry.kind == "age":
                data.update(_age(rng, entry, worst))
            elif rng.random() < PRESENT[entry.kind]:
                data[entry.name] = _value(rng, entry)
        yield data


def _age(rng: random.Random, entry: RuleField, worst: bool) -> dict[str, object]:
    roll = rng.random()
    if worst:
        return {AGE_MONTHS: rng.randint(0, int(entry.high))}
    if roll < 0.05:
        return {AGE_MONTHS: rng.randint(0, 47)}
    if roll < 0.92:
        return {AGE_YEARS: rng.randint(2, 90)}
    return {}


def _value(rng: random.Random, entry: RuleField) -> object:
    if entry.kind == "category":
        # Earlier values (milder, not yet tried) are the commoner ones.
        count = len(entry.vocabulary)
        return rng.choices(entry.vocabulary, range(count, 0, -1))[0]
    if entry.kind in ("list", "allergy"):
        return rng.sample(entry.examples, min(len(entry.examples), rng.choice([0, 0, 1, 1, 2])))
    if entry.kind == "boolean":
        return rng.random() < 0.4
    low, high = entry.typical or (entry.low, entry.high)
    return rng.randint(math.ceil(low) + 1, math.floor(high))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--worst", action="store_true")
    args = parser.parse_args()
    out = sys.stdout
    for data in profiles(args.count, args.seed, args.worst):
        out.write(json.dumps(data) + "\n")


if __name__ == "__main__":
    main()
