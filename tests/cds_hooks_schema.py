"""A JSON Schema of a CDS Hooks 2.0.1 service response, written from the specification.

Sections of https://cds-hooks.hl7.org/STU2/ (HL7/cds-hooks tag v2.0.1,
input/pagecontent/index.md) each rule comes from:

- "CDS Service Response" / "HTTP Response": an object with a REQUIRED ``cards`` array and
  an OPTIONAL ``systemActions`` array.
- "Card Attributes": ``summary`` REQUIRED string, "<140-character"; ``indicator``
  REQUIRED, one of ``info``, ``warning``, ``critical``; ``source`` REQUIRED; ``uuid``,
  ``detail`` (Markdown), ``suggestions``, ``selectionBehavior`` (CONDITIONAL on
  suggestions: ``at-most-one`` | ``any``), ``overrideReasons`` (Codings, each with a
  ``display``), ``links`` OPTIONAL.
- "Source": ``label`` REQUIRED; ``url``, ``icon`` (absolute URLs), ``topic`` (Coding)
  OPTIONAL.
- "Link": ``label``, ``url``, ``type`` (``absolute`` | ``smart``) REQUIRED.
- "Coding" (Data Types): ``code`` and ``system`` REQUIRED; ``display`` REQUIRED for
  override reasons.
- "Use of JSON": no ``null`` and no empty string, array or object except where the spec
  says (an empty ``cards`` array means no guidance): ``minLength``/``minItems``/
  ``minProperties`` below, and ``no_empty_values`` for what a schema cannot say at depth.

Our own stricter rules (issue #18) are checked apart, in the tests: ``indicator`` never
``critical``.
"""

from __future__ import annotations

from typing import Any

TEXT = {"type": "string", "minLength": 1}
URL = {"type": "string", "pattern": "^https?://"}
CODING = {"type": "object", "required": ["code", "system"], "minProperties": 1,
          "properties": {"code": TEXT, "system": TEXT, "display": TEXT}}
OVERRIDE = {**CODING, "required": ["code", "system", "display"]}
LINK = {"type": "object", "required": ["label", "url", "type"],
        "properties": {"label": TEXT, "url": URL, "type": {"enum": ["absolute", "smart"]},
                       "appContext": TEXT, "autolaunchable": {"type": "boolean"}}}
ACTION = {"type": "object", "required": ["type"],
          "properties": {"type": {"enum": ["create", "update", "delete"]},
                         "description": TEXT, "resource": {"type": "object", "minProperties": 1},
                         "resourceId": TEXT}}
SUGGESTION = {"type": "object", "required": ["label"],
              "properties": {"label": TEXT, "uuid": TEXT, "isRecommended": {"type": "boolean"},
                             "actions": {"type": "array", "minItems": 1, "items": ACTION}}}
CARD = {
    "type": "object",
    "required": ["summary", "indicator", "source"],
    "properties": {
        "uuid": {"type": "string", "pattern":
                 "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"},
        "summary": {"type": "string", "minLength": 1, "maxLength": 139},
        "detail": TEXT,
        "indicator": {"enum": ["info", "warning", "critical"]},
        "source": {"type": "object", "required": ["label"],
                   "properties": {"label": TEXT, "url": URL, "icon": URL, "topic": CODING}},
        "suggestions": {"type": "array", "minItems": 1, "items": SUGGESTION},
        "selectionBehavior": {"enum": ["at-most-one", "any"]},
        "overrideReasons": {"type": "array", "minItems": 1, "items": OVERRIDE},
        "links": {"type": "array", "minItems": 1, "items": LINK},
    },
    "dependentRequired": {"suggestions": ["selectionBehavior"]},
}
RESPONSE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["cards"],
    "properties": {"cards": {"type": "array", "items": CARD},
                   "systemActions": {"type": "array", "minItems": 1, "items": ACTION}},
}


def empty_values(value: Any, path: str = "$") -> list[str]:
    """Paths holding null, "", [] or {} ("Use of JSON"), except the top-level ``cards``."""
    found: list[str] = []
    if value is None or (isinstance(value, str | list | dict) and not value
                         and path != "$.cards"):
        found.append(path)
    if isinstance(value, dict):
        for key, item in value.items():
            found += empty_values(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += empty_values(item, f"{path}[{index}]")
    return found


def problems(response: Any) -> list[str]:
    """Everything wrong with ``response`` as a CDS Hooks response and under issue #18."""
    import jsonschema_rs

    found = [error.message for error in jsonschema_rs.validator_for(RESPONSE).iter_errors(response)]
    found += [f"empty or null at {path}" for path in empty_values(response)]
    for card in response.get("cards", []) if isinstance(response, dict) else []:
        if card.get("indicator") == "critical":
            found.append("indicator critical: never, a decision aid is not a contraindication engine")
        if card.get("indicator") == "warning" and not card.get("overrideReasons"):
            found.append("a warning card without overrideReasons")
    return found
