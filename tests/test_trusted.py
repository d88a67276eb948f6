"""``assessment.trusted`` builds the same models as pydantic's ``model_construct``."""

from __future__ import annotations

from eligibility import evaluate
from eligibility.model.assessment import OptionAssessment, Reason, trusted


def test_trusted_equals_model_construct_and_serialises_the_same() -> None:
    option = evaluate({"age_years": 16, "severity": "severe"}).option("tralokinumab")
    for model, instance in [(OptionAssessment, option), (Reason, option.reasons[0])]:
        values = dict(instance.__dict__)
        fast = trusted(model, **values)
        slow = model.model_construct(**values)
        assert fast == slow
        assert fast.model_dump_json() == slow.model_dump_json()
        assert fast.model_fields_set == slow.model_fields_set
        assert model.model_validate(fast.model_dump()) == fast
