"""What the engine can decide: durable-rules' real limit on a pack, refused when it loads.

durable-rules 2.0.28 walks its match network depth first with a fixed stack of 64 nodes
(``MAX_STACK_SIZE`` in its ``events.c``); a fact that needs more fails with error 303
(``ERR_MAX_STACK_SIZE``). A pack past the limit used to pass ``rules check``, and then
every evaluation of a profile with the field known failed. How the compiler
(``engine/compiler.py``) lays a pack out, as one ruleset shared by all its options:

* the sentinel rule and each tested field have nodes at the root; a fact matches the
  sentinel and exactly one node per tested field (its value, or "unknown");
* under a numeric field's "known" node, each distinct comparison (a threshold with
  ``>=``/``<``, from ``at_least``, ``below``, ``min_items``, ``min_value``; or with
  ``>``/``<=``, from ``above``, ``at_most``) has two nodes, and a value matches one.

The engine pushes the matching root nodes, then expands them last first, so a numeric
field can have ``64 - 1 - (tested fields the engine reaches before it)`` comparisons. The
engine reaches fields in the order of their fact keys (``fields.engine_order``; measured:
renaming a field's keys moves its limit, reordering the pack or the registry does not).
The limit is per field and per pack, not per option. An age threshold compares both ends
of the age interval (``model/age.py``), so a fact matches two nodes for each: half the
room (the youngest age sits below every threshold and matches two nodes for each: "not
met", and the first half of "straddles"). Measured with this check bypassed
(``tests/test_pack_capacity.py`` keeps it measured): 31 age thresholds in a pack testing
only age, 32 fail; with every field tested (allergies by their one ``includes`` test), 31
age, 57 conditions and 56 weight thresholds.

No other engine limit binds first: the largest pack within these limits compiles to
1,598 rules, against 4,096 per ruleset (error 106), and a fact has 15 of 255 keys.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from pathlib import Path

from eligibility.model.fields import FIELDS, NUMERIC_KINDS, OPERATORS_BY_KIND, engine_order, thousandths
from eligibility.rulepack.model import Criterion, Option, RulePack, Test

#: durable-rules' ``MAX_STACK_SIZE``: nodes it can hold while matching one fact.
ENGINE_STACK = 64

_FAMILY = {"at_least": ">=", "below": ">=", "min_items": ">=", "min_value": ">=",
           "above": ">", "at_most": ">"}


def comparison_limits(pack: RulePack) -> dict[str, int]:
    """For each numeric field the pack tests, how many distinct comparisons the engine allows."""
    tested = {test.field for criterion in _compiled(pack) for test in criterion.tests
              if _usable(test)}
    limits: dict[str, int] = {}
    ahead = 0
    for entry in engine_order():
        if entry.name not in tested:
            continue
        if entry.kind in NUMERIC_KINDS:
            # An age threshold compares both ends of the age interval: two matches each.
            room = ENGINE_STACK - 1 - ahead
            limits[entry.name] = room // 2 if entry.kind == "age" else room
        ahead += 1
    return limits


def fields_ahead(pack: RulePack, field: str) -> int:
    """How many tested fields the engine reaches before ``field``."""
    tested = {test.field for criterion in _compiled(pack) for test in criterion.tests
              if _usable(test)}
    order = [entry.name for entry in engine_order() if entry.name in tested]
    return order.index(field)


def capacity_problems(pack: RulePack) -> list[str]:
    """One problem per field past its limit, naming the option whose tests cross it."""
    limits = comparison_limits(pack)
    seen: dict[str, set[Hashable]] = {field: set() for field in limits}
    crossed: dict[str, Option] = {}
    for option in pack.options:
        for criterion in resolved_criteria(pack, option):
            for test in criterion.tests:
                comparison = _comparison(test)
                if comparison is not None:
                    seen[test.field].add(comparison)
                    if len(seen[test.field]) > limits[test.field]:
                        crossed.setdefault(test.field, option)
    return [_problem(pack, option, field, len(seen[field]), limits[field])
            for field, option in crossed.items()]


def resolved_criteria(pack: RulePack, option: Option) -> list[Criterion]:
    """``pack.criteria_of(option)`` without the shared ids that failed to load."""
    shared = {criterion.id: criterion for criterion in pack.shared}
    return [shared[rule_id] for rule_id in option.uses if rule_id in shared] + list(option.criteria)


def _problem(pack: RulePack, option: Option, field: str, count: int, limit: int) -> str:
    age = FIELDS[field].kind == "age"
    ahead = fields_ahead(pack, field)
    each = ", and two for each age threshold (both ends of the age interval)" if age else ""
    return (f"{Path(pack.path).name}/options/{option.id}.toml: option '{option.id}': the pack "
            f"compares '{field}' with {count} distinct thresholds, more than the {limit} the "
            f"engine can decide for it (durable-rules follows at most {ENGINE_STACK} matches "
            f"at once: one for the sentinel rule, {ahead} for the fields it reaches before "
            f"'{field}'{each}); use fewer distinct thresholds")


def _compiled(pack: RulePack) -> list[Criterion]:
    """The criteria the compiler turns into rules: those of the options, each once."""
    seen: dict[str, Criterion] = {}
    for option in pack.options:
        for criterion in resolved_criteria(pack, option):
            seen.setdefault(criterion.id, criterion)
    return list(seen.values())


def _usable(test: Test) -> bool:
    """A test the compiler can encode (the others are reported by ``semantics``)."""
    entry = FIELDS.get(test.field)
    return entry is not None and test.operator in OPERATORS_BY_KIND[entry.kind]


def _comparison(test: Test) -> Hashable | None:
    """The engine node pair a numeric test compiles to; ``None`` for the other fields."""
    family = _FAMILY.get(test.operator)
    if family is None or not _usable(test):
        return None
    if test.min_value is not None:
        if not math.isfinite(test.min_value):   # no threshold: ``semantics`` reports it
            return None
        return family, thousandths(test.min_value)  # the engine's own threshold
    if test.min_items is not None:
        return family, test.min_items
    return family, test.threshold_months
