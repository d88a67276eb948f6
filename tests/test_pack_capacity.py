"""The engine's real limit on a pack, found by probing durable-rules, refused at load and check.

durable-rules walks its match network with a fixed stack of 64 entries (``MAX_STACK_SIZE``
in its ``events.c``); a fact that matches more nodes at once fails with error 303
(``ERR_MAX_STACK_SIZE``). Our compiler gives each distinct threshold on a numeric field
one node that matches every known value, under a node per tested field, so the limit is
per field and per pack (one ruleset per pack; options share it), not per option: 31 age
thresholds (two matches each: both ends of the age interval)
in a pack testing only age, fewer for fields the engine reaches later. Before
this check such a pack passed ``rules check`` and every evaluation of a profile with that
field known failed. Each limit is tested on both sides against the real engine.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from built_packs import (
    ages,
    every_category_test,
    list_counts,
    numeric_tests,
    one_test_per_other_field,
    weights,
    write_pack,
)

from eligibility.cli import main
from eligibility.engine import compiler, rete
from eligibility.errors import EngineError, RulePackError
from eligibility.model.profile import parse_profile
from eligibility.rulepack import capacity
from eligibility.rulepack.loader import PackReader
from eligibility.rulepack.model import RulePack
from eligibility.services.pack_check import check_pack

KNOWN = {"age_years": 40, "weight_kg": 300, "allergies": ["NKDA"], "conditions": ["asthma"],
         "severity": "severe", "topical_response": "adequate",
         "systemic_response": "adequate", "allergy_eczema_link": True}

#: Measured with the check bypassed: the most distinct thresholds on each numeric field
#: that evaluate, in a pack that also tests every other field once.
#: allergies take one ``includes`` test (no thresholds), which counts as a field ahead.
MEASURED_WITH_ALL_FIELDS = {"age": 31, "conditions": 57, "weight_kg": 56}


def worst_case(field: str, operator: str = "at_least") -> dict[str, object]:
    """A profile matching the most engine nodes for ``field``: for age, one on the side of
    every threshold where each matches two nodes ('not met' and the first half of
    'straddles'): the youngest for lower limits, the oldest for upper; KNOWN otherwise."""
    if field != "age":
        return KNOWN
    return {**KNOWN, "age_years": 0 if operator in ("at_least", "above") else 130}


def lenient(folder: Path) -> tuple[RulePack, list[str]]:
    reader = PackReader(folder.resolve())
    pack = reader.read_lenient()
    assert pack is not None
    return pack, reader.problems


def engine_without_the_check(pack: RulePack, monkeypatch: pytest.MonkeyPatch) -> rete.Engine:
    monkeypatch.setattr(compiler, "capacity_problems", lambda pack: [])
    return rete.Engine(pack)


def test_the_engine_stack_is_durable_rules_64() -> None:
    assert capacity.ENGINE_STACK == 64


@pytest.mark.parametrize("operator", ["at_least", "above", "below", "at_most"])
def test_31_age_thresholds_evaluate_and_32_are_refused(
        tmp_path: Path, operator: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at_limit = write_pack(tmp_path / "at", {"a": ages(31, operator)})
    pack, problems = lenient(at_limit)
    assert problems == []
    assert capacity.comparison_limits(pack) == {"age": 31}
    engine = rete.Engine(pack)
    assert len(engine.outcomes(parse_profile(KNOWN))) == 31
    assert len(engine.outcomes(parse_profile(worst_case("age", operator)))) == 31
    assert len(engine.outcomes(parse_profile({}))) == 31
    assert len(engine.outcomes(parse_profile({"age_years": 2, "age_months": 23}))) == 31

    over = write_pack(tmp_path / "over", {"a": ages(32, operator)})
    pack, problems = lenient(over)
    assert problems == [
        "over/options/a.toml: option 'a': the pack compares 'age' with 32 distinct "
        "thresholds, more than the 31 the engine can decide for it (durable-rules follows "
        "at most 64 matches at once: one for the sentinel rule, 0 for the fields it reaches "
        "before 'age', and two for each age threshold (both ends of the age interval)); "
        "use fewer distinct thresholds"]
    with pytest.raises(EngineError, match="error code: 303"):
        engine_without_the_check(pack, monkeypatch).outcomes(
            parse_profile(worst_case("age", operator)))


@pytest.mark.parametrize("field", sorted(MEASURED_WITH_ALL_FIELDS))
def test_each_numeric_field_at_its_limit_evaluates_and_one_more_is_refused(
        tmp_path: Path, field: str, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = MEASURED_WITH_ALL_FIELDS[field]
    tests = one_test_per_other_field(field)
    pack, problems = lenient(write_pack(tmp_path / "at", {"a": tests + numeric_tests(field, limit)}))
    assert problems == []
    assert capacity.comparison_limits(pack)[field] == limit
    rete.Engine(pack).outcomes(parse_profile(worst_case(field)))

    pack, problems = lenient(write_pack(tmp_path / "over",
                                        {"a": tests + numeric_tests(field, limit + 1)}))
    assert len(problems) == 1 and f"more than the {limit} the engine can decide" in problems[0]
    with pytest.raises(EngineError, match="error code: 303"):
        engine_without_the_check(pack, monkeypatch).outcomes(parse_profile(worst_case(field)))


def test_thresholds_sharing_a_comparison_count_once(tmp_path: Path) -> None:
    """``at_least 5 months`` and ``below 5 months`` are one comparison for the engine."""
    folder = write_pack(tmp_path / "p", {"a": ages(31, "at_least") + ages(31, "below")})
    pack, problems = lenient(folder)
    assert problems == []
    assert len(rete.Engine(pack).outcomes(parse_profile(KNOWN))) == 62


def test_the_option_that_crosses_the_limit_is_named(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "p", {"a": ages(20), "b": ages(20, start=15)})
    _, problems = lenient(folder)
    assert len(problems) == 1
    assert problems[0].startswith("p/options/b.toml: option 'b': the pack compares 'age' "
                                  "with 34 distinct thresholds")


def test_loading_and_the_command_line_refuse_a_pack_past_the_limit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_pack(tmp_path / "over", {"a": ages(69)})
    with pytest.raises(RulePackError, match="option 'a': the pack compares 'age' with 69"):
        PackReader(folder.resolve()).read()
    examples = Path(__file__).resolve().parents[1] / "examples"
    assert main(["evaluate", str(examples), "--rules", str(folder)]) == 2
    captured = capsys.readouterr()
    assert "more than the 31 the engine can decide" in captured.err and captured.out == ""
    report = check_pack(folder)
    assert [problem.line() for problem in report.problems if "engine can decide" in problem.line()]
    assert main(["rules", "check", str(folder)]) == 1
    assert "over/options/a.toml: option 'a': the pack compares 'age'" in capsys.readouterr().out


def test_a_pack_built_in_memory_past_the_limit_is_refused_when_compiled(tmp_path: Path) -> None:
    pack, _ = lenient(write_pack(tmp_path / "over", {"a": ages(32)}))
    with pytest.raises(RulePackError, match="more than the 31"):
        compiler.compile_pack(pack)


def test_the_largest_pack_the_engine_allows_evaluates_a_full_session(tmp_path: Path) -> None:
    """Every field at its limit: 321 tests fire per profile, 256 profiles per session.

    Before, the engine module's own guard against runaway firing (a fixed 102,400 firings
    per session) stopped this pack's full sessions with "the engine kept firing rules".
    """
    tests = (every_category_test() + ages(31) + ages(31, "below")
             + ['{ field = "allergies", includes = "environmental" }']
             + list_counts("conditions", 57) + weights(56, start=100))
    half = len(tests) // 2
    pack, problems = lenient(write_pack(tmp_path / "max", {"a": tests[:half], "b": tests[half:]}))
    assert problems == []
    engine = rete.Engine(pack)
    assert len(engine.compiled.tests) == 321
    rng = random.Random(7)
    profiles = [parse_profile({**KNOWN, "age_years": rng.randint(0, 100),
                               "weight_kg": rng.randint(1, 400),
                               "allergies": rng.choice([[], ["dust_mite"], ["NKDA"],
                                                        ["peanut", "zzz"]])})
                for _ in range(rete.MAX_FACTS_PER_SESSION)]
    results = engine.outcomes_many(profiles)
    assert len(results) == len(profiles) and all(len(row) == 321 for row in results)


def test_the_engine_reaches_fields_in_fact_key_order_not_registry_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Renaming conditions' fact keys to sort first gives it the whole stack: the limit is
    the fact's key order, which the check follows (the registry's display order puts
    conditions after allergies, and the engine does not care)."""
    import dataclasses

    from eligibility.model import fields
    entry = fields.FIELDS["conditions"]
    monkeypatch.setitem(fields._FIELDS, "conditions",
                        dataclasses.replace(entry, fact_keys=("Ac", "Ack")))
    tests = one_test_per_other_field("conditions")
    pack, problems = lenient(write_pack(tmp_path / "at", {"a": tests + list_counts("conditions", 63)}))
    assert problems == [] and capacity.comparison_limits(pack)["conditions"] == 63
    rete.Engine(pack).outcomes(parse_profile(KNOWN))
    over, problems = lenient(write_pack(tmp_path / "over",
                                        {"a": tests + list_counts("conditions", 64)}))
    assert len(problems) == 1
    with pytest.raises(EngineError, match="error code: 303"):
        engine_without_the_check(over, monkeypatch).outcomes(parse_profile(KNOWN))
