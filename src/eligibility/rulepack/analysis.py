"""Exhaustive analysis of criteria over equivalence classes of the profile.

A criterion compares one field with a literal threshold or value set, so the thresholds
and value sets of a group of criteria split each field into a few *classes* inside which
every criterion gives the same outcome: ages split at each threshold (in months), list
lengths at each ``min_items``, weights at each ``min_value`` (in grams, as the engine
compares them), categories into their values, booleans into true and false, and every
field has "unknown" besides. Checking one representative per class, for every
combination of classes, therefore checks every profile: no sampling.

The evaluation here is a small independent interpreter of the same three-valued logic
as ``decide.py`` (Kleene any_of; not met beats unknown beats met); a test checks it agrees
with the engine on every boundary profile of the shipped packs.

Questions about being *met* need only known values: Kleene logic is monotone, so a
combination with unknowns that meets a criterion still meets it once the unknowns are
filled in. Those questions enumerate known classes only, which keeps products small.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from pydantic import JsonValue

from eligibility.model.fields import AGE_MONTHS, AGE_YEARS, FIELDS, RuleField, thousandths
from eligibility.rulepack.model import Criterion, Test
from eligibility.rulepack.wording import class_label

Value = int | str | bool | None
Point = Mapping[str, Value]
Outcome = str  # "met" | "not_met" | "unknown"

#: Above this many combinations the analysis refuses rather than run for minutes.
MAX_COMBINATIONS = 2_000_000


#: An allergy list's classes under ``includes`` (the only category it takes is
#: environmental): a label and a real list standing for it, never an invented entry.
OPEN = "open"
ALLERGY_CLASSES: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType({
    "environmental": ("an environmental allergy", ("dust mite",)),
    OPEN: ("no environmental allergy, one left open (NKDA or unclassified)", ("NKDA",)),
    "none": ("no environmental allergy (none known, or only food, drug, venom, other)", ()),
})


class TooManyCombinations(ValueError):
    """The classes of these fields multiply past ``MAX_COMBINATIONS``."""


@dataclass(frozen=True)
class FieldClass:
    """One equivalence class of one field: a representative value and a label for people.

    Numeric representatives are in engine units: months, list length, grams.
    """

    field: str
    value: Value
    label: str


def domain(entry: RuleField) -> tuple[int, int]:
    """A numeric field's values in engine units: age codes (``model/age.py``: 2m is exactly
    m months, 2m+1 strictly between m and m+1), list length, thousandths."""
    if entry.kind == "age":
        return 0, 2 * int(entry.high)
    if entry.kind == "number":
        return thousandths(entry.low), thousandths(entry.high)
    return int(entry.low), int(entry.high)


def cut_point(test: Test) -> int | None:
    """The smallest value meeting a lower-bound test, or the first failing an upper bound."""
    months = test.threshold_months
    if months is not None:  # in age codes: exactly T months is 2T, just over it 2T + 1
        return 2 * months + (1 if test.operator in ("above", "at_most") else 0)
    if test.min_items is not None:
        return test.min_items
    if test.min_value is not None:
        return thousandths(test.min_value)
    return None


def field_classes(field: str, tests: Iterable[Test], *, unknown: bool = True) -> list[FieldClass]:
    """The classes of ``field`` induced by ``tests`` (only those on ``field`` count)."""
    entry = FIELDS[field]
    classes: list[FieldClass] = []
    if entry.kind == "category":
        classes = [FieldClass(field, value, value) for value in entry.vocabulary]
    elif entry.kind == "boolean":
        classes = [FieldClass(field, flag, str(flag).lower()) for flag in (True, False)]
    elif entry.kind == "allergy":
        classes = [FieldClass(field, value, text) for value, (text, _) in ALLERGY_CLASSES.items()]
    else:
        low, high = domain(entry)
        cuts = sorted({c for t in tests if t.field == field
                       if (c := cut_point(t)) is not None and low < c <= high})
        starts = [low, *cuts]
        ends = [*(c - 1 for c in cuts), high]
        classes = [FieldClass(field, start, class_label(field, start, end, high))
                   for start, end in zip(starts, ends, strict=True)]
    if unknown:
        classes.append(FieldClass(field, None, "unknown"))
    return classes


def test_outcome(test: Test, value: Value) -> Outcome:
    """One test on one class representative, in the engine's units."""
    if value is None:
        return "unknown"
    operator = test.operator
    if operator == "includes":
        if value == test.includes:
            return "met"
        return "unknown" if value == OPEN else "not_met"
    if operator == "one_of":
        met = value in (test.one_of or [])
    elif operator == "equals":
        met = value is test.equals
    else:
        cut = cut_point(test)
        assert cut is not None and isinstance(value, int)
        met = value < cut if operator in ("below", "at_most") else value >= cut
    return "met" if met else "not_met"


