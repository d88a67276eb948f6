"""Rule packs: declarative TOML knowledge, validated against the profile when loaded."""

from eligibility.rulepack.loader import available_packs, default_pack, load_pack
from eligibility.rulepack.model import Criterion, Option, RulePack, Test, WorkedCase

__all__ = ["Criterion", "Option", "RulePack", "Test", "WorkedCase", "available_packs",
           "default_pack", "load_pack"]
