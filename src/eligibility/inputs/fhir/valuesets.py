"""The value sets FHIR codes are read with, loaded once from the data files shipped beside.

Codes are data (``valuesets.toml``, versioned, dated, each set with its source; and
``codesystem-ad-assessment.json``, the project's own CodeSystem as a FHIR resource), so a
reviewer checks a code against its source without reading Python, and a site adds a code
without a release. This module only loads them and answers "is this coding in that set".
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from types import MappingProxyType

from eligibility.model.profile import Profile


@dataclass(frozen=True)
class ValueSet:
    """One named set: exact codes and dotted prefixes, each with a value (or ``""``)."""

    name: str
    source: str
    exact: Mapping[tuple[str, str], str]
    prefixes: tuple[tuple[str, str, str], ...]

    def match(self, system: str, code: str) -> str | None:
        """The value of ``system|code`` in this set (``""`` when the set has none), or None."""
        found = self.exact.get((system, code))
        if found is not None:
            return found
        bare = code.replace(".", "")
        for prefix_system, prefix, value in self.prefixes:
            if system == prefix_system and bare.startswith(prefix):
                return value
        return None

    def first(self, codings: Iterable[tuple[str, str]]) -> str | None:
        """The value of the first coding in this set, or None."""
        for system, code in codings:
            found = self.match(system, code)
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class Terminology:
    version: str
    date: str
    systems: Mapping[str, str]
    sets: Mapping[str, ValueSet]
    #: The project's own CodeSystem (codesystem-ad-assessment.json): its url and codes.
    own_system: str
    own_codes: frozenset[str]
    #: Which profile field each FHIR source fills (``[fields]``), by its role there.
    fields: Mapping[str, str]
    #: The FHIR element each profile field is read from (``[elements]``).
    elements: Mapping[str, str]
    #: The elements read of each resource type (``[read]``; Medication* share one list).
    read: Mapping[str, frozenset[str]]


def expansion_codes(value_set: Mapping[str, object]) -> list[tuple[str, str]]:
    """The (system, code) pairs of a FHIR ValueSet's ``expansion.contains`` (nested
    ``contains`` too): an ``$expand`` result shipped as data. ``ValueError`` when the
    value is not such a ValueSet, so a broken file stops the aid loading, never drops codes."""
    expansion = value_set.get("expansion")
    if value_set.get("resourceType") != "ValueSet" or not isinstance(expansion, Mapping):
        raise ValueError("a value-set expansion file must be a FHIR ValueSet with an expansion")
    found: list[tuple[str, str]] = []
    pending = list(expansion.get("contains") or [])
    while pending:
        item = pending.pop(0)
        system = item.get("system") if isinstance(item, Mapping) else None
        code = item.get("code") if isinstance(item, Mapping) else None
        if not isinstance(item, Mapping) or not isinstance(system, str) \
                or not isinstance(code, str):
            raise ValueError(f"expansion.contains item {item!r} needs a system and a code")
        if not item.get("abstract") and not item.get("inactive"):
            found.append((system, code))
        pending.extend(item.get("contains") or [])
    return found


def _load() -> Terminology:
    here = files("eligibility.inputs.fhir")
    raw = tomllib.loads(here.joinpath("valuesets.toml").read_text(encoding="utf-8"))
    systems: dict[str, str] = dict(raw["systems"])
    sets: dict[str, ValueSet] = {}
    for entry in raw["set"]:
        exact = {(systems[code["system"]], code["code"]): str(code.get("value", ""))
                 for code in entry.get("codes", ())}
        if "expansion" in entry:
            exact.update(dict.fromkeys(expansion_codes(json.loads(
                here.joinpath(entry["expansion"]).read_text(encoding="utf-8"))), ""))
        prefixes = tuple((systems[code["system"]], code["code"].replace(".", ""),
                          str(code.get("value", ""))) for code in entry.get("prefixes", ()))
        if entry["name"] in sets:
            raise ValueError(f"valuesets.toml: set {entry['name']!r} twice")
        sets[entry["name"]] = ValueSet(entry["name"], entry["source"],
                                       MappingProxyType(exact), prefixes)
    fields = dict(raw["fields"])
    elements = dict(raw["elements"])
    unknown = sorted({*fields.values(), *elements} - set(Profile.model_fields))
    if unknown:
        raise ValueError(f"valuesets.toml: [fields]/[elements] name no profile field: {unknown}")
    own = json.loads(here.joinpath("codesystem-ad-assessment.json").read_text(encoding="utf-8"))
    return Terminology(str(raw["version"]), str(raw["date"]), MappingProxyType(systems),
                       MappingProxyType(sets), own["url"],
                       frozenset(concept["code"] for concept in own["concept"]),
                       MappingProxyType(fields), MappingProxyType(elements),
                       MappingProxyType({kind: frozenset(names)
                                         for kind, names in raw["read"].items()}))


TERMINOLOGY = _load()
SNOMED = TERMINOLOGY.systems["snomed"]
LOINC = TERMINOLOGY.systems["loinc"]
UCUM = TERMINOLOGY.systems["ucum"]
OWN_SYSTEM = TERMINOLOGY.own_system
#: The profile field each FHIR source fills, by role (``FIELD["ad_severity"]``).
FIELD = TERMINOLOGY.fields
ELEMENT = TERMINOLOGY.elements


def value_set(name: str) -> ValueSet:
    return TERMINOLOGY.sets[name]
