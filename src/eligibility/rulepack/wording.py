"""Plain words for tests and profile values, shared by reasons, tables and explanations."""

from __future__ import annotations

from eligibility.model.profile import Profile
from eligibility.rulepack.model import Test

_SINGULAR = {"allergies": "allergy", "conditions": "condition"}
_AGE_WORDS = {"at_least": "{} or older", "above": "older than {}",
              "below": "younger than {}", "at_most": "{} or younger"}


def months_text(months: int) -> str:
    """'18 years', '6 months', '5 years 1 month'."""
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if rest or not years:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " ".join(parts)


def requirement_text(test: Test) -> str:
    """What a test asks, e.g. 'age 18 years or older', 'severity moderate or severe'."""
    operator = test.operator
    if operator in _AGE_WORDS:
        return "age " + _AGE_WORDS[operator].format(months_text(test.threshold_months or 0))
    if operator == "one_of":
        return f"{test.field} {' or '.join(test.one_of or [])}"
    if operator == "equals":
        return f"{test.field} is {'true' if test.equals else 'false'}"
    if operator == "min_items":
        count = test.min_items or 0
        noun = _SINGULAR.get(test.field, test.field) if count == 1 else test.field
        return f"at least {count} known {noun}"
    return f"{test.field} at least {test.min_value:g}"


def value_text(profile: Profile, field: str) -> str:
    """What the profile says about a rule field, or 'unknown'."""
    if field == "age":
        months = profile.age_in_months
        return "unknown" if months is None else months_text(months)
    value = getattr(profile, field)
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(value) if value else "none known"
    if isinstance(value, float):
        return f"{value:.12g}"  # enough digits that 39.99999 never shows as 40
    return str(value)
