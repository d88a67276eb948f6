"""Weight thresholds are checked in exact decimals: 32.7 kg is 32,700 g, not "finer than a gram".

Before, ``round(32.7 * 1000) != 32.7 * 1000`` in binary floating point (32.7 * 1000 is
32700.000000000004), so a pack with a 32.7 kg threshold was refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from built_packs import write_pack

from eligibility.engine.evaluation import evaluate
from eligibility.rulepack.loader import load_pack
from eligibility.rulepack.model import Test as PackTest
from eligibility.rulepack.semantics import test_problems as problems_of


@pytest.mark.parametrize("kilograms", [32.7, 4.35, 0.001, 499.999, 40.1, 65.43, 1e-3, 100])
def test_whole_grams_are_accepted(kilograms: float) -> None:
    assert problems_of("a.weight", PackTest(field="weight_kg", min_value=kilograms)) == []


@pytest.mark.parametrize("kilograms", [32.7001, 0.0005, 40.00001])
def test_finer_than_a_gram_is_refused(kilograms: float) -> None:
    found = problems_of("a.weight", PackTest(field="weight_kg", min_value=kilograms))
    assert found == [f"rule 'a.weight': min_value {kilograms!r} is finer than a gram; "
                     "round it to at most three decimals"]


@pytest.mark.parametrize("kilograms", [float("nan"), float("inf"), 1e300])
def test_not_a_number_is_out_of_range_not_a_crash(kilograms: float) -> None:
    found = problems_of("a.weight", PackTest(field="weight_kg", min_value=kilograms))
    assert len(found) == 1 and "outside the range" in found[0]


def test_a_pack_with_a_32_7_kg_threshold_loads_and_decides_at_the_gram(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "w", {"a": ['{ field = "weight_kg", min_value = 32.7 }']})
    pack = load_pack(folder)
    statuses = {weight: evaluate({"weight_kg": weight}, rules=pack).option("a").status
                for weight in (32.699, 32.7, 32.701)}
    assert statuses == {32.699: "not_candidate", 32.7: "candidate", 32.701: "candidate"}
