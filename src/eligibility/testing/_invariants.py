"""Invariant checks: plain functions that raise ``AssertionError`` saying what went wrong.

They use explicit ``raise`` rather than ``assert`` statements so that they still check
under ``python -O``. Each reads what it needs from the rule pack, so a check written
today holds for a pack written tomorrow. Where a check needs "the truth" it uses the
reference semantics in ``_packs.py``, written independently of the engine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

from eligibility.engine.evaluation import evaluate
from eligibility.model.assessment import Assessment, Status
from eligibility.model.fields import AGE, FIELDS, field_of
from eligibility.model.profile import Profile
from eligibility.rulepack.model import RulePack
from eligibility.rulepack.wording import months_text, requirement_text, value_text
from eligibility.testing._packs import (
    MAX_MONTHS,
    PackLike,
    age_tests,
    criterion_outcome,
    known,
    limits_of,
    outcome,
    pack_argument,
    resolve,
)

_RANK: dict[str, int] = {"not_candidate": 0, "needs_information": 1, "candidate": 2}


def _fail(message: str) -> None:
    raise AssertionError(message)


def _status_of(outcomes: Sequence[str]) -> Status:
    if "not_met" in outcomes:
        return "not_candidate"
    return "needs_information" if "unknown" in outcomes else "candidate"


def assert_well_formed(assessment: Assessment, rules: PackLike = None, *,
                       rulepack: PackLike = None) -> None:
    """The assessment has the pack's options and criteria, in order, and adds up.

    Each status follows from its reasons (any not met → not_candidate, else any unknown
    → needs_information, else candidate); every unknown names the fields that would
    decide it and nothing else does; the JSON record reads back to the same assessment.
    """
    pack = resolve(pack_argument(rules, rulepack, "assert_well_formed"))
    ref = assessment.rule_pack
    if (ref.name, ref.version, ref.digest) != (pack.info.name, pack.info.version, pack.digest):
        _fail(f"assessment was made with pack {ref.name} {ref.version} ({ref.digest}), "
              f"not {pack.info.name} {pack.info.version} ({pack.digest})")
    got = [option.id for option in assessment.options]
    if got != pack.option_ids:
        _fail(f"options {got} differ from the pack's {pack.option_ids}")
    for option in assessment.options:
        expected = [criterion.id for criterion in pack.criteria_of(pack.option(option.id))]
        reasons = [reason.criterion for reason in option.reasons]
        if reasons != expected:
            _fail(f"{option.id}: reasons {reasons} differ from the pack's criteria {expected}")
        status = _status_of([reason.outcome for reason in option.reasons])
        if option.status != status:
            _fail(f"{option.id}: status {option.status!r} but its reasons make it {status!r}")
        for reason in option.reasons:
            if (reason.outcome == "unknown") != bool(reason.missing_fields):
                _fail(f"{option.id}: {reason.criterion} is {reason.outcome} with missing "
                      f"fields {reason.missing_fields}; only an unknown names missing fields")
        union = sorted({name for reason in option.reasons for name in reason.missing_fields})
        if list(option.missing_fields) != union:
            _fail(f"{option.id}: missing_fields {option.missing_fields} are not the union "
                  f"{union} of its reasons'")
    if Assessment.model_validate_json(assessment.model_dump_json()) != assessment:
        _fail("the assessment does not survive a JSON round trip")


def assert_unknown_never_not_met(profile: Profile, assessment: Assessment,
                                 rules: PackLike = None, *, rulepack: PackLike = None) -> None:
    """Missing data never counts against a patient, nor for them.

    A criterion is ``not_met`` only when every field it reads is known, ``met`` only when
    one is; a criterion whose fields are all unknown is ``unknown``, and each missing
    field an unknown names is really missing from the profile.
    """
    pack = resolve(pack_argument(rules, rulepack, "assert_unknown_never_not_met"))
    criteria = {criterion.id: criterion for criterion in pack.all_criteria()}
    for option in assessment.options:
        for reason in option.reasons:
            criterion = criteria[reason.criterion]
            fields_known = {name: known(profile, name) for name in criterion.fields}
            if reason.outcome == "not_met" and not all(fields_known.values()):
                unknown = [name for name, ok in fields_known.items() if not ok]
                _fail(f"{option.id}: {reason.criterion} is not_met although {unknown} "
                      "is unknown; unknown must never read as not met")
            if reason.outcome != "unknown" and not any(fields_known.values()):
                _fail(f"{option.id}: {reason.criterion} is {reason.outcome} although every "
                      f"field it reads ({criterion.fields}) is unknown")
            for name in reason.missing_fields:
                entry = field_of(name)
                left_open = entry is not None and entry.kind == "allergy"  # NKDA, unclassified
                if getattr(profile, name) is not None and not left_open:
                    _fail(f"{option.id}: {reason.criterion} names {name} as missing, but the "
                          "profile gives it")


def assert_label_limits(profile: Profile, assessment: Assessment,
                        rules: PackLike = None, *, rulepack: PackLike = None) -> None:
    """Every candidate is within the option's age and weight limits in ``rulepack``.

    ``rules`` is the reference (the default pack unless given): pass the pack you
    trust to check an assessment made by another. A known age or weight outside a limit
    must make the option ``not_candidate``; a candidate must have every limit met.
    """
    pack = resolve(pack_argument(rules, rulepack, "assert_label_limits"))
    for option in assessment.options:
        if option.id not in pack.option_ids:
            continue
        for criterion, test in limits_of(pack, pack.option(option.id)):
            result = outcome(test, profile)
            value = value_text(profile, test.field)
            if option.status == "candidate" and result != "met":
                _fail(f"{option.id} is a candidate for a patient whose {test.field} is "
                      f"{value}, but its limit {criterion.id} requires "
                      f"{requirement_text(test)}")
            if result == "not_met" and option.status != "not_candidate":
                _fail(f"{option.id} is {option.status} for a patient whose {test.field} is "
                      f"{value}, outside its limit {criterion.id} ({requirement_text(test)}); "
                      "it must be not_candidate")


def assert_label_limits_at_all_ages(profile: Profile, rules: PackLike = None,
                                    reference: PackLike = None, *,
                                    rulepack: PackLike = None) -> None:
    """``assert_label_limits`` with the profile moved to every age that matters.

    The profile is evaluated with ``rules`` at each age one month either side of every
    age threshold of ``rules`` and of ``reference`` (by default the same pack), and each
    assessment is checked against ``reference``'s limits. One drawn profile thus probes
    every age limit, so a threshold moved by a month is caught within a few examples.
    """
    pack = resolve(pack_argument(rules, rulepack, "assert_label_limits_at_all_ages"))
    truth = pack if reference is None else resolve(reference)
    for aged, assessment in _aged(profile, pack, [pack, truth]):
        assert_label_limits(aged, assessment, truth)


def _aged(profile: Profile, pack: RulePack,
          probes_from: Sequence[RulePack]) -> list[tuple[Profile, Assessment]]:
    """The profile at every probe age (age given in months only), assessed with ``pack``."""
    result = []
    for months in _probe_ages(profile, probes_from):
        aged = profile.model_copy(update=FIELDS[AGE].patch(months))
        result.append((aged, evaluate(aged, rules=pack)))
    return result


def _probe_ages(profile: Profile, packs: Sequence[RulePack]) -> list[int]:
    probes = {0, MAX_MONTHS}
    for pack in packs:
        for option in pack.options:
            for test in age_tests(pack, option):
                limit = test.threshold_months or 0
                probes.update(m for m in (limit - 1, limit, limit + 1) if 0 <= m <= MAX_MONTHS)
    if profile.age is not None:
        probes.add(min(MAX_MONTHS, math.floor(profile.age.low)))
    return sorted(probes)


def assert_agrees_with_reference(profile: Profile, assessment: Assessment,
                                 rules: PackLike = None, *, rulepack: PackLike = None) -> None:
    """Every criterion's outcome is what the pack's rules say, read independently.

    The reference reads each test's meaning straight from the pack (completed months
    for ages, whole grams for weights, Kleene OR for any_of), not through the engine.
    """
    pack = resolve(pack_argument(rules, rulepack, "assert_agrees_with_reference"))
    criteria = {criterion.id: criterion for criterion in pack.all_criteria()}
    for option in assessment.options:
        for reason in option.reasons:
            expected = criterion_outcome(criteria[reason.criterion], profile)
            if reason.outcome != expected:
                _fail(f"{option.id}: {reason.criterion} is {reason.outcome} but the rule "
                      f"({reason.requirement}) with {reason.patient_value} gives {expected}")


def assert_monotone_in_age(profile: Profile, option: str, rules: PackLike = None, *,
                           rulepack: PackLike = None) -> None:
    """Age only moves an option's status the way its age limits point.

    With lower limits only (``at_least``, ``above``), being older never loses the
    option; with upper limits only, being younger never does; with both, the status
    rises then falls; with none, age changes nothing. Ages probed: either side of each
    threshold, the profile's own age, and the ends of the range.
    """
    pack = resolve(pack_argument(rules, rulepack, "assert_monotone_in_age"))
    _check_monotone(pack, option, _aged(profile, pack, [pack]))


def _check_monotone(pack: RulePack, option: str,
                    aged: Sequence[tuple[Profile, Assessment]]) -> None:
    tests = age_tests(pack, pack.option(option))
    lower = any(test.operator in ("at_least", "above") for test in tests)
    upper = any(test.operator in ("below", "at_most") for test in tests)
    seen = [(profile.age_months or 0, assessment.option(option).status)
            for profile, assessment in aged]
    ranks = [_RANK[status] for _, status in seen]
    peak = ranks.index(max(ranks))
    ok = {(True, False): _rises(ranks),
          (False, True): _rises(ranks[::-1]),
          (True, True): _rises(ranks[:peak + 1]) and _rises(ranks[peak:][::-1]),
          (False, False): len(set(ranks)) == 1}[(lower, upper)]
    if not ok:
        path = ", ".join(f"{months_text(m)}: {status}" for m, status in seen)
        kind = {(True, False): "lower limits only, so being older must never lose it",
                (False, True): "upper limits only, so being younger must never lose it",
                (True, True): "an age window, so the status must rise then fall",
                (False, False): "no age limit, so age must change nothing"}[(lower, upper)]
        _fail(f"{option}: {kind}; by age: {path}")


def _rises(ranks: Sequence[int]) -> bool:
    return all(a <= b for a, b in pairwise(ranks))


def assert_dropping_never_creates_candidate(profile: Profile, rules: PackLike = None, *,
                                            rulepack: PackLike = None) -> None:
    """Knowing less never helps nor hurts: dropping a field never creates a candidate or
    a not_candidate; it can only turn a decided option into needs_information."""
    pack = resolve(pack_argument(rules, rulepack, "assert_dropping_never_creates_candidate"))
    before = evaluate(profile, rules=pack).statuses()
    for name in profile.known_fields():
        entry = field_of(name)  # all of a rule field's profile fields (age: years, months)
        dropped = {name} | set(entry.profile_fields if entry is not None else ())
        for fields in ({name}, dropped):
            less = profile.model_copy(update=dict.fromkeys(fields))
            after = evaluate(less, rules=pack).statuses()
            for option, status in after.items():
                if status != "needs_information" and status != before[option]:
                    _fail(f"{option}: dropping {sorted(fields)} turned {before[option]} into "
                          f"{status}; losing information may only give needs_information")


def assert_deterministic(profile: Profile, rules: PackLike = None, *,
                         rulepack: PackLike = None) -> None:
    """The same profile gives the same JSON record, byte for byte, as a model or a dict."""
    pack = resolve(pack_argument(rules, rulepack, "assert_deterministic"))
    first = evaluate(profile, rules=pack).model_dump_json()
    again = evaluate(profile, rules=pack).model_dump_json()
    as_dict = evaluate(profile.model_dump(mode="json", exclude_none=True),
                       rules=pack).model_dump_json()
    if not first == again == as_dict:
        _fail("evaluating the same profile twice, or as a dict, gave different records")


def assert_invariants(profile: Profile, rules: PackLike = None, *,
                      rulepack: PackLike = None) -> None:
    """Evaluate ``profile`` and run every check above against the same pack."""
    pack: RulePack = resolve(pack_argument(rules, rulepack, "assert_invariants"))
    assessment = evaluate(profile, rules=pack)
    assert_well_formed(assessment, pack)
    assert_unknown_never_not_met(profile, assessment, pack)
    assert_label_limits(profile, assessment, pack)
    assert_agrees_with_reference(profile, assessment, pack)
    assert_deterministic(profile, pack)
    assert_dropping_never_creates_candidate(profile, pack)
    aged = _aged(profile, pack, [pack])  # shared by the two checks over ages
    for older, its_assessment in aged:
        assert_label_limits(older, its_assessment, pack)
    for option in pack.option_ids:
        _check_monotone(pack, option, aged)
