"""eligibility: which immunotherapy options may a patient with atopic dermatitis be a
candidate for, and exactly why. A decision aid for clinicians; never a prescription.

>>> from eligibility import evaluate
>>> evaluate({"age_years": 16, "severity": "severe"}).option("tralokinumab").status
'not_candidate'

To evaluate many profiles against one pack, prepare it once and hold it:

>>> from eligibility import Evaluator, load_pack
>>> evaluator = Evaluator(load_pack("article-2023"))
>>> evaluator.evaluate({"age_years": 30, "severity": "severe"}).option("tralokinumab").status
'needs_information'

The long form of one profile, each suggested change checked by evaluating again:

>>> from eligibility import explain
>>> explain({"age_years": 16, "severity": "severe"}, option="tralokinumab").options[0].changes[0].verified
True
"""

from __future__ import annotations

from eligibility.engine.evaluation import Evaluator, evaluate
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
    "Evaluator",
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
