"""One field registry: each field's meaning is declared once, in ``model/fields.py``.

A field's meaning (its kind, fact keys, title, wording, vocabulary, range) used to be
spelt out in some fourteen modules, so adding a field meant editing all of them, and
missing one failed late (``rules table`` crashed) or silently (generators never drew the
field). These tests pin the cure: only the registry and the ``Profile`` model name a
field, the registry covers the model exactly, every generator draws every field, and a
field added to the registry and the model alone works everywhere.
"""

from __future__ import annotations

import ast
import importlib.util
import math
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated, Literal, get_args

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis.strategies import SearchStrategy
from pydantic import Field

import eligibility.model.profile as profile_module
from eligibility import ProfileError, evaluate, load_pack
from eligibility.engine.compiler import RESERVED_KEYS, CompiledPack, compile_pack, fnv1a_32
from eligibility.model import fields
from eligibility.model.fields import profile_fields
from eligibility.model.profile import MAX_ITEMS, ListItem, Profile, parse_profile
from eligibility.render.decision_table import decision_rows
from eligibility.rulepack import Test as RuleTest
from eligibility.rulepack import analysis
from eligibility.rulepack.wording import comparisons
from eligibility.testing import assert_invariants, boundary_profiles, profiles
from eligibility.testing._invalid import bad_values

#: Where a field may be named: the registry and the model it describes.
ALLOWED = {"src/eligibility/model/fields.py", "src/eligibility/model/profile.py",
           "src/eligibility/model/age.py"}  # the age model: what each age field means
#: Modules that must read field knowledge from the registry (generators included).
READERS = [*sorted((ROOT / "src/eligibility").rglob("*.py")),
           ROOT / "tests/test_differential.py", ROOT / "bench/make_batch.py"]


def _field_names() -> set[str]:
    names = set(fields.RULE_FIELDS)
    for behind in fields.PROFILE_FIELDS_OF.values():
        names.update(behind)
    return names


