"""``Evaluator``: a pack prepared once, held by its caller, owning every memo; one cache
policy; and ``evaluate`` over a bounded, thread-safe default registry."""

from __future__ import annotations

import ast
import json
import shutil
import threading
from pathlib import Path

import pytest
from conftest import EXAMPLES, RULES

from eligibility import Evaluator, ProfileError, evaluate, load_pack
from eligibility.cache import BoundedCache
from eligibility.cli import main
from eligibility.engine.evaluation import EvaluatorRegistry, evaluator_for
from eligibility.model.profile import Profile, parse_profile
from eligibility.rulepack import loader

SRC = Path(__file__).resolve().parents[1] / "src" / "eligibility"
TEEN = EXAMPLES / "teen-16-not-candidate-tralokinumab.json"
PROFILES: list[dict[str, object]] = [
    {"id": "a", "age_years": 16, "severity": "severe", "topical_response": "inadequate"},
    {"id": "b", "age_years": 13, "severity": "moderate", "systemic_response": "inadequate"},
    {"id": "c"},
]


def test_an_evaluator_answers_as_evaluate_does() -> None:
    evaluator = Evaluator(load_pack("us-labels-2026"))
    for profile in PROFILES:
        assert evaluator.evaluate(profile).model_dump_json() == \
            evaluate(profile, rules="us-labels-2026").model_dump_json()
    each = evaluator.evaluate_each([*PROFILES, {"agee": 3}])
    assert [a.profile for a in each[:-1] if not isinstance(a, ProfileError)] == ["a", "b", "c"]
    assert isinstance(each[-1], ProfileError) and "did you mean" in str(each[-1])
    assert Evaluator("us-labels-2026").pack is load_pack("us-labels-2026")


def test_each_evaluator_owns_its_memos() -> None:
    first, second = Evaluator(), Evaluator()
    mine = first.evaluate(PROFILES[0]).option("tralokinumab")
    theirs = second.evaluate(PROFILES[0]).option("tralokinumab")
    assert mine == theirs
    assert mine.reasons[0] is not theirs.reasons[0]
    assert first.evaluate(PROFILES[0]).option("tralokinumab").reasons[0] is mine.reasons[0]
    assert first.evaluate(PROFILES[0]).option("tralokinumab").counterfactuals \
        is mine.counterfactuals


def test_the_default_registry_finds_packs_by_value() -> None:
    pack = load_pack("article-2023")
    assert evaluator_for(pack) is evaluator_for("article-2023") is evaluator_for(pack)
    fewer = pack.model_copy(update={"options": pack.options[:4]})
    assert evaluator_for(fewer) is not evaluator_for(pack)
    # A copy edited in memory does not keep the shipped pack's identity in its answers.
    assert evaluator_for(fewer).pack.origin == "memory"
    assert evaluator_for(fewer).pack.digest != pack.digest
    assert len(evaluate({}, rules=fewer).options) == 4
    assert len(evaluate({}, rules=pack).options) == 5


def test_the_registry_compiles_a_pack_once_however_many_threads_ask() -> None:
    registry = EvaluatorRegistry()
    pack = load_pack("us-labels-2026")
    found: list[Evaluator] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        found.append(registry.get(pack))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and all(evaluator is found[0] for evaluator in found)


def test_a_bounded_cache_forgets_everything_when_full() -> None:
    cache: BoundedCache[int, str] = BoundedCache(3)
    for number in range(3):
        assert cache.put(number, str(number)) == str(number)
    assert dict(cache) == {0: "0", 1: "1", 2: "2"}
    cache.put(3, "3")
    assert dict(cache) == {3: "3"} and cache.get(0) is None


def test_one_cache_policy_and_nothing_keyed_by_identity() -> None:
    """No functools caches, no ``id()`` but the record writer's documented one."""
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute | ast.Name):
                name = node.attr if isinstance(node, ast.Attribute) else node.id
                assert name not in {"lru_cache", "cache", "cached_property"}, path
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "id":
                assert path.relative_to(SRC).as_posix() == "render/record.py", path


def test_explain_evaluates_each_profile_once_and_then_only_the_changes(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[Profile] = []
    real = Evaluator.evaluate

    def counting(self: Evaluator, profile: object) -> object:
        seen.append(parse_profile(profile))
        return real(self, profile)  # type: ignore[arg-type]

    monkeypatch.setattr(Evaluator, "evaluate", counting)
    assert main(["explain", str(TEEN)]) == 0
    assert "(checked)" in capsys.readouterr().out
    teen = parse_profile(json.loads(TEEN.read_text()))
    assert seen.count(teen) == 1
    assert len(seen) > 1  # and each suggested change was evaluated again


def test_the_registry_finds_a_path_by_the_folder_and_pack_it_names_now(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    teen = {"age_years": 16, "severity": "severe", "topical_response": "inadequate"}
    for name, age in (("a", "18 years"), ("b", "16 years")):
        folder = tmp_path / name / "pack"
        shutil.copytree(RULES / "article-2023", folder)
        rule = folder / "options" / "tralokinumab.toml"
        rule.write_text(rule.read_text().replace('at_least = "18 years"', f'at_least = "{age}"'))
    registry = EvaluatorRegistry()
    monkeypatch.chdir(tmp_path / "a")
    assert registry.get("./pack").evaluate(teen).option("tralokinumab").status == "not_candidate"
    monkeypatch.chdir(tmp_path / "b")
    assert registry.get("./pack").pack.path == load_pack("./pack").path
    assert registry.get("./pack").evaluate(teen).option("tralokinumab").status == "candidate"
    # Edited after the pack cache forgot it: read again, a new digest, a new evaluator.
    rule = tmp_path / "b" / "pack" / "options" / "tralokinumab.toml"
    rule.write_text(rule.read_text().replace('at_least = "16 years"', 'at_least = "18 years"'))
    monkeypatch.setattr(loader, "_LOADED", type(loader._LOADED)(16))
    assert registry.get("./pack").evaluate(teen).option("tralokinumab").status == "not_candidate"


def test_evaluate_by_name_does_not_walk_the_filesystem_on_every_call(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A library loop calling ``evaluate()`` pays lookups, not a ``realpath`` per call.

    Resolving the shipped pack's folder on every call cost ~1 ms, twenty times the
    engine's work; once resolved, a shipped name stays where the package is installed.
    """
    import os.path

    import eligibility

    profile = {"age_years": 30, "severity": "moderate", "topical_response": "inadequate"}
    eligibility.evaluate(profile)
    eligibility.evaluate(profile, rules="us-labels-2026")
    calls: list[str] = []
    real = os.path.realpath

    def counting(path: object, *args: object, **kwargs: object) -> str:
        calls.append(str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os.path, "realpath", counting)
    for age in range(20, 60):
        eligibility.evaluate({**profile, "age_years": age})
        eligibility.evaluate({**profile, "age_years": age}, rules="us-labels-2026")
    assert calls == []
