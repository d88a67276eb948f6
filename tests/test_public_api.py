"""The public API is small and deliberate: this test pins it."""

from __future__ import annotations

import eligibility


def test_exported_names_are_pinned() -> None:
    assert sorted(eligibility.__all__) == eligibility.__all__
    assert eligibility.__all__ == [
        "Assessment", "EligibilityError", "EngineError", "Evaluator", "OptionAssessment", "Profile",
        "ProfileError", "Reason", "RulePack", "RulePackError", "__version__",
        "available_packs", "evaluate", "explain", "load_pack",
    ]
    for name in eligibility.__all__:
        assert hasattr(eligibility, name), name


def test_errors_share_one_root() -> None:
    for error in (eligibility.ProfileError, eligibility.RulePackError, eligibility.EngineError):
        assert issubclass(error, eligibility.EligibilityError)


def test_library_round_trip() -> None:
    assessment = eligibility.evaluate(eligibility.Profile(age_years=16, severity="severe"))
    record = assessment.model_dump(mode="json")
    assert eligibility.Assessment.model_validate(record) == assessment
    assert assessment.option("tralokinumab").status == "not_candidate"


def test_library_explain_is_the_long_form_the_cli_prints() -> None:
    explanation = eligibility.explain({"age_years": 16, "severity": "severe",
                                       "topical_response": "inadequate"}, option="tralokinumab")
    [option] = explanation.options
    assert option.option.status == "not_candidate"
    [change] = option.changes
    assert change.verified is True and change.change.kind == "wait"
    assert explanation.assessment == eligibility.evaluate(
        {"age_years": 16, "severity": "severe", "topical_response": "inadequate"})
