"""Every worked case shipped beside the rules, as one parametrised test.

A case names the expected status of options and, optionally, which criteria were met,
not met or unknown: the test checks *why* as well as *what*.
"""

from __future__ import annotations

import pytest

from eligibility import available_packs, evaluate
from eligibility.rulepack import RulePack, WorkedCase

PACK_CASES = [(pack, case) for pack in available_packs() for case in pack.cases]


@pytest.mark.parametrize(("pack", "case"), PACK_CASES,
                         ids=[f"{pack.name}:{case.name}" for pack, case in PACK_CASES])
def test_worked_case(pack: RulePack, case: WorkedCase) -> None:
    assessment = evaluate(case.profile, rules=pack, as_of=case.as_of)
    for option_id in case.expect:
        expected = case.expectation(option_id)
        assert expected is not None
        option = assessment.option(option_id)
        outcomes = {reason.criterion: reason.outcome for reason in option.reasons}
        assert option.status == expected.status, (case.description, option_id, outcomes)
        for outcome, rule_ids in (("met", expected.met), ("not_met", expected.not_met),
                                  ("unknown", expected.unknown)):
            for rule_id in rule_ids:
                assert outcomes[rule_id] == outcome, (case.name, option_id, rule_id, outcomes)


@pytest.mark.parametrize("pack", available_packs(), ids=lambda pack: pack.name)
def test_cases_show_every_status_of_every_option(pack: RulePack) -> None:
    """The issue's bar: each option can come out as each status, shown by a worked case."""
    seen: dict[str, set[str]] = {option_id: set() for option_id in pack.option_ids}
    for case in pack.cases:
        assessment = evaluate(case.profile, rules=pack, as_of=case.as_of)
        for option in assessment.options:
            if option.id in case.expect:
                seen[option.id].add(option.status)
    for option_id, statuses in seen.items():
        assert statuses == {"candidate", "not_candidate", "needs_information"}, (option_id, statuses)


def test_default_pack_has_the_five_options() -> None:
    ids = [option.id for option in evaluate({}).options]
    assert ids == ["dupilumab", "tralokinumab", "allergen_immunotherapy", "lebrikizumab",
                   "nemolizumab"]
