"""The US-labels pack against the issue's bar, and the commands that choose and compare packs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from eligibility import evaluate, load_pack
from eligibility.cli import main

ROOT = Path(__file__).resolve().parents[1]
DIFF_PROFILES = ROOT / "examples" / "pack-diff"
LABELS = "us-labels-2026"
TEEN_16 = {"age_years": 16, "severity": "severe", "topical_response": "inadequate"}
TEEN_13 = {"age_years": 13, "severity": "severe", "topical_response": "inadequate"}


def test_teen_16_tralokinumab_changes_with_the_labels() -> None:
    assert evaluate(TEEN_16).option("tralokinumab").status == "not_candidate"
    assert evaluate(TEEN_16, rules=LABELS).option("tralokinumab").status == "candidate"


def test_teen_13_lebrikizumab_needs_40_kg_and_a_known_weight() -> None:
    light = evaluate({**TEEN_13, "weight_kg": 35}, rules=LABELS).option("lebrikizumab")
    assert light.status == "not_candidate"
    assert [r.criterion for r in light.reasons_with("not_met")] == ["lebrikizumab.weight"]
    unknown = evaluate(TEEN_13, rules=LABELS).option("lebrikizumab")
    assert unknown.status == "needs_information"
    assert unknown.missing_fields == ("weight_kg",)
    assert evaluate({**TEEN_13, "weight_kg": 40}, rules=LABELS).option("lebrikizumab").status \
        == "candidate"


def test_labels_pack_keeps_the_option_ids_and_cites_each_label() -> None:
    default, labels = load_pack("article-2023"), load_pack(LABELS)
    assert labels.option_ids == default.option_ids
    declared = {source.id for source in labels.sources}
    for option in labels.options:
        for criterion in labels.criteria_of(option):
            assert criterion.source.document in declared
            if option.kind == "approved_biologic":
                assert criterion.source.document.endswith("-label")
                assert "approved" in (criterion.source.detail or "")


def test_diff_over_the_issue_profiles_lists_exactly_the_label_changes(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "diff", "article-2023", LABELS, str(DIFF_PROFILES),
                 "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    changes = {(row["profile"], c["option"], c["from"], c["to"])
               for row in report["profiles"] for c in row["changes"]}
    # Both packs take lebrikizumab's 12 years and 40 kg (trial records, label) and
    # nemolizumab's 12 years: only tralokinumab's age differs for these teenagers.
    assert changes == {
        ("teen-16", "tralokinumab", "not_candidate", "candidate"),
        ("teen-13-35kg", "tralokinumab", "not_candidate", "candidate"),
        ("teen-13-weight-unknown", "tralokinumab", "not_candidate", "candidate"),
    }
    rules = {(c["option"], c["change"], c["rule"]) for c in report["rules"]}
    assert ("tralokinumab", "removed", "tralokinumab.adult") in rules
    assert ("lebrikizumab", "changed", "lebrikizumab.weight") in rules
    assert ("nemolizumab", "changed", "nemolizumab.age") in rules


def test_boundary_diff_finds_the_adolescent_tralokinumab_block(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "diff", "article-2023", LABELS, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    options = {change["option"] for change in report["boundary"]}
    assert "allergen_immunotherapy" not in options  # same criteria in both packs
    teen = [change for change in report["boundary"] if change["option"] == "tralokinumab"
            and (change["from"], change["to"]) == ("not_candidate", "candidate")]
    assert teen and any("age: 12 years to under 18 years" in who for who in teen[0]["who"])
    assert main(["rules", "diff", LABELS, LABELS]) == 0
    assert "(no status changes)" in capsys.readouterr().out


@pytest.mark.parametrize(("as_of", "pack"), [("2023-01-01", "article-2023"),
                                             ("2026-06-29", "article-2023"),
                                             ("2026-07-01", LABELS)])
def test_as_of_picks_the_newest_pack_valid_that_day(
        as_of: str, pack: str, capsys: pytest.CaptureFixture[str]) -> None:
    profile = str(DIFF_PROFILES / "teen-16-severe.json")
    assert main(["evaluate", profile, "--format", "jsonl", "--as-of", as_of]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["rule_pack"]["name"] == pack
    assert captured.err == ""  # the pack was chosen, so no "newer pack" note


def test_as_of_before_every_pack_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "show", "--as-of", "2020-01-01"]) == 2
    assert "no shipped pack is dated on or before" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["rules", "show", "--as-of", "June 2026"])


def test_default_output_says_in_one_line_that_a_newer_pack_ships(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(DIFF_PROFILES / "teen-16-severe.json"), "--format", "jsonl"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["rule_pack"]["name"] == "article-2023"
    assert captured.err.count("\n") == 1 and f"newer pack ships: {LABELS}" in captured.err


def test_list_show_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list"]) == 0
    out = capsys.readouterr().out
    assert "article-2023 (default)" in out and f"{LABELS}" in out and "2026-06-30" in out
    assert main(["rules", "show", LABELS, "--option", "lebrikizumab"]) == 0
    out = capsys.readouterr().out
    assert "lebrikizumab.weight" in out and "ebglyss-label" in out and "dupilumab.age" not in out
    assert main(["rules", "show", "--rules", LABELS, "--option", "lebrikizumb"]) == 2
    assert "did you mean 'lebrikizumab'" in capsys.readouterr().err
    assert main(["rules", "table", LABELS, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert [row[0] for row in rows[1:]] == [o.name for o in load_pack(LABELS).options]
    assert "Weight" in rows[0]
    weight = rows[0].index("Weight")
    assert [row[weight] for row in rows[1:]].count("—") == 4
    assert main(["rules", "table", "article-2023", "--rules", LABELS]) == 2