def _kind_constants(tree: ast.AST) -> set[int]:
    """Constants compared with a kind (``entry.kind``, ``kind``): the kind 'age', not the
    field 'age'."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(
                (isinstance(side, ast.Attribute) and side.attr == "kind")
                or (isinstance(side, ast.Name) and side.id == "kind")
                for side in [node.left, *node.comparators]):
            found.update(id(inner) for inner in ast.walk(node) if isinstance(inner, ast.Constant))
    return found


def test_only_the_registry_and_the_model_spell_a_field_name() -> None:
    """A string constant equal to a field name outside them is field knowledge that
    adding a field would have to repeat (``"id"`` is left out: no rule reads it)."""
    names = _field_names()
    spelt: dict[str, list[str]] = {}
    for path in READERS:
        where = str(path.relative_to(ROOT))
        if where in ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        kinds = _kind_constants(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in names and id(node) not in kinds:
                spelt.setdefault(where, []).append(f"{node.value}@{node.lineno}")
    assert spelt == {}, f"{len(spelt)} modules name fields themselves: {spelt}"


def test_the_registry_covers_every_profile_field_once_and_nothing_else() -> None:
    described = fields.profile_fields()
    assert len(described) == len(set(described)), described
    assert set(described) == set(Profile.model_fields)
    assert described == tuple(Profile.model_fields)  # the same order: schema and registry agree
    for name in Profile.model_fields:
        entry = fields.field_of(name)
        assert (entry is None) == (name in fields.REFERENCE_FIELDS), name


def test_the_registry_agrees_with_the_model_on_values_and_ranges() -> None:
    """Vocabularies and limits are the model's: every value and each end of a range is
    accepted, and the first value past an end refused."""
    for entry in fields.FIELDS.values():
        name = entry.profile_fields[0]
        if entry.kind == "category":
            annotation = Profile.model_fields[name].annotation
            assert entry.vocabulary == get_args(get_args(annotation)[0]), name
            for value in entry.vocabulary:
                parse_profile({name: value})
        elif entry.kind == "number":
            parse_profile({name: float(entry.high)})
            for outside in (float(entry.low), math.nextafter(float(entry.high), math.inf)):
                with pytest.raises(ProfileError):
                    parse_profile({name: outside})
        elif entry.kind == "list":
            parse_profile({name: list(entry.examples)})
            with pytest.raises(ProfileError):
                parse_profile({name: [entry.examples[0]] * (int(entry.high) + 1)})
    parse_profile({fields.AGE_MONTHS: fields.MAX_AGE_MONTHS})
    with pytest.raises(ProfileError):
        parse_profile({fields.AGE_MONTHS: fields.MAX_AGE_MONTHS + 1})


def test_fact_keys_are_distinct_and_never_the_engines_own() -> None:
    keys = fields.fact_keys()
    assert len(keys) == len(set(keys))
    assert not set(keys) & set(RESERVED_KEYS)
    assert len({fnv1a_32(key) for key in [*keys, *RESERVED_KEYS]}) == len(keys) + len(RESERVED_KEYS)


def test_an_entry_missing_what_its_kind_needs_fails_at_once() -> None:
    with pytest.raises(ValueError, match=r"'itch' \(category\) needs vocabulary"):
        fields.RuleField("itch", "category", ("itch",), ("ci",), "Itch", "itch")
    with pytest.raises(ValueError, match="needs 2 fact keys"):
        fields.RuleField("height_cm", "number", ("height_cm",), ("h",), "Height", "height",
                         unit="cm", high=250)


def test_grams_are_computed_one_way_exactly() -> None:
    """The analysis splits weights where the engine compares them: 39.9999999999 kg is
    39,999 g for both (binary arithmetic plus an epsilon said 40,000)."""
    test = RuleTest.model_validate({"field": "weight_kg", "min_value": 39.9999999999})
    compiled = compile_pack_with(test)
    engine_threshold = compiled.rules["t0_m_0"]["all"][0]["m"]["$and"][1]["$gte"]["w"]
    assert engine_threshold == 39_999
    assert analysis.cut_point(test) == 39_999
    classes = analysis.field_classes("weight_kg", [test], unknown=False)
    assert [c.value for c in classes] == [0, 39_999]


def test_a_weight_just_under_a_limit_never_shows_as_the_limit() -> None:
    """Thirteen digits: twelve-digit display said 'weight 40' beside 'at least 40, not met'."""
    option = evaluate({"weight_kg": 39.99999999999, "age_years": 30},
                      rules="us-labels-2026").option("lebrikizumab")
    weight = next(reason for reason in option.reasons if reason.criterion == "lebrikizumab.weight")
    assert (weight.outcome, weight.patient_value) == ("not_met", "39.99999999999")


def compile_pack_with(test: RuleTest) -> CompiledPack:
    """A one-rule pack compiled, without loading (the loader refuses sub-gram weights)."""
    from eligibility.rulepack import default_pack
    pack = default_pack()
    option = pack.options[0]
    criterion = pack.criteria_of(option)[0].model_copy(update={"test": test, "any_of": None})
    one = option.model_copy(update={"uses": [], "criteria": [criterion]})
    return compile_pack(pack.model_copy(update={"options": [one], "shared": []}))


# -- the generators draw every field ---------------------------------------------------


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _missing(drawn: list[dict[str, object]], model: type[Profile] = Profile) -> set[str]:
    seen = {name for data in drawn for name, value in data.items() if value is not None}
    # birth_date means an age only with an as_of, which generated profiles do not carry:
    # generators draw ages as age_years/age_months (test_ages_birth_date draws birth dates).
    return set(model.model_fields) - seen - {"birth_date"}


def test_the_differential_generator_draws_every_profile_field() -> None:
    differential = _load(ROOT / "tests/test_differential.py", "_differential_under_test")
    rng = random.Random(7)
    drawn = [differential.random_profile(rng).model_dump() for _ in range(500)]
    assert _missing(drawn) == set()


def test_the_kits_profiles_draw_every_profile_field() -> None:
    assert _missing([profile.model_dump() for profile in _draws(profiles(), 60)]) == set()


def test_the_benchmark_batch_draws_every_profile_field() -> None:
    make_batch = _load(ROOT / "bench/make_batch.py", "_make_batch_under_test")
    assert _missing(list(make_batch.profiles(2000))) == set()


# -- a field added to the registry and the model works everywhere -----------------------

PACK_TOML = '''
[pack]
name = "new-fields"
version = "1.0.0"
as_of = 2026-01-01
title = "A pack reading fields added for this test"
options = ["newdrug"]

[[sources]]
id = "trial"
title = "A trial"
'''

OPTION_TOML = '''
id = "newdrug"
name = "New drug"
kind = "investigational_biologic"
evidence = "investigational"
summary = "Reads only the new fields."
''' + "".join(f'''
[[criteria]]
id = "newdrug.{name}"
title = "{name}"
rationale = "Because."
source = {{ document = "trial", section = "Eligibility" }}
evidence = "investigational"
test = {test}
''' for name, test in [
    ("height", '{ field = "height_cm", min_value = 120 }'),
    ("itch", '{ field = "itch", one_of = ["mild", "intense"] }'),
    ("smoker", '{ field = "smoker", equals = false }'),
    ("biologics", '{ field = "prior_biologics", min_items = 1 }')])


def _write_pack(folder: Path) -> Path:
    (folder / "options").mkdir(parents=True)
    (folder / "pack.toml").write_text(PACK_TOML, encoding="utf-8")
    (folder / "options" / "newdrug.toml").write_text(OPTION_TOML, encoding="utf-8")
    return folder


def _add_fields(monkeypatch: pytest.MonkeyPatch) -> type[Profile]:
    """Four fields, one of each kind but age, added as a contributor would: an entry in
    the registry and the field on the model (a subclass stands in for editing it)."""

    class Wider(Profile):
        height_cm: Annotated[float, Field(gt=0, le=250)] | None = None
        itch: Literal["absent", "mild", "intense"] | None = None
        smoker: bool | None = None
        prior_biologics: Annotated[list[ListItem], Field(max_length=MAX_ITEMS)] | None = None

    itch_values = get_args(get_args(Wider.model_fields["itch"].annotation)[0])
    for entry in [
        fields.RuleField("height_cm", "number", ("height_cm",), ("h", "hk"), "Height",
                         "height in cm", unit="cm", high=250, typical=(40.0, 200.0)),
        fields.RuleField("itch", "category", ("itch",), ("ci",), "Itch", "itch",
                         vocabulary=itch_values),
        fields.RuleField("smoker", "boolean", ("smoker",), ("bs",), "Smoker", "smoker"),
        fields.RuleField("prior_biologics", "list", ("prior_biologics",), ("lp", "lpk"),
                         "Prior biologics", "prior biologics", singular="prior biologic",
                         examples=("omalizumab", "ustekinumab"), high=MAX_ITEMS)]:
        monkeypatch.setitem(fields._FIELDS, entry.name, entry)
    monkeypatch.setattr(profile_module, "Profile", Wider)
    return Wider


NEW = ["height_cm", "itch", "smoker", "prior_biologics"]


def _draws(strategy: SearchStrategy[Profile], count: int) -> list[Profile]:
    """``count`` draws, derandomized and without the example database: the same every run."""
    drawn: list[Profile] = []

    @settings(max_examples=count, derandomize=True, database=None)
    @given(strategy)
    def collect(profile: Profile) -> None:
        drawn.append(profile)

    collect()
    return drawn


MET = {"height_cm": 150.0, "itch": "intense", "smoker": False, "prior_biologics": ["omalizumab"]}


def test_a_new_field_is_read_checked_evaluated_and_worded(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    _add_fields(monkeypatch)
    pack = load_pack(_write_pack(tmp_path / "pack"))
    option = evaluate(MET, rules=pack).option("newdrug")
    assert option.status == "candidate"
    assert [reason.requirement for reason in option.reasons] == [
        "height_cm at least 120", "itch mild or intense", "smoker is false",
        "at least 1 known prior biologic"]
    assert [reason.patient_value for reason in option.reasons] == [
        "150", "intense", "false", "omalizumab"]

    unknown = evaluate({}, rules=pack).option("newdrug")
    assert list(unknown.missing_fields) == sorted(NEW)
    assert [change.change for change in unknown.counterfactuals] == [
        "fill in height in cm", "fill in itch", "fill in smoker", "fill in prior biologics"]

    short = evaluate({**MET, "height_cm": 119.9999999999}, rules=pack).option("newdrug")
    assert short.status == "not_candidate"
    assert short.counterfactuals[0].sentence == (
        "Met if height in cm were at least 120 (it is 119.9999999999).")

    criterion = pack.criteria_of(pack.options[0])[0]
    assert comparisons(criterion, parse_profile(MET)) == ("height in cm 150 — rule: at least 120",)
    assert [c.label for c in analysis.field_classes("height_cm", criterion.tests)] == [
        "under 120 cm", "120 cm or more", "unknown"]
    assert analysis.can_be_met(pack.criteria_of(pack.options[0]))


def test_rules_table_gives_a_new_field_its_column(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    """Before the registry, a title missing from the table's own list crashed this with
    "'height_cm' is not in list"."""
    _add_fields(monkeypatch)
    header, rows = decision_rows(load_pack(_write_pack(tmp_path / "pack")))
    assert header == ["Option", "Evidence", "Height", "Itch", "Smoker", "Prior biologics",
                      "Sources"]
    assert rows[0][2:6] == ["at least 120 cm (newdrug.height)", "mild or intense (newdrug.itch)",
                            "no (newdrug.smoker)", "at least 1 known (newdrug.biologics)"]


def test_every_generator_draws_a_new_field(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    wider = _add_fields(monkeypatch)
    pack = load_pack(_write_pack(tmp_path / "pack"))
    for complete in _draws(profiles(complete=True), 5):  # the default pack reads none of them
        assert all(getattr(complete, name) is not None for name in NEW)
    at_boundaries = _draws(boundary_profiles(rules=pack), 100)
    for name in NEW:
        drawn = next(p for p in at_boundaries if getattr(p, name) is not None)
        assert_invariants(drawn, rules=pack)
        assert name in profile_fields()  # invalid_profiles() breaks each of these in turn
        for problem, values in bad_values(name):
            for value in values:
                with pytest.raises(ProfileError) as error:
                    parse_profile({name: value})
                assert error.value.field == name, (problem, value)
    differential = _load(ROOT / "tests/test_differential.py", "_differential_under_test")
    rng = random.Random(7)
    drawn_rows = [differential.random_profile(rng).model_dump() for _ in range(500)]
    assert _missing(drawn_rows, wider) == set()
    make_batch = _load(ROOT / "bench/make_batch.py", "_make_batch_under_test")
    assert _missing(list(make_batch.profiles(2000)), wider) == set()
