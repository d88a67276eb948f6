"""The loader after its split: the same names where callers import them, and no crash on a
shared rule that fails validation."""

from __future__ import annotations

import shutil
from pathlib import Path

from eligibility.rulepack import loader
from eligibility.services.pack_check import check_pack

ROOT = Path(__file__).resolve().parents[1]


def test_the_public_names_are_still_importable_from_the_loader() -> None:
    for name in ("load_pack", "available_packs", "default_pack", "pack_folder", "PackReader",
                 "DEFAULT_PACK", "packs_root"):
        assert hasattr(loader, name), name


def test_a_broken_shared_rule_is_reported_once_not_a_key_error(tmp_path: Path) -> None:
    """Before, a misspelt key in a shared rule of a pack with cases raised KeyError."""
    pack = tmp_path / "typo"
    shutil.copytree(ROOT / "rules" / "article-2023", pack)
    head = pack / "pack.toml"
    head.write_text(head.read_text(encoding="utf-8").replace(
        'id = "general.other_treatment_failed"',
        'id = "general.other_treatment_failed"\nrationalle = "a typo"', 1), encoding="utf-8")
    lines = [problem.line() for problem in check_pack(pack).problems]
    assert lines == ["typo/pack.toml: rule 'general.other_treatment_failed': unknown key "
                     "'rationalle' (did you mean 'rationale'?) (fix: rename the key; the hint "
                     "names the closest known one)"]
