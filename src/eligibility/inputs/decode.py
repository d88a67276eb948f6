"""Bytes to a JSON value, strictly, with errors that say where and what in the user's terms.

Every reader of a JSON-based format decodes through here: UTF-8 only, no NaN or
infinity, no duplicate keys, a bounded depth. A syntax error names the line and column
in the file (``line`` is where the bytes start), not a position in some fragment.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable

from eligibility.errors import ProfileError
from eligibility.inputs.base import InputRecord
from eligibility.limits import MAX_NESTING
from eligibility.safe_text import clip

BOM = b"\xef\xbb\xbf"


def decode(data: bytes, source: str, *, strip_bom: bool, line: int = 1,
           several: str = "", max_depth: int = MAX_NESTING) -> InputRecord:
    """Bytes to a JSON value, strictly: UTF-8, no NaN or infinity, no duplicate keys.

    ``line`` is the line of the file the bytes start on; ``several`` is said when the
    bytes hold more than one JSON value (a reader that expects one knows the fix);
    ``max_depth`` bounds nesting (FHIR resources nest deeper than profiles).
    """
    if strip_bom and data.startswith(BOM):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return InputRecord(source, error=ProfileError(
            f"not valid UTF-8 (byte {error.start + 1})"))
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        return InputRecord(source, error=ProfileError(_syntax(error, text, line, several)))
    except _BadValue as error:
        return InputRecord(source, error=ProfileError(error.message, field=error.field))
    except RecursionError:
        return InputRecord(source, error=ProfileError("JSON nested too deeply"))
    # Nesting needs brackets: with fewer than the limit it cannot be past it (no walk).
    if text.count("{") + text.count("[") > max_depth and _depth(value, limit=max_depth) > max_depth:
        return InputRecord(source, error=ProfileError(
            f"JSON nested deeper than {max_depth} levels"))
    return InputRecord(source, payload=value)


def _syntax(error: json.JSONDecodeError, text: str, line: int, several: str) -> str:
    """What is wrong, in words, and where: line and column in the file."""
    where = f"(line {line + error.lineno - 1}, column {error.colno})"
    if error.msg == "Extra data":
        return f"invalid JSON: more text after the JSON value {where}{several}"
    if error.msg.startswith("Unterminated string"):
        return f"invalid JSON: a string is not closed {where}"
    if error.msg.startswith("Invalid control character"):
        return f"invalid JSON: a control character inside a string; escape it {where}"
    if error.pos >= len(text.rstrip()):
        return f"invalid JSON: the text ends before the JSON value does {where}"
    return f"invalid JSON: {error.msg} {where}"


class _BadValue(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _reject_constant(name: str) -> object:
    raise _BadValue(f"{name} is not a number JSON allows; leave the field out if it is unknown")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadValue(f"number {clip(text, 20)} is too large to be finite")
    return value


def _bounded_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts
        digits = sys.get_int_max_str_digits()
        raise _BadValue(f"invalid JSON value: number {clip(text, 20)} has more than {digits} "
                        "digits; no profile field needs so many") from None


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _BadValue(f"field '{clip(key)}' appears twice; keep one", field=clip(key))
        result[key] = value
    return result


def _depth(value: object, level: int = 1, limit: int = MAX_NESTING) -> int:
    """How deep ``value`` nests, counting a scalar as one level (profiles: two or three)."""
    if isinstance(value, dict):
        items: Iterable[object] = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return level
    if level > limit:
        return level
    deepest = level
    for item in items:  # only containers recurse: this runs for every line of a batch
        below = _depth(item, level + 1, limit) if isinstance(item, (dict, list)) else level + 1
        deepest = max(deepest, below)
    return deepest


#: Built once: ``json.loads`` with hooks would build a decoder for every line.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float,
                            parse_int=_bounded_int, object_pairs_hook=_unique_keys)
