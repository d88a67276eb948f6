"""The patient profile: what the aid is told about one patient, validated strictly.

Every field is optional because a missing field is information too: it means *unknown*,
and an unknown never reads as "criterion not met". Validation is strict on purpose: the
string ``"9"`` is not an age and ``"yes"`` is not a boolean, because a decision aid that
guesses what a record meant can turn a typo into a wrong answer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from eligibility.errors import Problem, ProfileError
from eligibility.model import allergens
from eligibility.model.age import (
    AgeInterval,
    check_birth_date,
    check_dated,
    combine,
    from_birth_date,
    from_fields,
    gap_months,
)
from eligibility.model.validation_words import closest_value, json_kind, message_of
from eligibility.safe_text import clip
from eligibility.suggest import did_you_mean

Severity = Literal["mild", "moderate", "severe"]
Response = Literal["not_tried", "adequate", "inadequate", "not_advisable"]

MAX_AGE_YEARS = 130
MAX_WEIGHT_KG = 500
MAX_TEXT = 200
MAX_ITEMS = 64

#: List entries that mean "nothing" and would otherwise count as an item.
NOT_AN_ENTRY = {"none", "no", "n/a", "na", "nil", "nothing", "unknown", "-", "?"}


#: What ``_clean_text`` refuses, searched in C: every text field of every profile of a
#: batch passes through it (a character at a time in Python cost ~1 µs a field).
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _clean_text(value: str) -> str:
    """Text that can be shown and written anywhere: no lone surrogates or control bytes."""
    if _SURROGATE.search(value):
        raise ValueError("contains an invalid character (a lone UTF-16 surrogate)")
    if _CONTROL.search(value):
        raise ValueError("contains a control character")
    return value


def _real_item(value: str) -> str:
    """A list entry that means "nothing" would count as an item; say how to write none."""
    if value.lower() in NOT_AN_ENTRY:
        raise ValueError(f"'{value}' is not an entry: write [] when none are known, or leave the "
                         "field out when unknown")
    return value


ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
                      AfterValidator(_clean_text)]
ListItem = Annotated[ShortText, AfterValidator(_real_item)]
BirthDate = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"),
                      AfterValidator(check_birth_date)]
AllergyItem = Annotated[ShortText, AfterValidator(allergens.check_entry)]


class Profile(BaseModel):
    """One patient, as far as the clinician knows them. ``None`` means unknown."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True,
                              allow_inf_nan=False, ser_json_inf_nan="null")

    id: ShortText | None = Field(default=None, description="Your reference for the patient.")
    age_years: Annotated[float, Field(ge=0, le=MAX_AGE_YEARS)] | None = Field(
        default=None,
        description="Age in years, exactly as written: 5.04 is older than 5; 16 is exactly 16 years.")
    age_months: Annotated[int, Field(ge=0, le=MAX_AGE_YEARS * 12)] | None = Field(
        default=None,
        description="Completed months of age (215 is from 215 up to 216 months); may be given with "
                    "age_years if they agree within a month: then a rule between them is unknown.")
    birth_date: BirthDate | None = Field(
        default=None,
        description="Date of birth, YYYY-MM-DD, or partial as YYYY-MM or YYYY (then the age is "
                    "an interval); needs the assessment date (as_of, --as-of).")
    severity: Severity | None = Field(default=None, description="Eczema severity as the clinician grades it.")
    topical_response: Response | None = Field(
        default=None, description="Response to topical treatment (steroids, calcineurin inhibitors).")
    systemic_response: Response | None = Field(
        default=None, description="Response to oral immunosuppressants.")
    allergies: Annotated[list[AllergyItem], Field(max_length=MAX_ITEMS),
                         AfterValidator(allergens.known_list)] | None = Field(
        default=None,
        description="Known allergies (dust_mite, pollen, pet_dander, mold, food or free text); "
                    "[] means none known.")
    allergy_eczema_link: bool | None = Field(
        default=None, description="A clinician believes allergies drive the eczema flares.")
    conditions: Annotated[list[ListItem], Field(max_length=MAX_ITEMS)] | None = Field(
        default=None, description="Other conditions (asthma, hay_fever, ...); [] means none known.")
    weight_kg: Annotated[float, Field(gt=0, le=MAX_WEIGHT_KG)] | None = Field(
        default=None, description="Body weight in kilograms.")

    @model_validator(mode="after")
    def _ages_agree(self) -> Profile:
        if (self.age_years is not None and self.age_months is not None
                and gap_months(self.age_years, self.age_months) > 1):
            raise ValueError(
                f"age_years ({self.age_years:g}) and age_months ({self.age_months}) disagree by "
                "more than a month; give one of them")
        return self

    #: The assessment date a birth_date is read on (``dated``); never the clock.
    _as_of: dt.date | None = PrivateAttr(default=None)

    @property
    def age(self) -> AgeInterval | None:
        """The age as an exact interval of months (``model/age.py``); None: unknown.

        A birth_date counts only on a ``dated`` profile; with age_years/age_months as well,
        the age is what all of them allow (``age.combine``: where they overlap, the
        intersection; else the hull; they agree within a month, ``dated`` checks).
        """
        given = from_fields(self.age_years, self.age_months)
        if self.birth_date is None or self._as_of is None:
            return given
        return combine(from_birth_date(self.birth_date, self._as_of), given)

    @property
    def as_of(self) -> dt.date | None:
        """The assessment date a birth_date is read on (``dated``); None when undated."""
        return self._as_of

    def dated(self, as_of: dt.date | None) -> Profile:
        """This profile assessed on ``as_of`` (``age.check_dated`` says when it cannot be)."""
        if self.birth_date is None or (as_of is None and self._as_of is not None):
            return self
        check_dated(self.birth_date, as_of, from_fields(self.age_years, self.age_months))
        dated = self.model_copy()
        dated._as_of = as_of
        return dated

    def on(self, as_of: dt.date) -> Profile:
        """This profile carrying ``as_of`` whether or not it has a birth_date (``dated``
        checks one against it): what ``evaluate`` then assesses it on and its record says.
        The testing kit's draws keep the date they were drawn for this way."""
        dated = self.dated(as_of)
        if dated._as_of == as_of:
            return dated
        carried = dated.model_copy()
        carried._as_of = as_of
        return carried

    def known_fields(self) -> list[str]:
        return [name for name in type(self).model_fields if getattr(self, name) is not None]


