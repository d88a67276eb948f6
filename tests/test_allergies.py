"""Issue 11, allergies: entries read exactly through the shipped vocabulary, or refused.

Each test fails on the main before this change: there every entry below counted as a
known allergy and made allergy shots a candidate, and the counterfactual invented
``["allergy 1"]``.
"""

from __future__ import annotations

import json
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

from eligibility import evaluate, load_pack
from eligibility.cli import main
from eligibility.errors import ProfileError
from eligibility.model import allergens
from eligibility.model.profile import parse_profile
from eligibility.rulepack.analysis import ALLERGY_CLASSES, profile_of

PACKS = ("article-2023", "us-labels-2026")
BASE = {"age_years": 25, "severity": "severe", "topical_response": "inadequate",
        "allergy_eczema_link": True}
RULE = "allergen_immunotherapy.has_allergies"


def _reason(allergies: list[str], pack: str) -> tuple[str, str, str]:
    option = evaluate({**BASE, "allergies": allergies}, rules=pack).option("allergen_immunotherapy")
    [reason] = [r for r in option.reasons if r.criterion == RULE]
    return option.status, reason.outcome, reason.patient_value


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize(("entry", "outcome"), [
    ("NKA", "not_met"), ("no known allergies", "not_met"), ("none known", "not_met"),
    ("\uff4e\uff4f\uff4e\uff45", "not_met"), ("None.", "not_met"), ("none\u2060", "not_met"),
    ("NKDA", "unknown"),
])
def test_none_known_phrases_are_read_exactly(pack: str, entry: str, outcome: str) -> None:
    status, got, shown = _reason([entry], pack)
    assert got == outcome and status != "candidate"
    if outcome == "not_met":
        assert shown == "none known"
    else:  # NKDA says nothing about dust mite or pollen
        assert shown == "NKDA (no known drug allergies)"


@pytest.mark.parametrize("entry", ["denies", "null", "[]", "\u2014", "\u200b", "\ufeff"])
def test_placeholders_are_refused_saying_how_to_write_it(entry: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({**BASE, "allergies": [entry]})
    message = str(caught.value)
    assert "allergies.0" in message and "write [] when none are known" in message
    assert "name the allergen" in message


def test_none_known_beside_an_allergen_is_a_contradiction() -> None:
    with pytest.raises(ProfileError, match="says no allergies are known"):
        parse_profile({**BASE, "allergies": ["none", "dust mite"]})


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("entry", ["penicillin", "peanut", "latex", "bee venom"])
def test_food_drug_venom_or_latex_alone_is_not_met(pack: str, entry: str) -> None:
    status, outcome, _ = _reason([entry], pack)
    assert (status, outcome) == ("not_candidate", "not_met")


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("entry", ["dust mite", "House Dust Mite", "HDM", "dust_mite", "mold"])
def test_an_environmental_allergen_meets_it(pack: str, entry: str) -> None:
    status, outcome, _ = _reason([entry], pack)
    assert (status, outcome) == ("candidate", "met")


@pytest.mark.parametrize("pack", PACKS)
def test_an_unclassified_entry_is_unknown_and_named(pack: str) -> None:
    status, outcome, shown = _reason(["peanut", "zzz-allergen"], pack)
    assert (status, outcome) == ("needs_information", "unknown")
    assert shown == "peanut (food); zzz-allergen (unclassified)"


def test_the_record_shows_how_each_entry_was_read() -> None:
    _, _, shown = _reason(["dust mite", "peanut", "House Dust Mite"], "article-2023")
    assert shown == "dust mite (environmental); peanut (food); House Dust Mite (dust mite, environmental)"


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("allergies", [None, [], ["peanut"], ["NKDA"], ["zzz-allergen"]])
def test_counterfactuals_never_invent_an_allergy(pack: str, allergies: list[str] | None) -> None:
    profile = dict(BASE) if allergies is None else {**BASE, "allergies": allergies}
    option = evaluate(profile, rules=pack).option("allergen_immunotherapy")
    [change] = [c for c in option.counterfactuals if c.field == "allergies"]
    assert change.kind == "enter" and change.possible and dict(change.patch) == {}
    assert change.needed == "at least one environmental allergy, e.g. dust mite"
    assert "allergy 1" not in option.model_dump_json()


def test_explain_says_what_is_needed_without_a_made_up_patch(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    path = tmp_path / "p.json"
    path.write_text(json.dumps({**BASE, "allergies": []}))
    main(["explain", str(path)])
    text = capsys.readouterr().out
    assert "allergy 1" not in text
    assert "at least one environmental allergy, e.g. dust mite" in text


def test_analysis_representatives_invent_no_allergy() -> None:
    for value in ALLERGY_CLASSES:
        shown = profile_of({"allergies": value})["allergies"]
        assert isinstance(shown, list)
        for entry in shown:
            assert allergens.reading(entry) != "unclassified" or entry == "NKDA"
            assert "allergy 1" not in entry and "allergies_1" not in entry


def test_both_packs_read_allergies_by_category_with_the_article_as_source() -> None:
    for pack in PACKS:
        criterion = next(c for c in load_pack(pack).all_criteria() if c.id == RULE)
        [test] = criterion.tests
        assert (test.field, test.includes) == ("allergies", "environmental")
        assert criterion.source.document == "article" and "dust mite" in (criterion.source.detail or "")


def test_the_vocabulary_is_versioned_data_shipped_in_the_package() -> None:
    raw = tomllib.loads(files("eligibility.model").joinpath("vocab/allergens.toml").read_text())
    vocab = allergens.vocabulary()
    assert vocab.version == raw["version"] and vocab.date == raw["date"]
    categories = {allergen.category for allergen in vocab.allergens}
    assert categories == set(allergens.CATEGORIES)
    treated = {a.code for a in vocab.allergens if a.immunotherapy_treats}
    assert {"dust_mite", "grass_pollen", "cat_dander", "mould", "cockroach"} <= treated
    assert all(a.category == "environmental" for a in vocab.allergens if a.immunotherapy_treats)


@pytest.mark.parametrize(("text", "normal"), [
    ("\uff4e\uff4f\uff4e\uff45", "none"), ("None.", "none"), ("none\u2060", "none"),
    ("\ufeffNKDA", "nkda"), ("  House   Dust  Mite, ", "house dust mite"), ("\u200b", ""),
])
def test_normalisation(text: str, normal: str) -> None:
    assert allergens.normalise(text) == normal
