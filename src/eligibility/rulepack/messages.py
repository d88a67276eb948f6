"""How a pack file's validation errors read for its author: where, what, and a hint.

pydantic reports a location such as ``('criteria', 2, 'test', 'feild')``; an author
needs "rule 'dupilumab.age': test: unknown key 'feild' (did you mean 'field'?)". These
helpers name the innermost rule an error sits in and suggest the closest allowed key or
value, so every message points at something the author can find in the file.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from eligibility.suggest import did_you_mean


def validation_lines(model: type[BaseModel], raw: object, error: ValidationError,
                     label: str) -> list[str]:
    """One line per error in ``error``, raised validating ``raw`` (known as ``label``)."""
    lines = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        where_label, loc = _label_for(raw, loc, label)
        where = ".".join(str(part) for part in loc)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "literal_error" and isinstance(item.get("input"), str):
            allowed = re.findall(r"'([^']*)'", str(item.get("ctx", {}).get("expected")))
            message += did_you_mean(item["input"], allowed)
        if item["type"] == "extra_forbidden":
            key = str(item["loc"][-1])
            known = _known_keys(model, tuple(item["loc"][:-1]))
            message = f"unknown key '{key}'{did_you_mean(key, known)}"
            where = ".".join(str(part) for part in loc[:-1])
        lines.append(f"{where_label}: {where + ': ' if where else ''}{message}")
    return lines


def rule_label(raw: object, index: int, what: str, key: str = "id") -> str:
    if isinstance(raw, dict) and isinstance(raw.get(key), str):
        noun = {"case": "case", "option": "option"}.get(what, "rule")
        return f"{noun} '{raw[key]}'"
    return f"{what} #{index + 1}"


def _label_for(raw: object, loc: tuple[int | str, ...],
               label: str) -> tuple[str, tuple[int | str, ...]]:
    """Name the innermost rule an error sits in: 'rule 'x.y'' beats 'option 'x''."""
    if (len(loc) >= 2 and loc[0] in ("criteria", "notes") and isinstance(loc[1], int)
            and isinstance(raw, dict)):
        items = raw.get(str(loc[0]))
        if isinstance(items, list) and loc[1] < len(items):
            inner = items[loc[1]]
            if isinstance(inner, dict) and isinstance(inner.get("id"), str):
                return f"rule '{inner['id']}'", loc[2:]
    return label, loc


def _known_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed at ``loc`` inside ``model``, for "did you mean" hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
