"""eligibility: which immunotherapy options may a patient with atopic dermatitis be a
candidate for, and exactly why. A decision aid for clinicians; never a prescription.

>>> from eligibility import evaluate
>>> evaluate({"age_years": 16, "severity": "severe"}).option("tralokinumab").status
'not_candidate'
>>> explain({"age_years": 16, "severity": "severe"}, option="tralokinumab").options[0].changes[0].verified
True
"""

from __future__ import annotations

from eligibility.engine.evaluation import evaluate
from eligibility.engine.explanation import explain
from eligibility.errors import EligibilityError, EngineError, ProfileError, RulePackError
from eligibility.model.assessment import Assessment, OptionAssessment, Reason
from eligibility.model.profile import Profile
from eligibility.rulepack import RulePack, available_packs, load_pack

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "EligibilityError",
    "EngineError",
    "OptionAssessment",
    "Profile",
    "ProfileError",
    "Reason",
    "RulePack",
    "RulePackError",
    "__version__",
    "available_packs",
    "evaluate",
    "explain",
    "load_pack",
]
