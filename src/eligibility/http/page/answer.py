"""One submitted form answered: the explanation, or the errors beside the fields that caused them.

The profile goes through the same ``explain`` as ``eligibility explain`` (so through
``parse_profile`` and its messages); a ``ProfileError``'s problems are put beside the form
control that holds their field, so "age_years: Input should be greater than or equal to 0"
appears under the age box, exactly as the command line words it. No answer is shown
while any error stands: a stale answer beside a corrected form would mislead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from eligibility.engine.evaluation import evaluator_for
from eligibility.engine.explanation import Explanation, explain
from eligibility.errors import ProfileError
from eligibility.http.page.form import FormInput
from eligibility.http.page.note import note_text
from eligibility.http.page.packs import PackChooser
from eligibility.http.page.view import AnswerView, answer_view
from eligibility.model.fields import BIRTH_DATE, field_of


@dataclass(frozen=True)
class Answer:
    errors: Mapping[str, tuple[str, ...]]
    view: AnswerView | None = None
    note: str | None = None
    newer: str | None = None


def answer(form: FormInput, packs: PackChooser) -> Answer:
    """The explanation of the form's profile with its chosen pack, or the errors."""
    errors: dict[str, list[str]] = {name: list(found) for name, found in form.errors.items()}
    if form.rules not in packs.choices:
        errors.setdefault("rules", []).append(packs.unknown(form.rules))
    explanation: Explanation | None = None
    if form.rules in packs.choices:
        try:
            explanation = explain(form.profile, rules=evaluator_for(packs.choices[form.rules].pack),
                                  as_of=form.as_of)
        except ProfileError as error:
            for problem in error.problems:
                errors.setdefault(control(problem.field), []).append(problem.message)
    if errors or explanation is None:
        return Answer({name: tuple(found) for name, found in errors.items()})
    note = note_text(explanation, form.profile, form.as_of,
                     packs.newer_note(form.rules, on_page=False))
    return Answer({}, answer_view(explanation), note, packs.newer_note(form.rules))


def control(field: str | None) -> str:
    """The form control a profile field's problem is shown beside: its rule field's
    ('allergies.2' -> 'allergies', 'age_months' -> 'age'); the date of birth has its own
    box; "" is the form as a whole."""
    if field is None:
        return ""
    name = field.split(".", 1)[0]
    entry = field_of(name)
    return name if entry is None or name == BIRTH_DATE else entry.name
