"""Reading FHIR JSON elements defensively: a wrong type is a ``Bad`` naming the element path.

Resources come from outside and are read as plain decoded JSON (no full FHIR object model
on the hot path: ~14 times slower per resource). Each helper checks only what the mapping
reads, and says where (``Condition.severity.coding[0].code``) when it is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from eligibility.safe_text import clip

#: FHIR R4 ``date``: YYYY, YYYY-MM or YYYY-MM-DD (https://hl7.org/fhir/R4/datatypes.html#date).
DATE = re.compile(r"([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?")
#: FHIR R4 ``dateTime``: a date, or a full date with a time and a zone.
DATE_TIME = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                       r"(Z|[+-][0-9]{2}:[0-9]{2}))?)?)?")
#: FHIR ``id``.
ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


#: The last moment of a day, counted from its first.
_LAST_MOMENT = dt.timedelta(days=1, microseconds=-1)


# ``type(x) is dict or isinstance(x, Mapping)``: decoded JSON is a dict, and the ABC check
# alone was a few per cent of reading an export; other mappings are still read.


class Bad(Exception):
    """An element that cannot be read: ``path`` is the FHIR element, ``message`` what is wrong."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def quoted(value: object) -> str:
    return clip(repr(value) if not isinstance(value, str) else f"'{value}'", 60)


def text(data: Mapping[str, Any], key: str, path: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise Bad(f"{path}.{key}", f"must be a string, not {quoted(value)}")


def obj(data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
    value = data.get(key)
    if value is None or type(value) is dict or isinstance(value, Mapping):
        return value
    raise Bad(f"{path}.{key}", f"must be an object, not {quoted(value)}")


def array(data: Mapping[str, Any], key: str, path: str) -> Sequence[Any]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, list):
        return value
    raise Bad(f"{path}.{key}", f"must be an array, not {quoted(value)}")


def codings(concept: Mapping[str, Any] | None, path: str) -> list[tuple[str, str]]:
    """The (system, code) pairs of a CodeableConcept (codings without either are skipped)."""
    if concept is None:
        return []
    found = []
    for index, coding in enumerate(array(concept, "coding", path)):
        # The common case checked inline; the element path is built only for an error.
        readable = type(coding) is dict or isinstance(coding, Mapping)
        system = coding.get("system") if readable else None
        code = coding.get("code") if readable else None
        if type(system) is str and type(code) is str:
            found.append((system, code))
            continue
        where = f"{path}.coding[{index}]"
        if not readable:
            raise Bad(where, f"must be an object, not {quoted(coding)}")
        system, code = text(coding, "system", where), text(coding, "code", where)
        if system is not None and code is not None:
            found.append((system, code))
    return found


def concept(data: Mapping[str, Any], key: str, path: str) -> list[tuple[str, str]]:
    return codings(obj(data, key, path), f"{path}.{key}")


def concept_at(data: Mapping[str, Any], path: str) -> list[tuple[str, str]]:
    """The codings of the CodeableConcept at ``Type.element`` (the path as messages say it)."""
    parent, _, key = path.rpartition(".")
    return concept(data, key, parent)


def status(data: Mapping[str, Any], key: str, path: str) -> str | None:
    """The code of a status CodeableConcept (``clinicalStatus``), whatever its system."""
    found = concept(data, key, path)
    return found[0][1] if found else None


def boolean(data: Mapping[str, Any], key: str, path: str) -> bool | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise Bad(f"{path}.{key}", f"must be true or false, not {quoted(value)}")


def fhir_date(value: str, path: str) -> str:
    """A FHIR ``date`` that is a real day, month or year, unchanged."""
    match = DATE.fullmatch(value)
    if match is None:
        raise Bad(path, f"{quoted(value)} is not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)")
    try:
        if match.group(5):
            dt.date.fromisoformat(value)
    except ValueError:
        raise Bad(path, f"{quoted(value)} is not a day of the calendar") from None
    return value


def instant(value: str, path: str) -> tuple[dt.datetime, dt.datetime]:
    """The earliest and latest moments (UTC) a FHIR ``date``/``dateTime`` allows."""
    if DATE_TIME.fullmatch(value) is None:
        raise Bad(path, f"{quoted(value)} is not a FHIR dateTime")
    try:
        if "T" in value:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)
            return moment, moment
        if len(value) == 10:  # a whole day, the common case (the regex checked its digits)
            first = dt.datetime(int(value[:4]), int(value[5:7]), int(value[8:]), tzinfo=dt.UTC)
            return first, first + _LAST_MOMENT
        parts = [int(part) for part in value.split("-")]
        first = dt.datetime(parts[0], parts[1] if len(parts) > 1 else 1,
                            parts[2] if len(parts) > 2 else 1, tzinfo=dt.UTC)
    except ValueError:
        raise Bad(path, f"{quoted(value)} is not a moment of the calendar") from None
    if len(parts) == 3:
        last = first + dt.timedelta(days=1)
    elif len(parts) == 2:
        last = (first + dt.timedelta(days=32)).replace(day=1)
    else:
        last = first.replace(year=first.year + 1) if first.year < 9999 else first
    return first, last - dt.timedelta(microseconds=1)


def reference_of(resource: Mapping[str, Any], index: int = 0) -> str:
    """How records name a resource: ``Type/id``, else ``Type[#index]`` when it has no id."""
    kind = resource.get("resourceType")
    kind = kind if isinstance(kind, str) else "resource"
    ident = resource.get("id")
    return f"{kind}/{ident}" if isinstance(ident, str) and ident else f"{kind}[#{index}]"
