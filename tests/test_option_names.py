"""``--option`` by any name an option goes by, in any case; names unique in a pack."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, RULES

from eligibility import RulePackError, load_pack
from eligibility.cli import main
from eligibility.errors import UsageError
from eligibility.rulepack.names import key
from eligibility.services.request import option_ids

ARTICLE = load_pack("article-2023")
LABELS = load_pack("us-labels-2026")
TEEN = str(EXAMPLES / "teen-16-not-candidate-tralokinumab.json")


@pytest.mark.parametrize(("name", "expected"), [
    ("Adbry", "tralokinumab"), ("ADBRY", "tralokinumab"), ("Dupixent", "dupilumab"),
    ("dupilumab", "dupilumab"), ("Dupixent (dupilumab)", "dupilumab"),
    ("allergy shots", "allergen_immunotherapy"), ("allergen-immunotherapy",
                                                   "allergen_immunotherapy"),
    ("Ebglyss", "lebrikizumab"), ("nemluvio", "nemolizumab")])
def test_any_name_in_any_case_finds_the_option(name: str, expected: str) -> None:
    assert option_ids(ARTICLE, [name]) == (expected,)
    assert option_ids(LABELS, [name]) == (expected,)


def test_several_names_give_pack_order_each_once() -> None:
    assert option_ids(ARTICLE, ["Nemolizumab", "adbry", "tralokinumab"]) == (
        "tralokinumab", "nemolizumab")
    assert option_ids(ARTICLE, None) is None


def test_an_unknown_name_says_did_you_mean_and_lists_the_options() -> None:
    with pytest.raises(UsageError, match=r"no option 'Dupixnet' \(did you mean 'Dupixent'\?\); "
                                         r"options: dupilumab \(Dupixent\), tralokinumab \(Adbry\)"):
        option_ids(ARTICLE, ["Dupixnet"])


def test_evaluate_and_explain_keep_only_the_chosen_options(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", TEEN, "--format", "jsonl", "--option", "Adbry",
                 "--option", "DUPIXENT"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [o["id"] for o in record["options"]] == ["dupilumab", "tralokinumab"]
    assert main(["explain", TEEN, "--option", "adbry"]) == 0
    out = capsys.readouterr().out
    assert "Adbry (tralokinumab)" in out and "Dupixent" not in out
    assert main(["rules", "show", "--option", "Allergy Shots"]) == 0
    assert "allergen_immunotherapy.has_allergies" in capsys.readouterr().out


def test_the_option_filter_is_the_same_with_worker_processes(
        capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["evaluate", str(EXAMPLES), "--format", "jsonl", "--option", "Adbry", "-q"]
    main(argv)
    one = capsys.readouterr().out
    main([*argv, "--jobs", "2"])
    assert capsys.readouterr().out == one
    assert all(len(json.loads(line)["options"]) == 1 for line in one.splitlines()
               if '"options"' in line)


def test_unknown_option_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", TEEN, "--option", "Dupilumabb"]) == 2
    assert "did you mean 'dupilumab'" in capsys.readouterr().err


def test_names_are_compared_ignoring_case_and_separators() -> None:
    assert key("Allergen_Immunotherapy") == key("allergen - immunotherapy") == "allergen immunotherapy"


def test_a_name_two_options_share_is_a_pack_problem(tmp_path: Path) -> None:
    pack = tmp_path / "clash"
    shutil.copytree(RULES / "article-2023", pack)
    option = pack / "options" / "lebrikizumab.toml"
    option.write_text(option.read_text().replace('aliases = ["Ebglyss"]',
                                                 'aliases = ["Ebglyss", "adbry"]'))
    with pytest.raises(RulePackError, match=r"options/lebrikizumab.toml: option 'lebrikizumab': "
                                            r"name 'adbry' is already a name of option "
                                            r"'tralokinumab'"):
        load_pack(pack)


def test_names_are_validated_like_the_rest_of_the_pack(tmp_path: Path) -> None:
    pack = tmp_path / "bad"
    shutil.copytree(RULES / "article-2023", pack)
    option = pack / "options" / "dupilumab.toml"
    option.write_text(option.read_text().replace('short_name = "Dupixent"',
                                                 'short_name = "Dupixent the long name"'))
    with pytest.raises(RulePackError, match="short_name"):
        load_pack(pack)
