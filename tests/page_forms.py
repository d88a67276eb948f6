"""What a clinician would enter on the page for a profile: the form's fields, by control.

Shared by the HTTP tests (posted as data) and the browser tests (typed and clicked).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from conftest import EXAMPLES

#: The README's example patients (one profile per .json file).
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))
#: The page's default assessment date in tests: a fixed day, never the clock.
AS_OF = "2026-12-02"


def example(path: Path) -> dict[str, object]:
    profile: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    profile.pop("id", None)  # the page asks for no patient reference
    return profile


def form_of(profile: Mapping[str, object]) -> dict[str, object]:
    """The form fields for a profile: selects by value, allergies as ticked boxes and text."""
    form: dict[str, object] = {"as_of": AS_OF}
    if "age_years" in profile:
        form.update(age=f"{profile['age_years']:g}", age_unit="years")
    if "age_months" in profile:
        form.update(age=str(profile["age_months"]), age_unit="months")
    for name in ("birth_date", "severity", "topical_response", "systemic_response"):
        if name in profile:
            form[name] = str(profile[name])
    if "allergy_eczema_link" in profile:
        form["allergy_eczema_link"] = "yes" if profile["allergy_eczema_link"] else "no"
    if "weight_kg" in profile:
        form["weight_kg"] = f"{profile['weight_kg']:g}"
    for name in ("allergies", "conditions"):
        entries = profile.get(name)
        if isinstance(entries, list):
            form[name] = list(entries) or ["none_known"]
    return form