PROFILE_FIELDS: tuple[str, ...] = tuple(Profile.model_fields)
_ID: TypeAdapter[str] = TypeAdapter(ShortText, config=ConfigDict(strict=True))


#: How many problems one error reports; the rest are counted.
MAX_PROBLEMS = 10


def parse_profile(data: object) -> Profile:
    """Validate a decoded JSON value into a ``Profile`` or raise ``ProfileError``.

    Every problem is reported (up to ``MAX_PROBLEMS``), each naming its field; the first
    one's field is the error's. A misspelt field gets the closest known one. Input is
    quoted briefly and with hidden characters escaped, never at length.
    """
    if isinstance(data, Profile):
        return data
    if not isinstance(data, Mapping):
        raise ProfileError(f"a profile must be a JSON object, not {json_kind(data)}")
    problems: list[Problem] = []
    total = 0
    for key in data:
        if key in Profile.model_fields:
            continue
        total += 1
        if len(problems) < MAX_PROBLEMS:  # the rest are only counted: no guesses for 100,000 keys
            problems.append(_unknown_field(key))
    # A tuple is an array too: worked cases hold their profiles read-only (rulepack/model.py).
    known = {key: list(value) if isinstance(value, tuple) else value
             for key, value in data.items() if key in Profile.model_fields}
    try:
        profile = Profile.model_validate(known)
    except ValidationError as error:
        details = error.errors(include_url=False)
        problems += [_problem(detail) for detail in details[:MAX_PROBLEMS]]
        total += len(details)
    if problems:
        raise _profile_error(problems, total)
    return profile


def profile_id(data: object) -> str | None:
    """The id a valid profile with this data would have (stripped, checked), else ``None``.

    Error records name the profile by it, so an id reads the same in both kinds of record.
    """
    value = data.get("id") if isinstance(data, Mapping) else None
    if not isinstance(value, str):
        return None
    try:
        return _ID.validate_python(value)
    except ValidationError:
        return None


def _unknown_field(key: object) -> Problem:
    if not isinstance(key, str):
        return Problem(f"field names must be strings, not {clip(repr(key))}", field=clip(str(key)))
    hint = did_you_mean(key, PROFILE_FIELDS) if len(key) <= MAX_TEXT else ""
    return Problem(f"unknown field '{clip(key)}'{hint}", field=clip(key),
                   suggestion=hint.strip(" ()") or None)


def _profile_error(problems: list[Problem], total: int) -> ProfileError:
    """One error for all the problems: the first names the field, the message lists them."""
    shown = problems[:MAX_PROBLEMS]
    message = "; ".join(problem.message for problem in shown)
    if total > len(shown):
        message += f"; and {total - len(shown)} more"
    first = shown[0]
    return ProfileError(message, field=first.field, suggestion=first.suggestion, problems=shown)


def _problem(detail: ErrorDetails) -> Problem:
    location = [part for part in detail["loc"] if not _is_branch_name(part)]
    field = ".".join(str(part) for part in location) or None
    message = message_of(detail)
    if field is None:
        return Problem(message, field=_field_of(message))
    suggestion = closest_value(detail)
    if suggestion is not None:
        return Problem(f"{field}: {message} (did you mean '{suggestion}'?)", field=field,
                       suggestion=suggestion)
    return Problem(f"{field}: {message}", field=field)


def _is_branch_name(part: object) -> bool:
    # pydantic names union branches ("float", "list[…]", "function-after[…]") in locations.
    return isinstance(part, str) and (part not in Profile.model_fields) and not part.isdigit()


def _field_of(message: str) -> str | None:
    for name in PROFILE_FIELDS:
        if name in message:
            return name
    return None
