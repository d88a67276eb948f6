"""What would change the answer: for each criterion that blocks an option, the changes
to the profile that would make it met, derived from the rule's own test.

Nothing here is written per rule: a test's operator and threshold say what would meet
it, and the patient's value says how far away that is. Each change carries a JSON Merge
Patch (RFC 7396) so that "apply the suggested change and evaluate again" is something a
test, or ``eligibility explain``, can actually do. This module never evaluates: it is
pure Python over the pack and the profile, cheap enough to run inside every
``evaluate`` (records are built with ``model_construct`` from values made here).

Smallest change first, per option: ``fill_in`` (the field is unknown: ask) before
``change`` (a known value would have to differ) before ``wait`` (an age not yet reached,
shorter waits first) before ``never``; ties keep the order of the option's criteria and
of the alternatives of an ``any_of``.

Remembered records are shared between assessments, so they are immutable: ``values`` is
a tuple and ``patch`` a read-only mapping whose lists are tuples (``apply_patch`` turns
them back into a JSON object). ``Changes`` remembers them by value; each evaluator owns one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from eligibility.cache import BoundedCache
from eligibility.engine.compiler import CompiledPack, Outcome
from eligibility.model.age import AgeInterval
from eligibility.model.age import outcome as age_outcome
from eligibility.model.assessment import (
    Counterfactual,
    CounterfactualKind,
    OptionAssessment,
    PatchValue,
)
from eligibility.model.fields import FIELDS, RuleField
from eligibility.model.profile import Profile
from eligibility.rulepack.model import Criterion, Test
from eligibility.rulepack.wording import label, months_text, needed_text, value_words

#: How changes sort, smallest first, by kind (records rebuilt from brief ones use it too).
KIND_RANK: dict[CounterfactualKind, int] = {"fill_in": 0, "change": 1, "enter": 1, "wait": 2,
                                            "never": 3}
_LOWER = ("at_least", "above")
#: The most combinations ``combined_patch`` tries before giving up on a conflict.
MAX_COMBINATIONS = 4096
#: Remembered cases per evaluator (``cache.BoundedCache``: forgotten all at once when full).
MAX_CACHED = 20_000


class Changes:
    """The counterfactuals of one compiled pack, remembered by value; an evaluator owns one.

    A criterion's changes depend only on the criterion, its test outcomes and the
    patient's values for the fields it reads (never on how they are shown: two different
    allergy lists can read the same), so they are remembered under exactly those.
    """

    __slots__ = ("_memo", "_shapes")

    def __init__(self, compiled: CompiledPack, limit: int = MAX_CACHED) -> None:
        #: Each criterion's engine test slots and the fields it reads.
        self._shapes: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
            criterion.id: (compiled.criterion_tests[criterion.id], tuple(criterion.fields))
            for criterion in compiled.pack.all_criteria()}
        self._memo: BoundedCache[tuple[object, ...], tuple[tuple[int, int, Counterfactual], ...]]
        self._memo = BoundedCache(limit)

    def of(self, criteria: Sequence[Criterion], profile: Profile,
           outcomes: Sequence[Outcome]) -> tuple[Counterfactual, ...]:
        """Every change that would meet a blocking criterion of one option, smallest first.

        ``outcomes`` are the engine's test outcomes; a criterion blocks unless one of its
        tests is met (for a single test: unless it is met).
        """
        ranked: list[tuple[int, int, int, int, Counterfactual]] = []
        for position, criterion in enumerate(criteria):
            slots, fields = self._shapes[criterion.id]
            test_outcomes = tuple([outcomes[slot] for slot in slots])
            if "met" in test_outcomes:
                continue
            key = (criterion.id, test_outcomes, *[value_key(profile, name) for name in fields])
            changes = self._memo.get(key)
            if changes is None:
                changes = self._memo.put(key, tuple(
                    (*_size(change), change)
                    for change in for_criterion(criterion, test_outcomes, profile)))
            for alternative, (rank, wait, change) in enumerate(changes):
                ranked.append((rank, wait, position, alternative, change))
        if len(ranked) > 1:
            # (rank, wait, position, alternative) is unique per item: never compares records.
            ranked.sort()
        return tuple(item[4] for item in ranked)


def value_key(profile: Profile, field: str) -> object:
    """The patient's value for a rule field, as a memo key: the value itself, never its text.

    An age is its exact interval (hashable); a list is a tuple.
    """
    value = FIELDS[field].value(profile)
    return tuple(value) if isinstance(value, list) else value


def for_criterion(criterion: Criterion, test_outcomes: Sequence[Outcome],
                  profile: Profile) -> list[Counterfactual]:
    """The changes that would meet one criterion: one per test, none when it is met."""
    if "met" in test_outcomes:
        return []
    return [for_test(criterion.id, test, outcome, profile)
            for test, outcome in zip(criterion.tests, test_outcomes, strict=True)]


def for_test(criterion_id: str, test: Test, outcome: Outcome, profile: Profile) -> Counterfactual:
    """The change that would turn one test that is not met, or unknown, into met."""
    entry = FIELDS[test.field]
    kind = entry.kind
    if kind == "age":
        return _age(criterion_id, test, entry, profile)
    if kind == "allergy":
        return _allergy(criterion_id, test, outcome, profile)
    unknown = outcome == "unknown"
    name = label(test.field)
    now = value_words(profile, test.field)
    needed = needed_text(test)
    values: tuple[str, ...] = ()
    if kind == "category":
        values = tuple(test.one_of or ())
        patch: dict[str, PatchValue] = {test.field: values[0]}
    elif kind == "boolean":
        values = ("true" if test.equals else "false",)
        patch = {test.field: test.equals}
    elif kind == "list":
        count = test.min_items or 0
        items = entry.value(profile)
        patch = {test.field: _list_patch(entry, items if isinstance(items, list) else [], count)}
    else:
        patch = {test.field: test.min_value}
    if unknown:
        return _make(criterion_id, test.field, "fill_in", needed, values, None, None,
                     f"fill in {name}",
                     f"Not yet known: fill in {test.field}; {needed} would meet this rule.",
                     patch)
    sentence = (f"Met with {needed} (now: {now})." if kind == "list"
                else f"Met if {name} were {needed} (it is {now}).")
    return _make(criterion_id, test.field, "change", needed, values, None, None,
                 f"{name}: {needed}", sentence, patch)


def _age(criterion_id: str, test: Test, entry: RuleField, profile: Profile) -> Counterfactual:
    """Age changes on the patient's age interval (``model/age.py``): a wait counts from the
    interval's youngest end, so it never promises too early; "never" only when the whole
    interval is past an upper limit. Patches give completed months (``age_months``)."""
    threshold = test.threshold_months or 0
    operator = test.operator
    needed = needed_text(test)
    # The youngest completed months that meet a lower bound; the oldest for an upper bound
    # (``age_months`` m is m up to m+1 months, so "at most T" needs m = T - 1).
    target = {"at_least": threshold, "above": threshold + 1,
              "at_most": threshold - 1, "below": threshold - 1}[operator]
    field = entry.name
    age = entry.value(profile)
    if not entry.low <= target <= entry.high:
        return _make(criterion_id, field, "never", needed, (), None, None,
                     f"no {entry.label} meets it",
                     f"No {entry.label} a profile can hold is {needed}, so no change meets this "
                     "rule.", {})
    patch: dict[str, PatchValue] = {**entry.patch(target)}
    if age is None:
        return _make(criterion_id, field, "fill_in", needed, (), target, None,
                     f"fill in {entry.label}",
                     f"Not yet known: fill in {' or '.join(entry.profile_fields)}; {needed} "
                     "would meet this rule.", patch)
    assert isinstance(age, AgeInterval)
    if operator in _LOWER:
        wait = max(1, math.ceil(target - age.low))
        when = f"at {months_text(target)}, in {months_text(wait)}"
        return _make(criterion_id, field, "wait", needed, (), target, wait, when,
                     f"Met {when}: the patient is {age.text} and the rule asks "
                     f"for {needed}.", patch)
    if age_outcome(operator, threshold, age) == "unknown":
        return _make(criterion_id, field, "fill_in", needed, (), target, None,
                     f"give the exact {entry.label}",
                     f"The patient is {age.text}, which does not say whether they are {needed}: "
                     f"give the exact {entry.label} ({' or '.join(entry.profile_fields)}).",
                     patch)
    return _make(criterion_id, field, "never", needed, (), target, None, "can no longer be met",
                 f"Can never be met again: the patient is already {age.text}, the "
                 f"rule asks for {needed}, and age only goes up.", {})


def _allergy(criterion_id: str, test: Test, outcome: Outcome, profile: Profile) -> Counterfactual:
    """Which allergens a patient has is for a clinician to enter, never for the aid to
    invent: say what is needed, patch nothing."""
    needed = needed_text(test)
    field = test.field
    if FIELDS[field].value(profile) is None:
        now = "not yet known"
    else:
        verb = "leaves this open" if outcome == "unknown" else "does not meet it"
        now = f"{value_words(profile, field)} {verb}"
    return _make(criterion_id, field, "enter", needed, (), None, None,
                 f"a clinician's entry: {needed}",
                 f"Needs a clinician's entry of {field} ({now}); this rule is met with {needed}. "
                 "The aid does not guess allergens.", {})


def _make(criterion: str, field: str, kind: CounterfactualKind, needed: str,
          values: tuple[str, ...], eligible_at: int | None, wait: int | None, change: str,
          sentence: str, patch: dict[str, PatchValue]) -> Counterfactual:
    # Every value is built above from the validated pack and profile: skip re-validation.
    return Counterfactual.model_construct(
        criterion=criterion, field=field, kind=kind, needed=needed, values=values,
        eligible_at_months=eligible_at, wait_months=wait, change=change, sentence=sentence,
        possible=kind != "never", patch=MappingProxyType(patch))


def _size(change: Counterfactual) -> tuple[int, int]:
    return KIND_RANK[change.kind], change.wait_months or 0


def _list_patch(entry: RuleField, items: list[str], count: int) -> tuple[str, ...]:
    """The patient's items plus placeholders up to ``count`` ("allergy 1", ...)."""
    extra = [f"{entry.singular} {number}" for number in range(len(items) + 1, count + 1)]
    return (*items, *extra)


