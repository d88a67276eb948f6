"""Write a reproducible batch of profiles as JSON Lines (seeded; same seed, same bytes).

The mix resembles a clinic export: most ages in whole years, infants in months, some
fields missing, a few allergies. ``--worst`` makes every age a distinct month count,
which defeats the caches of repeated (criterion, value) pairs.

    python bench/make_batch.py 100000 > batch.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator

SEVERITY = ["mild", "moderate", "severe"]
RESPONSE = ["not_tried", "adequate", "inadequate", "not_advisable"]
ALLERGENS = ["dust_mite", "pollen", "pet_dander", "mold", "food"]


def profiles(count: int, seed: int = 2026, worst: bool = False) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    for number in range(count):
        data: dict[str, object] = {"id": f"p{number:07d}"}
        roll = rng.random()
        if worst:
            data["age_months"] = rng.randint(0, 1560)
        elif roll < 0.05:
            data["age_months"] = rng.randint(0, 47)
        elif roll < 0.92:
            data["age_years"] = rng.randint(2, 90)
        if rng.random() < 0.95:
            data["severity"] = rng.choices(SEVERITY, [5, 3, 2])[0]
        if rng.random() < 0.9:
            data["topical_response"] = rng.choice(RESPONSE)
        if rng.random() < 0.5:
            data["systemic_response"] = rng.choice(RESPONSE)
        if rng.random() < 0.8:
            data["allergies"] = rng.sample(ALLERGENS, rng.choice([0, 0, 1, 1, 2]))
        if rng.random() < 0.7:
            data["allergy_eczema_link"] = rng.random() < 0.4
        if rng.random() < 0.3:
            data["weight_kg"] = rng.randint(8, 120)
        yield data


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
