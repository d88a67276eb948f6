"""``rules check`` and ``rules test``: a pack read and analysed, then its worked cases run.

Reading and analysing a pack is the pack's own business (``rulepack/check.py``); running
its worked cases needs the engine, which is why this part lives here, above both.
"""

from __future__ import annotations

from pathlib import Path

from eligibility.engine.evaluation import evaluate
from eligibility.errors import EligibilityError
from eligibility.model.assessment import OptionAssessment
from eligibility.rulepack.check import CheckReport, Problem, read_and_analyse
from eligibility.rulepack.model import RulePack, WorkedCase


def check_pack(name_or_path: str | Path) -> CheckReport:
    """Check one pack folder (or shipped pack name) and report every problem found.

    The worked cases run only when loading and analysis found nothing: a case of a
    broken pack would only repeat what is already reported.
    """
    report = read_and_analyse(name_or_path)
    if report.pack is None or report.problems:
        return report
    problems, cases_run = run_cases(report.pack)
    return CheckReport(report.folder, report.pack, problems, cases_run)


def run_cases(pack: RulePack) -> tuple[list[Problem], int]:
    """Each worked case through the real ``evaluate``; a problem per wrong expectation."""
    problems: list[Problem] = []
    for case in pack.cases:
        try:
            assessment = evaluate(case.profile, rules=pack, as_of=case.as_of)
        except EligibilityError as error:
            problems.append(Problem("case_error", case.file, "", f"case '{case.name}': {error}",
                                    case=case.name))
            continue
        for option_id in case.expect:
            problems.extend(_case_option(case, assessment.option(option_id)))
    return problems, len(pack.cases)


def _case_option(case: WorkedCase, option: OptionAssessment) -> list[Problem]:
    expected = case.expectation(option.id)
    assert expected is not None
    outcomes = {reason.criterion: reason.outcome for reason in option.reasons}
    problems = []
    if option.status != expected.status:
        deciding = [r.criterion for r in option.reasons
                    if r.outcome == {"not_candidate": "not_met",
                                     "needs_information": "unknown"}.get(option.status, "met")]
        shown = ", ".join(deciding) or "none"
        problems.append(Problem(
            "case_mismatch", case.file, deciding[0] if deciding else "",
            f"case '{case.name}': option '{option.id}' expected {expected.status}, the engine "
            f"gives {option.status} (decided by {shown})",
            "fix the rule or the case's expectation", case=case.name))
    for outcome, rule_ids in (("met", expected.met), ("not_met", expected.not_met),
                              ("unknown", expected.unknown)):
        for rule_id in rule_ids:
            if outcomes.get(rule_id) != outcome:
                problems.append(Problem(
                    "case_mismatch", case.file, rule_id,
                    f"case '{case.name}': option '{option.id}' expected {outcome}, the engine "
                    f"gives {outcomes.get(rule_id)}", "fix the rule or the case's expectation",
                    case=case.name))
    return problems