def apply_patch(profile: Profile | Mapping[str, object],
                patch: Mapping[str, PatchValue]) -> dict[str, object]:
    """The profile as a JSON object with a merge patch applied (null removes a field)."""
    merged: dict[str, object] = (profile.model_dump(exclude_none=True)
                                 if isinstance(profile, Profile) else dict(profile))
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:  # a JSON array where the patch holds a tuple
            merged[key] = list(value) if isinstance(value, (list, tuple)) else value
    return merged


def combined_patch(option: OptionAssessment) -> Mapping[str, PatchValue] | None:
    """One possible change per blocking criterion, merged, smallest first; None if none.

    Two criteria may touch one field: ages and numbers merge to the larger (it meets
    both lower bounds), lists to the longer (both extend the patient's list), and
    categorical values must agree, trying each satisfying value in turn. ``None`` when a
    criterion can never be met or no combination agrees within ``MAX_COMBINATIONS``.
    """
    by_criterion: dict[str, list[Mapping[str, PatchValue]]] = {}
    for change in option.counterfactuals:
        variants = by_criterion.setdefault(change.criterion, [])
        if change.possible:
            variants.extend(_variants(change))
    choices = list(by_criterion.values())
    if any(not choice or choice == [{}] for choice in choices):  # never met, or to be entered
        return None
    for combination in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
        merged: dict[str, PatchValue] = {}
        if all(_merge_into(merged, patch) for patch in combination):
            return MappingProxyType(merged)
    return None


def _variants(change: Counterfactual) -> list[Mapping[str, PatchValue]]:
    """A categorical change may use any of its values; other changes have one patch."""
    entry = FIELDS.get(change.field)
    if entry is not None and entry.kind == "category":
        return [{change.field: value} for value in change.values]
    return [change.patch]


def _merge_into(merged: dict[str, PatchValue], patch: Mapping[str, PatchValue]) -> bool:
    for key, value in patch.items():
        if key not in merged or merged[key] == value:
            merged[key] = value
            continue
        old = merged[key]
        if isinstance(old, (int, float)) and isinstance(value, (int, float)) \
                and not isinstance(old, bool) and not isinstance(value, bool):
            merged[key] = max(old, value)
        elif isinstance(old, tuple) and isinstance(value, tuple):
            merged[key] = old if len(old) >= len(value) else value
        else:
            return False
    return True
