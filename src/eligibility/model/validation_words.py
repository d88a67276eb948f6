"""pydantic's validation errors in a clinician's words: no Python names, values quoted briefly.

Split from ``model/profile.py`` so the profile module holds the profile; this one holds how
a refusal of it reads (``"sever"`` gets "did you mean 'severe'?", a NaN "must be a finite
number", a string where a number goes "got a string '9'").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic_core import ErrorDetails

from eligibility.safe_text import clip
from eligibility.suggest import closest

#: The longest received text a "did you mean" is looked for.
MAX_GUESSED = 200


def closest_value(detail: ErrorDetails) -> str | None:
    """For a value outside a field's vocabulary ('Severe', 'sever'), the closest one."""
    received = detail.get("input")
    if detail["type"] != "literal_error" or not isinstance(received, str) or len(received) > MAX_GUESSED:
        return None
    allowed = re.findall(r"'([^']*)'", str((detail.get("ctx") or {}).get("expected", "")))
    return closest(received.strip().lower().replace(" ", "_").replace("-", "_"), allowed)


def message_of(detail: ErrorDetails) -> str:
    """pydantic's message in the user's terms: no Python words, the value quoted briefly."""
    kind = detail["type"]
    received = detail.get("input")
    context = detail.get("ctx") or {}
    if kind == "finite_number":
        return "must be a finite number, not NaN or infinity"
    if kind == "string_unicode":
        return "contains an invalid character (a lone UTF-16 surrogate)"
    if kind == "too_long" and isinstance(received, list):
        return (f"List should have at most {context.get('max_length')} items, "
                f"not {context.get('actual_length')}")
    message = detail["msg"].removeprefix("Value error, ")
    if kind.endswith("_type") and not isinstance(received, (dict, list)):
        message = f"{message}; got {json_kind(received)} {short_repr(received)}"
    return message


def json_kind(value: Any) -> str:
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


def short_repr(value: Any) -> str:
    return clip(repr(value))
