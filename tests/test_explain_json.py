"""``explain --format json``: the long form as data, described by ``schema --explain``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES

from eligibility.cli import main
from eligibility.render.explain_record import ExplanationRecord, explanation_schema
from eligibility.render.record import ErrorRecord

CHILD = str(EXAMPLES / "child-7-candidate-allergen-immunotherapy.json")
MIXED = str(EXAMPLES / "invalid" / "mixed-batch-exit-1.jsonl")


def _explain(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["explain", *argv, "-q"])
    return code, capsys.readouterr().out


def test_every_item_validates_against_the_schema_models(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _explain(capsys, str(EXAMPLES), MIXED, "--format", "json")
    assert code == 1
    items = json.loads(out)
    for item in items:
        if "error" in item:
            ErrorRecord.model_validate(item)  # the same error records as evaluate
        else:
            assert ExplanationRecord.model_validate(item).model_dump(mode="json") == item
    assert sum("error" in item for item in items) == 4
    _, lines = _explain(capsys, str(EXAMPLES), MIXED, "--format", "jsonl")
    assert [json.loads(line) for line in lines.splitlines()] == items


def test_changes_carry_their_check_and_several_blockers_their_combination(
        capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    # A dust mite allergy given: which allergens a patient has is never patched (issue 11).
    infant = Path(str(tmp_path)) / "infant.json"
    infant.write_text(json.dumps({**json.loads(
        (EXAMPLES / "infant-5-months-not-candidate-dupilumab.json").read_text()),
        "allergies": ["dust_mite"]}))
    _, out = _explain(capsys, str(infant), "--format", "json", "--option", "allergy shots")
    [record] = json.loads(out)
    [option] = record["options"]
    assert option["status"] == "not_candidate"
    assert option["changes"] and all(c["checked"] in (True, None) for c in option["changes"])
    together = option["together"]
    assert together is not None
    assert together["status"] == "candidate" and together["patch"]
    assert {c["criterion"] for c in option["criteria"]} >= {
        "allergen_immunotherapy.age", "allergen_immunotherapy.has_allergies"}
    age = next(c for c in option["criteria"] if c["criterion"] == "allergen_immunotherapy.age")
    assert age["patient_value"] == "5 months"
    assert age["comparisons"] == ["age 5 months — rule: older than 5 years"]


def test_the_json_says_what_the_text_says(capsys: pytest.CaptureFixture[str]) -> None:
    _, text = _explain(capsys, CHILD)
    _, data = _explain(capsys, CHILD, "--format", "json")
    [record] = json.loads(data)
    for option in record["options"]:
        assert option["name"] in text
        for change in option["changes"]:
            assert change["change"]["sentence"].split(":")[0] in " ".join(text.split())


def test_schema_explain_describes_both_kinds_of_item(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--explain"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == json.loads(json.dumps(explanation_schema()))
    assert {"ExplanationRecord", "ErrorRecord", "CheckedChange", "Together"} <= set(schema["$defs"])
    checked = schema["$defs"]["CheckedChange"]["properties"]["checked"]
    assert "evaluating again" in checked["description"]


def test_profiles_name_no_resources(capsys: pytest.CaptureFixture[str]) -> None:
    """``from_resources`` is FHIR's: a profile's criteria name none."""
    _, out = _explain(capsys, CHILD, "--format", "json")
    [record] = json.loads(out)
    assert all(criterion["from_resources"] == [] for option in record["options"]
               for criterion in option["criteria"])
