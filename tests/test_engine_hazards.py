"""One named test per durable-rules hazard listed in the hardening issue.

Where a hazard can be shown safely, a test first shows it happening against the raw C
core (in a subprocess when it crashes), then shows the guard in ``engine.py`` holding, or
disables the guard and shows the failure it prevents.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import re
import subprocess
import sys
import threading
from typing import Any

import pytest

import eligibility.engine.rete as engine_module
from eligibility import EngineError, Profile, evaluate
from eligibility.engine.compiler import RESERVED_KEYS, SENTINEL_RULE, compile_pack, fnv1a_32
from eligibility.engine.rete import Engine
from eligibility.rulepack import default_pack

CORE = "from eligibility.engine.rete import _core as core\nimport json\n"


def _run_python(code: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    # glibc's strict heap checking turns durable-rules' invalid free into a certain abort;
    # without it the corruption sometimes goes unnoticed, depending on the heap layout.
    env = {**os.environ, "MALLOC_CHECK_": "3", "MALLOC_PERTURB_": "165"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, check=False, env=env)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(default_pack())


ADULT = Profile(age_years=30, severity="severe", topical_response="inadequate",
                allergies=["dust_mite"], allergy_eczema_link=True)


# -- delete_state on a session in which no rule matched: segmentation fault ---------------

DELETE_LOOP = CORE + """
rules = {"r": {"all": [{"m": {"x": 1}}]}}
if SENTINEL:
    rules["sentinel"] = {"all": [{"m": {"z": 1}}]}
h = core.create_ruleset("probe", json.dumps(rules))
for n in range(200):
    r = core.assert_fact(h, json.dumps({"sid": "s%d" % n, "id": "f", "x": 2, "z": 1}))
    if SENTINEL:
        message = core.start_action_for_state(h, r[1])[1]
        while message:
            message = core.complete_and_start_action(h, r[1])
    core.delete_state(h, "s%d" % n)
print("survived")
"""


def test_hazard_delete_state_without_match_crashes_the_raw_core() -> None:
    result = _run_python("SENTINEL = False\n" + DELETE_LOOP)
    assert result.returncode != 0 and "survived" not in result.stdout


def test_guard_a_sentinel_match_makes_delete_state_safe() -> None:
    result = _run_python("SENTINEL = True\n" + DELETE_LOOP)
    assert result.returncode == 0 and "survived" in result.stdout, result.stderr


def test_guard_sentinel_rule_matches_every_fact(engine: Engine) -> None:
    assert engine.compiled.rules[SENTINEL_RULE] == {"all": [{"m": {"z": 1}}]}
    assert '"z":1' in engine.compiled.fact_json(Profile(), "00")
    for _ in range(3):  # an empty profile, once crash-prone, evaluates and cleans up
        assert evaluate({}).statuses()


def test_guard_missing_sentinel_is_an_engine_error(engine: Engine) -> None:
    with pytest.raises(EngineError, match="sentinel"):
        engine._decide([m for m in _fired_names(engine) if f'"{SENTINEL_RULE}"' not in m], 1)


# -- a rule whose only condition is a negation loops forever ------------------------------

def test_guard_no_rule_is_a_lone_negation_or_an_or(engine: Engine) -> None:
    text = json.dumps(engine.compiled.rules)
    assert "$not" not in text and "$neq" not in text and "$or" not in text and '"any"' not in text
    for rule in engine.compiled.rules.values():
        assert list(rule) == ["all"] and len(rule["all"]) == 1


def test_guard_rule_files_cannot_express_negation_or_code(tmp_path: Any) -> None:
    from eligibility import RulePackError
    from eligibility.rulepack import load_pack
    pack = _copy_default(tmp_path)
    path = pack / "options" / "tralokinumab.toml"
    path.write_text(path.read_text().replace('at_least = "18 years"', 'not = "18 years"'))
    with pytest.raises(RulePackError, match=r"tralokinumab\.adult"):
        load_pack(pack)


# -- comparisons coerce: '9' >= 18; True == 1 == 'true' -----------------------------------

def test_hazard_strings_compare_as_numbers_in_the_raw_core() -> None:
    code = CORE + """
