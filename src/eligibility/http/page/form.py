"""The clinician form: one control per field of the registry, and how what was typed
becomes a profile.

The controls come from the field registry (``model/fields.py``: kind, title, vocabulary,
unit, list examples) and the profile model's descriptions, so the page asks exactly what
the profile holds, and a new field is a new control without an edit here. The allergies'
boxes are the coded allergen vocabulary (``model/vocab/allergens.toml``), grouped by its
categories (environmental, food, drug, insect venom, other): a ticked box sends the
allergen's code, which the profile reads exactly as the command line reads the same code. Unknown is the
default of every control and a choice of its own: an empty box means unknown, never "no".

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

from eligibility.model.allergens import CATEGORIES, Category, vocabulary
from eligibility.model.fields import AGE_MONTHS, AGE_YEARS, BIRTH_DATE, FIELDS, RuleField
from eligibility.model.profile import Profile
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
AGE_UNITS = ("years", "months")
#: The box that says a list is known to be empty ([]), as against unknown (nothing ticked).
NONE_KNOWN = "none_known"
#: Controls that are not profile fields.
AS_OF, RULES = "as_of", "rules"
YES, NO = "yes", "no"


#: How each allergen category of the vocabulary is headed on the form.
CATEGORY_TITLES: Mapping[Category, str] = {
    "environmental": "Environmental (inhaled)", "food": "Food", "drug": "Drug",
    "insect_venom": "Insect venom", "other": "Other"}


@dataclass(frozen=True)
class Choice:
    value: str
    text: str


@dataclass(frozen=True)
class ChoiceGroup:
    """A list's boxes under one heading (an allergen category)."""

    key: str
    title: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Control:
    """One question on the form, for one rule field (``name`` is the field's)."""

    name: str
    kind: str
    title: str
    hint: str
    choices: tuple[Choice, ...] = ()
    unit: str = ""
    #: The same choices under headings, when the list has them (allergies, by category).
    groups: tuple[ChoiceGroup, ...] = ()

    @property
    def other(self) -> str:
        """A list's free-text box."""
        return f"{self.name}_other"

    @property
    def unit_control(self) -> str:
        """An age's unit chooser."""
        return f"{self.name}_unit"


def _control(entry: RuleField) -> Control:
    described = Profile.model_fields[entry.profile_fields[0]].description or ""
    if entry.kind == "category":
        return Control(entry.name, entry.kind, entry.title, described,
                       (Choice("", "unknown"), *(Choice(value, VALUE_HINTS.get(value, label(value)))
                                                 for value in entry.vocabulary)))
    if entry.kind == "boolean":
        return Control(entry.name, entry.kind, entry.title, described,
                       (Choice("", "unknown"), Choice(YES, "yes"), Choice(NO, "no")))
    if entry.kind == "number":
        return Control(entry.name, entry.kind, f"{entry.title} in {entry.unit}",
                       f"{described} A number, for example 41.5.", unit=entry.unit)
    if entry.kind == "age":
        return Control(entry.name, entry.kind, entry.title,
                       "A number, in years or in completed months.")
    if entry.kind == "allergy":
        groups = _allergen_groups()
        return Control(entry.name, "list", entry.title,
                       "Tick what is known, add others below. Nothing ticked or typed: unknown.",
                       tuple(choice for group in groups for choice in group.choices),
                       groups=groups)
    # a list (conditions): coded entries to tick, and free text
    return Control(entry.name, "list", entry.title,
                   "Tick what is known, add others below. Nothing ticked or typed: unknown.",
                   tuple(Choice(code, label(code)) for code in entry.examples))


