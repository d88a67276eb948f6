"""The patient profile: what the aid is told about one patient, validated strictly.

Every field is optional because a missing field is information too: it means *unknown*,
and an unknown never reads as "criterion not met". Validation is strict on purpose: the
string ``"9"`` is not an age and ``"yes"`` is not a boolean, because a decision aid that
guesses what a record meant can turn a typo into a wrong answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from eligibility.errors import ProfileError
from eligibility.suggest import did_you_mean

Severity = Literal["mild", "moderate", "severe"]
Response = Literal["not_tried", "adequate", "inadequate", "not_advisable"]

MAX_AGE_YEARS = 130
MAX_WEIGHT_KG = 500
MAX_TEXT = 200
MAX_ITEMS = 64

#: List entries that mean "nothing" and would otherwise count as an item.
NOT_AN_ENTRY = {"none", "no", "n/a", "na", "nil", "nothing", "unknown", "-", "?"}


def _clean_text(value: str) -> str:
    """Text that can be shown and written anywhere: no lone surrogates or control bytes."""
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise ValueError("contains an invalid character (a lone UTF-16 surrogate)")
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
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

class Profile(BaseModel):
    """One patient, as far as the clinician knows them. ``None`` means unknown."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True,
                              allow_inf_nan=False, ser_json_inf_nan="null")

    id: ShortText | None = Field(default=None, description="Your reference for the patient.")
    age_years: Annotated[float, Field(ge=0, le=MAX_AGE_YEARS)] | None = Field(
        default=None, description="Age in years; fractions allowed (1.5 is 18 months).")
    age_months: Annotated[int, Field(ge=0, le=MAX_AGE_YEARS * 12)] | None = Field(
        default=None,
        description="Age in whole months; may be given with age_years if they agree within a month.")
    severity: Severity | None = Field(default=None, description="Eczema severity as the clinician grades it.")
    topical_response: Response | None = Field(
        default=None, description="Response to topical treatment (steroids, calcineurin inhibitors).")
    systemic_response: Response | None = Field(
        default=None, description="Response to oral immunosuppressants.")
    allergies: Annotated[list[ListItem], Field(max_length=MAX_ITEMS)] | None = Field(
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
                and abs(self.age_years * 12 - self.age_months) > 1):
            raise ValueError(
                f"age_years ({self.age_years:g}) and age_months ({self.age_months}) disagree by "
                "more than a month; give one of them")
        return self

    @property
    def age_in_months(self) -> int | None:
        """Completed months of age, the unit every age rule is compared in."""
        if self.age_months is not None:
            return self.age_months
        if self.age_years is None:
            return None
        # The small epsilon keeps 0.5 * 12 == 6 from landing on 5.999… .
        return math.floor(self.age_years * 12 + 1e-9)

    def known_fields(self) -> list[str]:
        return [name for name in type(self).model_fields if getattr(self, name) is not None]


PROFILE_FIELDS: tuple[str, ...] = tuple(Profile.model_fields)


def parse_profile(data: object) -> Profile:
    """Validate a decoded JSON value into a ``Profile`` or raise ``ProfileError``.

    The first problem found is reported with its field named and, for a misspelt field,
    the closest known one.
    """
    if isinstance(data, Profile):
        return data
    if not isinstance(data, Mapping):
        raise ProfileError(f"a profile must be a JSON object, not {_json_kind(data)}")
    for key in data:
        if not isinstance(key, str):
            raise ProfileError(f"field names must be strings, not {key!r}", field=str(key))
        if key not in Profile.model_fields:
            hint = did_you_mean(key, PROFILE_FIELDS)
            raise ProfileError(f"unknown field '{key}'{hint}", field=key,
                               suggestion=hint.strip(" ()") or None)
    try:
        return Profile.model_validate(dict(data))
    except ValidationError as error:
        raise _profile_error(error) from None


def _profile_error(error: ValidationError) -> ProfileError:
    first = error.errors(include_url=False)[0]
    location = [part for part in first["loc"] if not _is_branch_name(part)]
    field = ".".join(str(part) for part in location) or None
    message = first["msg"].removeprefix("Value error, ")
    received = first.get("input")
    if first["type"] in {"finite_number"}:
        message = "must be a finite number, not NaN or infinity"
    elif first["type"].endswith("_type") and not isinstance(received, (dict, list)):
        message = f"{message}; got {_json_kind(received)} {_short_repr(received)}"
    if field is None:
        return ProfileError(message.removeprefix("Value error, "), field=_field_of(message))
    return ProfileError(f"{field}: {message}", field=field)


def _is_branch_name(part: object) -> bool:
    # pydantic names union branches ("float", "list[…]", "function-after[…]") in locations.
    return isinstance(part, str) and (part not in Profile.model_fields) and not part.isdigit()


def _field_of(message: str) -> str | None:
    for name in PROFILE_FIELDS:
        if name in message:
            return name
    return None


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