h = core.create_ruleset("probe", json.dumps({"adult": {"all": [{"m": {"$gte": {"age": 18}}}]}}))
r = core.assert_fact(h, json.dumps({"sid": "s", "id": "f", "age": "9"}))
print("matched" if core.start_action_for_state(h, r[1]) else "no match")
"""
    assert _run_python(code).stdout.strip() == "matched"


def test_guard_facts_hold_only_small_integers(engine: Engine) -> None:
    profiles = [Profile(), ADULT, Profile(age_years=130, weight_kg=500, allergies=["x"] * 64)]
    for profile in profiles:
        fact = json.loads(engine.compiled.fact_json(profile, "ab12"))
        for key, value in fact.items():
            if key in ("sid", "id"):
                assert re.fullmatch(r"[0-9a-f]+|p", value)
            else:
                assert type(value) is int and 0 <= value < 2**31, (key, value)


# -- field-name hashes, and user keys that collide with the engine's bookkeeping ----------

def test_guard_fact_keys_have_distinct_hashes(engine: Engine) -> None:
    keys = list(engine.compiled.fact_keys) + list(RESERVED_KEYS)
    assert len({fnv1a_32(key) for key in keys}) == len(keys)


def test_guard_colliding_keys_are_refused() -> None:
    first, second = _fnv_collision()
    compiled = compile_pack(default_pack())
    compiled = dataclasses.replace(compiled, fact_keys=(*compiled.fact_keys, first, second))
    with pytest.raises(EngineError, match="collide"):
        engine_module._check_keys(compiled)


def test_guard_user_values_never_become_keys_or_strings(engine: Engine) -> None:
    profile = Profile(id="$s", allergies=["sid", "a.b", "$x"], conditions=["id"])
    fact = engine.compiled.fact_json(profile, "ab")
    assert "$x" not in fact and "a.b" not in fact and '"$s"' not in fact
    assert set(json.loads(fact)) == {"sid", "id", "z", *engine.compiled.fact_keys}


def test_hypothesis_fnv_matches_the_engine_hash_table() -> None:
    # Known FNV-1a 32 values: the check above is only as good as this function.
    assert fnv1a_32("") == 0x811C9DC5
    assert fnv1a_32("a") == 0xE40C292C
    assert fnv1a_32("foobar") == 0xBF9CF968


# -- at most 1,024 live sessions ---------------------------------------------------------

def test_guard_sessions_are_deleted_so_the_limit_is_never_reached(engine: Engine) -> None:
    for index in range(3000):
        assert len(engine.outcomes(Profile(age_months=index % 1500))) == len(engine.compiled.tests)


def test_without_deletion_the_session_limit_is_hit(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = Engine(default_pack())
    monkeypatch.setattr(engine_module, "_delete", lambda handle, sid: None)
    with pytest.raises(EngineError):
        for _ in range(1100):
            fresh.outcomes(ADULT)


def test_guard_no_state_is_left_behind(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module.secrets, "token_hex", lambda n: "feedfacecafe")
    engine.outcomes(ADULT)
    state = engine_module.session_count_probe(engine, "feedfacecafe")
    assert isinstance(state, BaseException) or "feedfacecafe" not in str(state)


def test_guard_same_session_id_twice_shares_nothing(engine: Engine,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module.secrets, "token_hex", lambda n: "0123456789ab")
    first = engine.outcomes(Profile(age_years=2))
    second = engine.outcomes(Profile())
    assert first != second
    assert set(second) == {"unknown"}


# -- exceptions inside actions; the background dispatcher ---------------------------------

def test_guard_rules_carry_no_python_actions(engine: Engine) -> None:
    assert all("run" not in rule for rule in engine.compiled.rules.values())


def test_guard_exception_in_state_fails_closed(engine: Engine,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine_module._core.start_action_for_state

    def with_exception(handle: int, offset: int) -> Any:
        state, message = real(handle, offset)
        return state.replace('"$s"', '"exception":"boom", "$s"'), message

    monkeypatch.setattr(engine_module._core, "start_action_for_state", with_exception)
    with pytest.raises(EngineError, match="exception"):
        engine.outcomes(ADULT)


def test_guard_no_dispatcher_thread_and_no_python_host() -> None:
    before = {thread.name for thread in threading.enumerate()}
    evaluate(ADULT)
    after = {thread.name for thread in threading.enumerate()}
    assert after <= before
    assert "durable.engine" not in sys.modules


# -- events are consumed by the first matching rule; facts are not ------------------------

def test_hazard_events_lose_answers_and_fail_closed(engine: Engine,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module._core, "assert_facts", engine_module._core.assert_events)
    with pytest.raises(EngineError, match="undecided"):
        engine.outcomes(ADULT)


def test_guard_each_test_decided_exactly_once(engine: Engine) -> None:
    fired = _fired_names(engine)
    duplicate = next(m for m in fired if f'"{SENTINEL_RULE}"' not in m)
    with pytest.raises(EngineError, match="decided twice"):
        engine._decide([*fired, duplicate], 1)


def test_guard_a_rule_the_engine_was_never_given_fails_closed(engine: Engine) -> None:
    forged = '{"t0_x_9":{"m":{"sid":"ab","id":"0","z":1}}}'
    with pytest.raises(EngineError, match="never given"):
        engine._decide([*_fired_names(engine), forged], 1)


def test_guard_a_firing_for_an_unknown_fact_fails_closed(engine: Engine) -> None:
    with pytest.raises(EngineError, match="never asserted"):
        engine._decide(_fired_names(engine, fact=3), 1)


def test_guard_facts_sharing_a_session_do_not_influence_each_other(engine: Engine) -> None:
    profiles = [Profile(age_months=m, severity=s, allergies=[] if m % 3 else ["mold"],
                        allergy_eczema_link=bool(m % 2) if m % 5 else None)
                for m in range(0, 1500, 37) for s in ("mild", "moderate", "severe")]
    together = engine.outcomes_many(profiles)
    assert together == [engine.outcomes(profile) for profile in profiles]
    assert together[::-1] == engine.outcomes_many(profiles[::-1])


# -- registering a ruleset name twice -----------------------------------------------------

def test_guard_every_engine_gets_its_own_ruleset_name() -> None:
    first, second = Engine(default_pack()), Engine(default_pack())
    assert first.outcomes(ADULT) == second.outcomes(ADULT)
    assert first._ruleset is not None and second._ruleset is not None
    assert first._ruleset.name != second._ruleset.name


# -- two threads on one host can crash it --------------------------------------------------

def test_guard_evaluate_is_thread_safe() -> None:
    profiles = [Profile(age_months=months, severity=severity, topical_response="inadequate",
                        allergies=[] if months % 2 else ["pollen"], allergy_eczema_link=True)
                for months, severity in itertools.product(range(0, 400, 7),
                                                          ("mild", "moderate", "severe"))]
    serial = [evaluate(profile).model_dump_json() for profile in profiles]
    results: dict[int, list[str]] = {}

    def work(worker: int) -> None:
        results[worker] = [evaluate(profile).model_dump_json() for profile in profiles]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[n] == serial for n in range(6))


# -- helpers ------------------------------------------------------------------------------

def _fired_names(engine: Engine, fact: int = 0) -> list[str]:
    """The messages the engine would emit for ADULT, as fact number ``fact``."""
    outcomes = engine.outcomes(ADULT)
    rule_for = {meaning: name for name, meaning in engine._meanings.items()}
    names = [SENTINEL_RULE] + [rule_for[(i, o)] for i, o in enumerate(outcomes)]
    return [f'{{"{name}":{{"m":{{"sid":"ab","id":"{fact}","z":1}}}}}}' for name in names]


def _fnv_collision() -> tuple[str, str]:
    seen: dict[int, str] = {}
    for number in itertools.count():
        key = f"k{number}"
        value = fnv1a_32(key)
        if value in seen:
            return seen[value], key
        seen[value] = key
    raise AssertionError("unreachable")


def _copy_default(tmp_path: Any) -> Any:
    import shutil
    target = tmp_path / "pack"
    shutil.copytree(default_pack().path, target)
    return target


def test_guard_ctrl_c_inside_the_engine_is_not_swallowed(engine: Engine,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(handle: int, offset: int) -> Any:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(engine_module._core, "complete_and_start_action", interrupted)
        with pytest.raises(KeyboardInterrupt):
            engine.outcomes(ADULT)
    assert engine.outcomes(ADULT) == engine.outcomes(ADULT)  # the session was cleaned up