def _allergen_groups() -> tuple[ChoiceGroup, ...]:
    """The vocabulary's allergens by category, in its order; an entry named for its whole
    category ('food', 'drug', 'insect venom') reads as another allergen of that kind."""
    allergens = vocabulary().allergens
    return tuple(
        ChoiceGroup(category, CATEGORY_TITLES[category], tuple(
            Choice(allergen.code, f"another {allergen.name} allergen"
                   if allergen.code == category else allergen.name)
            for allergen in allergens if allergen.category == category))
        for category in CATEGORIES if any(a.category == category for a in allergens))


#: Every control, in the registry's order.
CONTROLS: tuple[Control, ...] = tuple(_control(entry) for entry in FIELDS.values())


@dataclass(frozen=True)
class FormInput:
    """One submitted form: what was typed, the profile it gives, and the form's own errors."""

    typed: Mapping[str, str]
    ticked: Mapping[str, tuple[str, ...]]
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
        return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise FormUnreadable("the form could not be read (not UTF-8 form data)") from None


def read_form(pairs: list[tuple[str, str]], today: dt.date, default_rules: str) -> FormInput:
    """The profile a form gives; ``today`` is the assessment date when none is typed."""
    lists = {control.name for control in CONTROLS if control.kind == "list"}
    typed: dict[str, str] = {}
    ticked: dict[str, list[str]] = {}
    for key, value in pairs:
        if key in lists:
            ticked.setdefault(key, []).append(value)
        else:
            typed.setdefault(key, value.strip())
    errors: dict[str, tuple[str, ...]] = {}
    profile: dict[str, object] = {}
    for control in CONTROLS:
        _read(control, typed, ticked.get(control.name, []), profile, errors)
    as_of = _as_of(typed.get(AS_OF, ""), today, errors)
    return FormInput(typed, {name: tuple(values) for name, values in ticked.items()}, profile,
                     as_of, typed.get(RULES) or default_rules, errors)


def _read(control: Control, typed: Mapping[str, str], ticked: list[str],
          profile: dict[str, object], errors: dict[str, tuple[str, ...]]) -> None:
    """The profile fields one control gives (none when it is left unknown)."""
    value = typed.get(control.name, "")
    field_name = FIELDS[control.name].profile_fields[0]
    if control.kind == "age":
        months = typed.get(control.unit_control) == AGE_UNITS[1]
        if value:
            profile[AGE_MONTHS if months else AGE_YEARS] = _number(value, whole=months)
        if typed.get(BIRTH_DATE):
            profile[BIRTH_DATE] = typed[BIRTH_DATE]
    elif control.kind == "boolean":
        if value in (YES, NO):
            profile[field_name] = value == YES
    elif control.kind == "number":
        if value:
            profile[field_name] = _number(value, whole=False)
    elif control.kind == "list":
        entries = _entries(control, ticked, typed.get(control.other, ""), errors)
        if entries is not None:
            profile[field_name] = entries
    elif value:
        profile[field_name] = value


def _number(text: str, *, whole: bool) -> object:
    """A plain decimal as a number; anything else as typed, for the profile to reject."""
    if not _DECIMAL.fullmatch(text):
        return text
    if whole and text.lstrip("+-").isdigit():
        return int(text)
    return float(text)


def _entries(control: Control, ticked: list[str], other: str,
             errors: dict[str, tuple[str, ...]]) -> list[str] | None:
    """A list: ticked entries then typed ones; [] for "none known"; None (unknown) when
    nothing is ticked or typed."""
    entries = [code for code in ticked if code != NONE_KNOWN]
    entries += [part.strip() for part in _ENTRIES.split(other) if part.strip()]
    if NONE_KNOWN in ticked:
        if entries:
            errors[control.name] = (f"'no known {control.title.lower()}' is ticked but "
                                    f"{control.title.lower()} are listed; untick it or clear "
                                    "the list",)
        return []
    return entries or None


def _as_of(text: str, today: dt.date, errors: dict[str, tuple[str, ...]]) -> dt.date:
    if not text:
        return today
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[AS_OF] = (f"'{text[:40]}' is not a date; write YYYY-MM-DD",)
        return today
