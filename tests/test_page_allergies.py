"""The page's allergy choices are the coded vocabulary, by category, and each decides as the
command line decides for the same profile.

Every allergen of ``model/vocab/allergens.toml`` is a box under its category's heading
(environmental, food, drug, insect venom, other); free text stays for anything else. A
ticked box sends the allergen's code, and the answer the page shows for it is compared
with what ``eligibility evaluate`` prints for the same profile in JSON: each option's
status, and the allergy criterion's outcome and the patient's value as the rule read it.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest

if not os.environ.get("CI"):
    pytest.importorskip("fastapi")
    pytest.importorskip("jinja2")

from fastapi import FastAPI
from fastapi.testclient import TestClient
from page_forms import AS_OF

from eligibility import evaluate
from eligibility.cli import main
from eligibility.http.page import page_router
from eligibility.http.page.form import CATEGORY_TITLES, CONTROLS, Choice
from eligibility.model.allergens import CATEGORIES, vocabulary
from eligibility.render.status import label

ALLERGIES = next(control for control in CONTROLS if control.name == "allergies")
#: A patient for whom allergy shots turn on the allergy: adult, severe, topical treatment
#: inadequate, the allergies linked to the eczema by a clinician.
BASE = {"age_years": 30, "severity": "severe", "topical_response": "inadequate",
        "allergy_eczema_link": True}
FORM = {"age": "30", "severity": "severe", "topical_response": "inadequate",
        "allergy_eczema_link": "yes", "as_of": AS_OF}
CRITERION = "allergen_immunotherapy.has_allergies"


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.include_router(page_router())
    return TestClient(app)


def test_every_coded_allergen_is_a_choice_under_its_category(client: TestClient) -> None:
    text = client.get("/").text
    for category in CATEGORIES:
        start = text.index(f'<fieldset class="choices" id="allergies-{category}">')
        group = text[start:text.index("</fieldset>", start)]
        assert f"<legend>{CATEGORY_TITLES[category]}</legend>" in group
        boxes = re.findall(r'name="allergies" value="([a-z_]+)"', group)
        assert boxes == [allergen.code for allergen in vocabulary().allergens
                         if allergen.category == category]
    assert 'id="allergies_other"' in text  # free text for anything the vocabulary lacks
    assert 'value="none_known"' in text


def _cli(profile: dict[str, object], folder: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    path = folder / "profile.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    capsys.readouterr()
    assert main(["evaluate", str(path), "--format", "json", "--detail", "brief",
                 "--as-of", AS_OF]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert isinstance(record, dict)
    return record


def _criterion_outcome(text: str, title: str) -> str:
    """The outcome class of the answer's criterion with ``title`` (its first appearance)."""
    found = re.search(r'<li class="outcome-([a-z_]+)">\s*<p class="criterion">(?:(?!<li).)*?</span> '
                      + re.escape(html.escape(title)) + "</p>", text, re.S)
    assert found, title
    return found.group(1)


@pytest.mark.parametrize("choice", ALLERGIES.choices, ids=lambda choice: choice.value)
def test_a_ticked_allergen_decides_as_the_command_line(
        client: TestClient, choice: Choice, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    code = choice.value
    response = client.post("/assess", data={**FORM, "allergies": code})
    assert response.status_code == 200, response.text
    profile = {**BASE, "allergies": [code]}
    cli = _cli(profile, tmp_path, capsys)
    library = evaluate(profile, as_of=AS_OF)
    statuses = {option["id"]: option["status"] for option in cli["options"]}  # type: ignore[union-attr]
    assert {option.id: option.status for option in library.options} == statuses
    for option in library.options:
        row = re.search(r'<a href="#option-' + option.id + r'">[^<]*</a>.*?</th>\s*<td><span [^>]*>.'
                        r'</span> ([^<]*)</td>', response.text, re.S)
        assert row and html.unescape(row.group(1)) == label(option), option.id
    read = cli["criteria"][CRITERION]  # type: ignore[index]
    title = next(reason.title for option in library.options for reason in option.reasons
                 if reason.criterion == CRITERION)
    assert _criterion_outcome(response.text, title) == read["outcome"]
    assert html.escape(read["patient_value"]) in response.text
    category = next(allergen.category for allergen in vocabulary().allergens if allergen.code == code)
    # Allergy shots treat inhaled allergens: only the environmental boxes meet the criterion.
    assert (read["outcome"] == "met") == (category == "environmental")
