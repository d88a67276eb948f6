"""Turns a rule pack into the engine's input: atomic tests, Rete rules and fact encoding.

durable-rules compares loosely (``'9' >= 18`` is true), hashes field names to 32 bits and
treats some keys as its own bookkeeping. So the engine never sees a profile. It sees a
*fact* this module builds: a handful of whitelisted short keys, each holding a bounded
integer, with an explicit code for "unknown". Every atomic test becomes rules that cover
each outcome class (met, not met, unknown) with exactly one rule able to match, and no
rule uses ``or`` or a lone negation. The engine module checks that exactly one fired.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from eligibility.engine.facts import FactText
from eligibility.errors import RulePackError
from eligibility.model.fields import FIELDS, NUMERIC_KINDS, RuleField, fact_keys, thousandths
from eligibility.model.profile import Profile
from eligibility.rulepack.capacity import capacity_problems
from eligibility.rulepack.model import RulePack, Test

Outcome = Literal["met", "not_met", "unknown"]
OUTCOME_CODES: dict[str, Outcome] = {"m": "met", "n": "not_met", "u": "unknown"}

#: Keys the engine itself reads or writes; no fact key may equal one of them.
RESERVED_KEYS = ("sid", "id", "$s", "z")
SENTINEL_RULE = "sentinel"

_COMPARE = {"at_least": ("$gte", "$lt"), "above": ("$gt", "$lte"),
            "below": ("$lt", "$gte"), "at_most": ("$lte", "$gt"),
            "min_items": ("$gte", "$lt"), "min_value": ("$gte", "$lt")}


@dataclass(frozen=True)
class AtomicTest:
    """One comparison the engine decides, shared by every criterion that uses it."""

    index: int
    test: Test


@dataclass(frozen=True)
class CompiledPack:
    """A pack ready for the engine: its distinct tests and the durable-rules ruleset.

    Frozen, because one is shared by every caller of an evaluator and the engine re-reads
    the ruleset when it rebuilds it (after a fork or a C error): the ruleset is kept as
    the JSON text the engine is given, and ``rules`` hands out a fresh copy.
    """

    pack: RulePack
    tests: tuple[AtomicTest, ...]
    rules_json: str
    fact_keys: tuple[str, ...]
    criterion_tests: Mapping[str, tuple[int, ...]]
    #: Writes a fact's keys and values, remembering each field's part (``engine/facts.py``).
    fact_text: FactText = field(init=False, repr=False, compare=False)

    @property
    def rules(self) -> dict[str, Any]:
        """The durable-rules ruleset, a fresh copy each time (changing it changes nothing)."""
        rules: dict[str, Any] = json.loads(self.rules_json)
        return rules

    @property
    def rule_names(self) -> tuple[str, ...]:
        """The name of every rule in the ruleset, the sentinel first."""
        return tuple(self.rules)

    def fact_json(self, profile: Profile, sid: str, number: int = 0) -> str:
        """The fact for one profile, as the JSON text durable-rules reads.

        Built by hand from integers and a hex session id: nothing from the profile can
        reach the engine as a string, a float or a key.
        """
        return f'{{"sid":"{sid}","id":"{number:d}","z":1,{self.fact_text(profile)}}}'

    def __post_init__(self) -> None:
        object.__setattr__(self, "fact_text", FactText(self.fact_keys))


def compile_pack(pack: RulePack) -> CompiledPack:
    """Refuses a pack the engine cannot decide (also one built in memory, not loaded)."""
    problems = capacity_problems(pack)
    if problems:
        raise RulePackError(problems)
    tests: list[AtomicTest] = []
    index: dict[str, int] = {}
    criterion_tests: dict[str, tuple[int, ...]] = {}
    for criterion in pack.all_criteria():
        slots = []
        for test in criterion.tests:
            key = test.model_dump_json()
            if key not in index:
                index[key] = len(tests)
                tests.append(AtomicTest(len(tests), test))
            slots.append(index[key])
        criterion_tests[criterion.id] = tuple(slots)
    rules: dict[str, Any] = {SENTINEL_RULE: {"all": [{"m": {"z": 1}}]}}
    for atomic in tests:
        rules.update(_rules_for(atomic))
    return CompiledPack(pack, tuple(tests), json.dumps(rules), fact_keys(),
                        MappingProxyType(criterion_tests))


def _rules_for(atomic: AtomicTest) -> dict[str, Any]:
    test = atomic.test
    entry = FIELDS[test.field]
    name = f"t{atomic.index}"
    out: dict[str, Any] = {}
    if entry.kind == "age":
        return _age_rules(name, entry, test)
    if entry.kind in NUMERIC_KINDS:
        value_key, known_key = entry.fact_keys
        threshold = _threshold(test)
        met_op, not_op = _COMPARE[test.operator]
        out[f"{name}_m_0"] = _all({"$and": [{known_key: 1}, {met_op: {value_key: threshold}}]})
        out[f"{name}_n_0"] = _all({"$and": [{known_key: 1}, {not_op: {value_key: threshold}}]})
        out[f"{name}_u_0"] = _all({known_key: 0})
        return out
    if entry.kind == "allergy":
        return _allergy_rules(name, entry)
    (key,) = entry.fact_keys
    vocabulary: tuple[object, ...] = entry.vocabulary if entry.kind == "category" else (False, True)
    wanted: list[object] = list(test.one_of or []) if entry.kind == "category" else [test.equals]
    for code, value in enumerate(vocabulary, start=1):
        outcome = "m" if value in wanted else "n"
        out[f"{name}_{outcome}_{code}"] = _all({key: code})
    out[f"{name}_u_0"] = _all({key: 0})
    return out


#: Per age operator: the comparison of the low code that meets it, and of the high code
#: that fails it (``model/age.py``: met when the whole interval meets it, and so on).
_AGE_COMPARE = {"at_least": (("$gte", "a"), ("$lt", "h")), "above": (("$gt", "a"), ("$lte", "h")),
                "below": (("$lt", "h"), ("$gte", "a")), "at_most": (("$lte", "h"), ("$gt", "a"))}
_OPPOSITE = {"$gte": "$lt", "$lt": "$gte", "$gt": "$lte", "$lte": "$gt"}


def _age_rules(name: str, entry: RuleField, test: Test) -> dict[str, Any]:
    """An age test on the interval's codes: met, not met, unknown (age unknown, or the
    interval straddles the threshold: neither comparison holds)."""
    low_key, high_key, known_key = entry.fact_keys
    keys = {"a": low_key, "h": high_key}
    limit = 2 * (test.threshold_months or 0)
    (met_op, met_end), (not_op, not_end) = _AGE_COMPARE[test.operator]
    met = {met_op: {keys[met_end]: limit}}
    failed = {not_op: {keys[not_end]: limit}}
    straddles = [{_OPPOSITE[met_op]: {keys[met_end]: limit}},
                 {_OPPOSITE[not_op]: {keys[not_end]: limit}}]
    return {f"{name}_m_0": _all({"$and": [{known_key: 1}, met]}),
            f"{name}_n_0": _all({"$and": [{known_key: 1}, failed]}),
            f"{name}_u_0": _all({known_key: 0}),
            f"{name}_u_1": _all({"$and": [{known_key: 1}, *straddles]})}
def _allergy_rules(name: str, entry: RuleField) -> dict[str, Any]:
    """``includes = "environmental"``: met with an environmental entry; not met when the
    list is known and every entry is classified and none environmental; unknown when the
    list is unknown, or has no environmental entry but one that leaves it open."""
    count_key, known_key, open_key = entry.fact_keys
    none_wanted = [{known_key: 1}, {"$lt": {count_key: 1}}]
    return {f"{name}_m_0": _all({"$and": [{known_key: 1}, {"$gte": {count_key: 1}}]}),
            f"{name}_n_0": _all({"$and": [*none_wanted, {"$lt": {open_key: 1}}]}),
            f"{name}_u_0": _all({known_key: 0}),
            f"{name}_u_1": _all({"$and": [*none_wanted, {"$gte": {open_key: 1}}]})}


def _all(condition: dict[str, Any]) -> dict[str, Any]:
    return {"all": [{"m": condition}]}


def _threshold(test: Test) -> int:
    if test.threshold_months is not None:
        return test.threshold_months
    if test.min_items is not None:
        return test.min_items
    assert test.min_value is not None
    return thousandths(test.min_value)


def fnv1a_32(text: str) -> int:
    """The 32-bit FNV-1a hash durable-rules files field names under (see its state.c)."""
    value = 0x811C9DC5
    for byte in text.encode():
        value ^= byte if byte < 0x80 else byte - 0x100 & 0xFFFFFFFF
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value
