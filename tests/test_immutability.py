"""What a caller gets cannot change what any later caller gets.

Each test here first reproduces a leak found in review (issue 10): a change to one
answer, or to a loaded pack, reaching later patients; and a memo keyed on the text a
value is *shown* as, handing one patient another's allergy list.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import RULES
from pydantic import BaseModel

from eligibility import Evaluator, evaluate, load_pack
from eligibility.cli import main
from eligibility.engine.evaluation import evaluator_for

TEEN = {"id": "teen", "age_years": 16, "severity": "severe", "topical_response": "inadequate"}
PROFILES = [
    TEEN,
    {"id": "adult", "age_years": 30, "severity": "severe", "topical_response": "inadequate",
     "allergies": ["dust_mite"], "allergy_eczema_link": True},
    {"id": "unknowns"},
    {"id": "infant", "age_months": 4, "severity": "moderate", "allergies": [],
     "systemic_response": "inadequate", "weight_kg": 6.5},
]


def _answers(rules: str | Path = "article-2023") -> list[str]:
    return [evaluate(profile, rules=rules).model_dump_json() for profile in PROFILES]


def test_a_changed_patch_does_not_reach_the_next_patient() -> None:
    change = evaluate(TEEN).option("tralokinumab").counterfactuals[0]
    assert change.patch["age_months"] == 216
    with pytest.raises(TypeError):
        change.patch["age_months"] = 1  # type: ignore[index]
    assert evaluate(TEEN).option("tralokinumab").counterfactuals[0].patch["age_months"] == 216


def test_changed_missing_fields_do_not_reach_the_next_patient() -> None:
    reason = evaluate({"severity": "severe"}).option("tralokinumab").reasons_with("unknown")[-1]
    assert reason.missing_fields == ("age_years",)
    with pytest.raises(AttributeError):
        reason.missing_fields.append("weight_kg")  # type: ignore[attr-defined]
    again = evaluate({"severity": "severe"}).option("tralokinumab").reasons_with("unknown")[-1]
    assert again.missing_fields == ("age_years",)


def test_a_cleared_pack_cannot_make_a_teen_a_tralokinumab_candidate() -> None:
    with pytest.raises(AttributeError):
        load_pack("article-2023").option("tralokinumab").criteria.clear()  # type: ignore[attr-defined]
    assert evaluate(TEEN).option("tralokinumab").status == "not_candidate"
    assert len(load_pack("article-2023").option("tralokinumab").criteria) == 1


def _two_allergies_pack(folder: Path) -> Path:
    """article-2023 with allergy shots needing two known conditions (a list rule, whose
    patch names placeholders the memo must keep apart)."""
    pack = folder / "two-allergies"
    shutil.copytree(RULES / "article-2023", pack)
    option = pack / "options" / "allergen_immunotherapy.toml"
    text = option.read_text()
    rule = 'test = { field = "allergies", includes = "environmental" }'
    assert rule in text
    option.write_text(text.replace(rule, 'test = { field = "conditions", min_items = 2 }'))
    return pack


# Both are shown as "none known": no conditions, and one condition written "none known".
NONE_KNOWN = {"id": "none", "age_years": 30, "severity": "severe", "conditions": []}
ONE_NAMED_NONE_KNOWN = {"id": "named", "age_years": 30, "severity": "severe",
                        "conditions": ["none known"]}


def _allergy_patches(assessment_json: dict[str, object]) -> list[object]:
    options = assessment_json["options"]
    assert isinstance(options, list)
    [option] = [o for o in options if o["id"] == "allergen_immunotherapy"]
    return [c["patch"]["conditions"] for c in option["counterfactuals"]
            if c["field"] == "conditions"]


def test_each_patient_gets_their_own_allergy_list_whatever_came_before(tmp_path: Path) -> None:
    pack = _two_allergies_pack(tmp_path)
    first = evaluate(NONE_KNOWN, rules=pack)
    second = evaluate(ONE_NAMED_NONE_KNOWN, rules=pack)
    assert _allergy_patches(first.model_dump(mode="json")) == [["condition 1", "condition 2"]]
    assert _allergy_patches(second.model_dump(mode="json")) == [["none known", "condition 2"]]


def test_jobs_1_and_jobs_3_agree_when_shown_values_collide(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = _two_allergies_pack(tmp_path)
    # Chunks are 128 records: which of the two comes first differs from chunk to chunk,
    # so a memo keyed on what is shown would answer differently in different workers.
    lines = ([NONE_KNOWN] + [ONE_NAMED_NONE_KNOWN] * 127 + [ONE_NAMED_NONE_KNOWN, NONE_KNOWN] * 64
             + [NONE_KNOWN] * 3 + [ONE_NAMED_NONE_KNOWN] * 3)
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(line) + "\n" for line in lines))
    outputs = []
    for jobs in ("1", "3"):
        assert main(["evaluate", str(batch), "--format", "jsonl", "--detail", "full", "--rules", str(pack),
                     "--jobs", jobs]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    for line, record in zip(lines, outputs[0].splitlines(), strict=True):
        wanted = ["condition 1", "condition 2"] if line is NONE_KNOWN else ["none known", "condition 2"]
        assert _allergy_patches(json.loads(record)) == [wanted]


# -- every container a caller can reach ------------------------------------------------

_Mutation = tuple[str, Callable[[], object]]


def _mutations(value: object, where: str) -> Iterator[_Mutation]:
    """Every way to change ``value`` or anything inside it that an ordinary caller has."""
    # Children are listed before anything is tried, so a change that does go through
    # cannot hide what lies behind it.
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for name in (f.name for f in dataclasses.fields(value)):
            yield f"{where}.{name} =", lambda v=value, n=name: setattr(v, n, None)
            yield from _mutations(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, BaseModel):
        fields = [(name, getattr(value, name)) for name in type(value).model_fields]
        for name, inner in fields:
            yield f"{where}.{name} =", lambda v=value, n=name: setattr(v, n, None)
            yield from _mutations(inner, f"{where}.{name}")
    elif isinstance(value, dict) or hasattr(value, "keys"):
        mapping: dict[object, object] = value  # type: ignore[assignment]
        for key, inner in list(mapping.items()):
            yield f"{where}[{key!r}] =", lambda m=mapping, k=key: m.__setitem__(k, 1)
            yield f"del {where}[{key!r}]", lambda m=mapping, k=key: m.__delitem__(k)
            yield from _mutations(inner, f"{where}[{key!r}]")
        for method in ("clear", "popitem", "update", "setdefault", "pop"):
            yield f"{where}.{method}()", lambda m=mapping, name=method: _call(m, name)
    elif isinstance(value, (list, tuple, set)):
        items = list(value)
        for method in ("append", "clear", "pop", "sort", "reverse", "extend", "add", "insert"):
            yield f"{where}.{method}()", lambda s=value, name=method: _call(s, name)
        if items:
            yield f"{where}[0] =", lambda s=value: s.__setitem__(0, None)  # type: ignore[union-attr]
        for index, item in enumerate(items):
            yield from _mutations(item, f"{where}[{index}]")


def _call(container: object, name: str) -> object:
    method = getattr(container, name)
    if name in ("update", "extend"):
        return method({"x": 1} if name == "update" else [1])
    if name in ("setdefault", "pop") and hasattr(container, "keys"):
        return method("x", 1)
    if name in ("append", "add"):
        return method(1)
    if name == "insert":
        return method(0, 1)
    return method()


def _try_all(mutations: Iterator[_Mutation]) -> tuple[int, list[str]]:
    """Try every mutation; the ones that went through (and how many were tried)."""
    done = []
    tried = 0
    for label, mutate in mutations:
        tried += 1
        with contextlib.suppress(TypeError, AttributeError, ValueError, KeyError, IndexError):
            mutate()
            done.append(label)
    return tried, done


def test_nothing_reachable_from_an_assessment_can_be_changed(tmp_path: Path) -> None:
    pack = _two_allergies_pack(tmp_path)
    for rules in ("article-2023", "us-labels-2026", pack):
        before = _answers(rules)
        for profile in PROFILES:
            tried, done = _try_all(_mutations(evaluate(profile, rules=rules), "assessment"))
            assert tried > 200 and done == []
        assert _answers(rules) == before


def test_nothing_reachable_from_a_loaded_pack_can_be_changed(tmp_path: Path) -> None:
    pack = _two_allergies_pack(tmp_path)
    for rules in ("article-2023", "us-labels-2026", pack):
        before = _answers(rules)
        dumped = load_pack(rules).model_dump_json()
        tried, done = _try_all(_mutations(load_pack(rules), "pack"))
        assert tried > 500 and done == []
        assert load_pack(rules).model_dump_json() == dumped
        assert _answers(rules) == before


def test_answers_still_serialise_as_plain_json() -> None:
    assessment = evaluate(TEEN)
    data = assessment.model_dump(mode="json")
    assert json.loads(json.dumps(data)) == data
    option = data["options"][1]
    assert isinstance(option["reasons"], list) and isinstance(option["counterfactuals"], list)
    assert type(option["counterfactuals"][0]["patch"]) is dict
    assert type(load_pack("article-2023").cases[0].model_dump(mode="json")["profile"]) is dict


def _records(value: object) -> Iterator[BaseModel]:
    """Every pydantic record reachable from ``value``."""
    if isinstance(value, BaseModel):
        yield value
        for name in type(value).model_fields:
            yield from _records(getattr(value, name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _records(item)


def test_clearing_the_fields_set_of_one_answer_does_not_reach_the_next() -> None:
    before = [evaluate(p).model_dump_json(exclude_unset=True) for p in PROFILES]
    for profile in PROFILES:
        for record in _records(evaluate(profile)):
            with contextlib.suppress(TypeError, AttributeError):
                record.model_fields_set.clear()
    assert [evaluate(p).model_dump_json(exclude_unset=True) for p in PROFILES] == before
    assert before == [evaluate(p).model_dump_json() for p in PROFILES]


def test_a_shared_evaluator_cannot_be_given_another_pack() -> None:
    shared = evaluator_for("article-2023")
    before = _answers()
    public = [name for name in dir(shared) if not name.startswith("_")]
    assert {"pack", "engine", "evaluate"} <= set(public)
    for name in [*public, "_pack", "_plan", "_engine"]:
        with pytest.raises(AttributeError):
            setattr(shared, name, load_pack("us-labels-2026"))
    with pytest.raises(AttributeError):
        shared.engine.compiled = Evaluator("us-labels-2026").engine.compiled  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del shared.pack
    assert shared.pack is load_pack("article-2023") or shared.pack == load_pack("article-2023")
    assert _answers() == before


def test_nothing_reachable_from_a_compiled_pack_can_change_the_engine() -> None:
    evaluator = Evaluator("article-2023")
    before = [evaluator.evaluate(p).model_dump_json() for p in PROFILES]
    compiled = evaluator.engine.compiled
    tried, done = _try_all(_mutations(compiled, "compiled"))
    assert tried > 500 and done == []
    rules = compiled.rules
    for name in rules:  # a copy: making every rule fire for every fact reaches no engine
        rules[name] = {"all": [{"m": {"z": 1}}]}
    evaluator.engine._discard()  # what a fork or a C error does: rebuild the ruleset
    assert [evaluator.evaluate(p).model_dump_json() for p in PROFILES] == before