def criterion_outcome(criterion: Criterion, point: Point) -> Outcome:
    outcomes = [test_outcome(test, point.get(test.field)) for test in criterion.tests]
    if "met" in outcomes:
        return "met"
    return "unknown" if "unknown" in outcomes else "not_met"


def option_status(criteria: Sequence[Criterion], point: Point) -> str:
    outcomes = [criterion_outcome(criterion, point) for criterion in criteria]
    if "not_met" in outcomes:
        return "not_candidate"
    return "needs_information" if "unknown" in outcomes else "candidate"


def fields_of(criteria: Iterable[Criterion]) -> list[str]:
    """The fields the criteria read, in registry order (stable output)."""
    used = {test.field for criterion in criteria for test in criterion.tests}
    return [field for field in FIELDS if field in used]


def class_grid(criteria: Sequence[Criterion], *, unknown: bool,
               extra_tests: Iterable[Test] = ()) -> list[list[FieldClass]]:
    """Per field read by ``criteria``: its classes under all their (and extra) thresholds."""
    tests = [test for criterion in criteria for test in criterion.tests] + list(extra_tests)
    grid = [field_classes(field, tests, unknown=unknown) for field in fields_of(criteria)]
    if math.prod(len(classes) for classes in grid) > MAX_COMBINATIONS:
        raise TooManyCombinations(f"more than {MAX_COMBINATIONS:,} combinations of classes")
    return grid


def combinations(grid: Sequence[Sequence[FieldClass]]) -> Iterator[tuple[FieldClass, ...]]:
    """Every combination of one class per field, in a fixed order."""
    return itertools.product(*grid)


def as_point(combination: Iterable[FieldClass]) -> dict[str, Value]:
    return {cls.field: cls.value for cls in combination}


def can_be_met(criteria: Sequence[Criterion]) -> bool:
    """Whether some profile meets every criterion of ``criteria`` at once."""
    grid = class_grid(criteria, unknown=False)
    return any(all(criterion_outcome(c, point) == "met" for c in criteria)
               for point in map(as_point, combinations(grid)))


def always_met(criterion: Criterion) -> bool:
    """Whether every fully known value of its fields meets ``criterion``."""
    grid = class_grid([criterion], unknown=False)
    return all(criterion_outcome(criterion, as_point(combo)) == "met"
               for combo in combinations(grid))


def profile_of(point: Point) -> dict[str, object]:
    """A profile (JSON-like mapping) standing for a combination of class representatives."""
    profile: dict[str, object] = {}
    for field, value in point.items():
        if value is None:
            continue
        entry = FIELDS[field]
        shown: JsonValue = value
        if entry.kind == "allergy":
            shown = list(ALLERGY_CLASSES[str(value)][1])
        elif entry.kind == "list":
            assert isinstance(value, int)
            shown = [f"{field}_{index + 1}" for index in range(value)]
        elif entry.kind == "age":
            assert isinstance(value, int)
            profile.update(_age_fields(value))
            continue
        elif entry.kind == "number":
            assert isinstance(value, int)
            # The bottom class starts at 0, which the range excludes: half a thousandth.
            shown = value / 1000 if value > 0 else 0.0005
        profile.update((name, item) for name, item in entry.patch(shown).items() if item is not None)
    return profile


def _age_fields(code: int) -> dict[str, object]:
    """A profile age at a class's first code. Odd (strictly between m and m+1 months): an
    ``age_years`` half-way into the month (six decimals keep it strictly inside). Even
    (exactly m months): ``age_years`` m/12 when that decimal is exact, else
    ``age_months`` m, which also holds 2m+1: right for every class but one made of the
    single point m, which no profile without a birth_date and as_of can hold."""
    months, between = divmod(code, 2)
    if between:
        return {AGE_YEARS: round((2 * months + 1) / 24, 6)}
    if months % 3 == 0:
        return {AGE_YEARS: months / 12}
    return {AGE_MONTHS: months}
