"""The clinician form: what each control is, and how what was typed becomes a profile.

The controls come from the field registry (labels, vocabularies, units, the allergy
examples), so the page asks exactly what the profile holds. Unknown is the default of
every control and a choice of its own: an empty box means unknown, never "no".

What was typed is kept as typed (``FormInput.typed``) so that a form sent back with an
error shows it again. Numbers are read only when they are written as plain decimals;
anything else goes to the profile as the text it is, so that ``parse_profile`` rejects
it with the same message the command line gives for that value. Nothing here stores or
logs anything: a ``FormInput`` lives for one request.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from eligibility.model.fields import AGE_MONTHS, AGE_YEARS, BIRTH_DATE, FIELDS
from eligibility.rulepack.wording import label

#: The longest form body read: the whole form with every box full fits in a fraction.
MAX_BODY = 32 * 1024
MAX_FIELDS = 200
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_ENTRIES = re.compile(r"[,;\n]")

#: Words beside a category value where its bare label would be ambiguous at the bedside.
VALUE_HINTS: Mapping[str, str] = {
    "adequate": "adequate (controlled the eczema)",
    "inadequate": "inadequate (did not control it)",
    "not_advisable": "not advisable (cannot be used)",
}
#: The category controls, in the order the form shows them, and their questions.
QUESTIONS: Mapping[str, str] = {
    "severity": "Eczema severity",
    "topical_response": "Response to topical treatment (steroids, calcineurin inhibitors)",
    "systemic_response": "Response to systemic treatment (oral immunosuppressants)",
}
AGE_UNITS = ("years", "months")
NO_KNOWN_ALLERGIES = "none_known"


@dataclass(frozen=True)
class Choice:
    value: str
    text: str


def choices(name: str) -> tuple[Choice, ...]:
    """A category control's choices: unknown first (the default), then the vocabulary."""
    values = FIELDS[name].vocabulary
    return (Choice("", "unknown"),
            *(Choice(value, VALUE_HINTS.get(value, label(value))) for value in values))


def allergy_choices() -> tuple[Choice, ...]:
    """The coded allergy categories offered as boxes to tick."""
    return tuple(Choice(code, label(code)) for code in FIELDS["allergies"].examples)


@dataclass(frozen=True)
class FormInput:
    """One submitted form: what was typed, the profile it gives, and the form's own errors."""

    typed: Mapping[str, str]
    ticked: tuple[str, ...]
    profile: Mapping[str, object]
    as_of: dt.date
    rules: str
    #: Errors the form finds before the profile is validated, by form control.
    errors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class FormUnreadable(ValueError):
    """A body that is not a form this page sent (too large, not UTF-8, too many fields)."""


def read_body(body: bytes) -> list[tuple[str, str]]:
    """The pairs of an ``application/x-www-form-urlencoded`` body, or ``FormUnreadable``."""
    if len(body) > MAX_BODY:
        raise FormUnreadable(f"the form is larger than {MAX_BODY // 1024} KiB")
    try:
        text = body.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS,
                         strict_parsing=False, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise FormUnreadable("the form could not be read (not UTF-8 form data)") from None


def read_form(pairs: list[tuple[str, str]], today: dt.date, default_rules: str) -> FormInput:
    """The profile a form gives; ``today`` is the assessment date when none is typed."""
    typed: dict[str, str] = {}
    ticked: list[str] = []
    for key, value in pairs:
        if key == "allergy":
            ticked.append(value)
        else:
            typed.setdefault(key, value.strip())
    errors: dict[str, tuple[str, ...]] = {}
    profile: dict[str, object] = {}
    unit = typed.get("age_unit", "years")
    age = typed.get("age", "")
    if age:
        profile[AGE_MONTHS if unit == "months" else AGE_YEARS] = _number(age, whole=unit == "months")
    if typed.get(BIRTH_DATE):
        profile[BIRTH_DATE] = typed[BIRTH_DATE]
    for name in QUESTIONS:
        if typed.get(name):
            profile[name] = typed[name]
    link = typed.get("allergy_eczema_link", "")
    if link in ("yes", "no"):
        profile["allergy_eczema_link"] = link == "yes"
    allergies = _allergies(ticked, typed.get("allergies_other", ""), errors)
    if allergies is not None:
        profile["allergies"] = allergies
    if typed.get("weight_kg"):
        profile["weight_kg"] = _number(typed["weight_kg"], whole=False)
    as_of = _as_of(typed.get("as_of", ""), today, errors)
    return FormInput(typed, tuple(ticked), profile, as_of,
                     typed.get("rules") or default_rules, errors)


def _number(text: str, *, whole: bool) -> object:
    """A plain decimal as a number; anything else as typed, for the profile to reject."""
    if not _DECIMAL.fullmatch(text):
        return text
    if whole and text.lstrip("+-").isdigit():
        return int(text)
    return float(text)


def _allergies(ticked: list[str], other: str, errors: dict[str, tuple[str, ...]]
               ) -> list[str] | None:
    """The allergy list: ticked categories then typed entries; [] for "no known allergies";
    None (unknown) when nothing is ticked or typed."""
    entries = [code for code in ticked if code != NO_KNOWN_ALLERGIES]
    entries += [part.strip() for part in _ENTRIES.split(other) if part.strip()]
    if NO_KNOWN_ALLERGIES in ticked:
        if entries:
            errors["allergies"] = ("'no known allergies' is ticked but allergies are listed; "
                                   "untick it or clear the list",)
        return []
    return entries or None


def _as_of(text: str, today: dt.date, errors: dict[str, tuple[str, ...]]) -> dt.date:
    if not text:
        return today
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors["as_of"] = (f"'{text[:40]}' is not a date; write YYYY-MM-DD",)
        return today
