"""Rule packs: declarative TOML knowledge, validated against the profile when loaded."""

from .loader import available_packs, default_pack, load_pack
from .model import Criterion, Option, RulePack, Test, WorkedCase

__all__ = ["Criterion", "Option", "RulePack", "Test", "WorkedCase", "available_packs",
           "default_pack", "load_pack"]
