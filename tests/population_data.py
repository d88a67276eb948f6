"""A seeded population for the screening tests, and the CLI's answers for it.

Drawn field by field from the registry (a field added there is drawn too), with a few
invalid rows mixed in, so a comparison covers error rows as well as every status. The
reference is always the command line's own JSON Lines record.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from eligibility.cli import main
from eligibility.model.fields import AGE_MONTHS, AGE_YEARS, FIELDS

PRESENT = {"category": 0.85, "list": 0.75, "allergy": 0.75, "boolean": 0.7, "number": 0.4}
#: Rows the profile model refuses, one every this many.
INVALID_EVERY = 97


def need(module: str) -> ModuleType:
    """An optional package: skipped locally when absent, but in CI a missing one fails."""
    if os.environ.get("CI"):
        return importlib.import_module(module)
    return pytest.importorskip(module)


def need_java() -> None:
    """Spark needs a Java runtime (17 or later): skipped locally without one (the README
    says so), a failure in CI, whose machine has Java."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if os.environ.get("CI"):
            raise AssertionError("Spark's tests need Java 17 or later (java on PATH or JAVA_HOME)")
        pytest.skip("Spark needs Java 17 or later (java on PATH or JAVA_HOME); optional locally",
                    allow_module_level=True)


def population(count: int, seed: int = 16) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for number in range(count):
        row: dict[str, Any] = {"id": f"s{number:07d}"}
        for entry in FIELDS.values():
            if entry.kind == "age":
                roll = rng.random()
                if roll < 0.1:
                    row[AGE_MONTHS] = rng.randint(0, 80)
                elif roll < 0.93:
                    row[AGE_YEARS] = rng.choice([rng.randint(0, 95), round(rng.uniform(0, 30), 2)])
            elif rng.random() < PRESENT[entry.kind]:
                row[entry.name] = _value(rng, entry)
        if number % INVALID_EVERY == INVALID_EVERY - 1:
            row[AGE_YEARS] = -1 if rng.random() < 0.5 else 400
        rows.append(row)
    return rows


def _value(rng: random.Random, entry: Any) -> Any:
    if entry.kind == "category":
        return rng.choice(entry.vocabulary)
    if entry.kind in ("list", "allergy"):
        return rng.sample(entry.examples, rng.choice([0, 1, 1, 2]))
    if entry.kind == "boolean":
        return rng.random() < 0.5
    return round(rng.uniform(3, 140), 1)


def write_jsonl(rows: list[dict[str, Any]], path: Path) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def cli_records(path: Path, out: Path, *args: str) -> list[dict[str, Any]]:
    """``eligibility evaluate PATH --format jsonl --detail full -o OUT ARGS``: its records."""
    code = main(["evaluate", str(path), "--format", "jsonl", "--detail", "full", "-o", str(out), "-q",
                 *args])
    assert code in (0, 1), code
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def assert_rows_match_cli(rows: list[dict[str, Any]], records: list[dict[str, Any]],
                          options: list[str]) -> None:
    """Each output row says what the CLI's record says, record by record."""
    assert len(rows) == len(records)
    for row, record in zip(rows, records, strict=True):
        assert row["id"] == record["profile"], (row["id"], record["profile"])
        if "error" in record:
            assert row["error"] == record["error"]["message"], row["id"]
            assert all(row[option] is None for option in options), row["id"]
            continue
        assert row["error"] is None, (row["id"], row["error"])
        pack = record["rule_pack"]
        assert (row["rule_pack"], row["rule_pack_version"], row["rule_pack_digest"]) == (
            pack["name"], pack["version"], pack["digest"])
        answers = {option["id"]: (option["status"], option["missing_fields"])
                   for option in record["options"]}
        assert {option: (row[option], row[f"{option}_missing"]) for option in options} == answers, \
            row["id"]
