"""Small rule packs written by tests: one sound pack to start from, and options made of tests.

The untrusted-pack tests damage a copy of a sound pack in one way each; the engine-limit
tests need options with a chosen number of distinct thresholds. Writing them here keeps
each test to the one thing it breaks.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path

from eligibility.model.fields import FIELDS

HEAD = """[pack]
name = "built"
version = "0.0.1"
as_of = 2024-01-01
options = [{options}]
title = "A pack written by a test"

[[sources]]
id = "doc"
title = "A document"
"""

OPTION = """id = "{id}"
name = "Option {id}"
kind = "approved_biologic"
evidence = "approved"
summary = "A made-up option."
"""

CRITERION = """
[[criteria]]
id = "{option}.c{index}"
title = "A criterion"
rationale = "Why it matters."
source = {{ document = "doc", section = "One" }}
evidence = "approved"
{test}
"""


def write_pack(folder: Path, options: Mapping[str, Iterable[str]], per_criterion: int = 8
               ) -> Path:
    """A pack whose option ``id`` has the tests (TOML inline tables) given.

    Tests are grouped ``per_criterion`` at a time into ``any_of`` criteria (8, the most a
    criterion may have), so that many tests fit in the criteria an option may have.
    """
    (folder / "options").mkdir(parents=True)
    listed = ", ".join(f'"{option}"' for option in options)
    (folder / "pack.toml").write_text(HEAD.format(options=listed), encoding="utf-8")
    for option, tests in options.items():
        every = list(tests)
        groups = [every[i:i + per_criterion] for i in range(0, len(every), per_criterion)]
        body = OPTION.format(id=option) + "".join(
            CRITERION.format(option=option, index=index, test=_test_or_any_of(group))
            for index, group in enumerate(groups))
        (folder / "options" / f"{option}.toml").write_text(body, encoding="utf-8")
    return folder


def _test_or_any_of(tests: list[str]) -> str:
    return f"test = {tests[0]}" if len(tests) == 1 else f"any_of = [{', '.join(tests)}]"


def ages(count: int, operator: str = "at_least", start: int = 1) -> list[str]:
    """``count`` age tests with distinct thresholds, in months from ``start``."""
    return [f'{{ field = "age", {operator} = "{start + i} months" }}' for i in range(count)]


def weights(count: int, start: int = 1) -> list[str]:
    return [f'{{ field = "weight_kg", min_value = {start + i} }}' for i in range(count)]


def list_counts(field: str, count: int) -> list[str]:
    return [f'{{ field = "{field}", min_items = {i} }}' for i in range(count)]


def one_test_per_other_field(numeric: str) -> list[str]:
    """One test on every rule field except ``numeric``: each adds to the engine's stack."""
    tests = {
        "age": ages(1),
        "severity": ['{ field = "severity", one_of = ["severe"] }'],
        "topical_response": ['{ field = "topical_response", one_of = ["adequate"] }'],
        "systemic_response": ['{ field = "systemic_response", one_of = ["adequate"] }'],
        "allergy_eczema_link": ['{ field = "allergy_eczema_link", equals = true }'],
        "allergies": ['{ field = "allergies", includes = "environmental" }'],
        "conditions": list_counts("conditions", 1),
        "weight_kg": weights(1),
    }
    return [test for field, group in tests.items() if field != numeric for test in group]


def numeric_tests(field: str, count: int) -> list[str]:
    """``count`` distinct thresholds on one numeric field."""
    if field == "age":
        return ages(count)
    if field == "weight_kg":
        return weights(count, start=100)
    return list_counts(field, count)


def every_category_test() -> list[str]:
    """Every ordering of every value subset: the most distinct category tests a pack can have."""
    tests = []
    for field, vocabulary in [(name, entry.vocabulary) for name, entry in FIELDS.items()
                              if entry.kind == "category"]:
        for size in range(1, len(vocabulary) + 1):
            for values in itertools.permutations(vocabulary, size):
                listed = ", ".join(f'"{value}"' for value in values)
                tests.append(f'{{ field = "{field}", one_of = [{listed}] }}')
    return [*tests, '{ field = "allergy_eczema_link", equals = true }',
            '{ field = "allergy_eczema_link", equals = false }']
