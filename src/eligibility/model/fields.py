"""The field registry: what each profile field means, declared once for every reader.

A rule reads a *rule field* (``age``, ``severity``, ``weight_kg`` …), backed by one or more
*profile fields* (``age`` by ``age_years`` and ``age_months``). Everything that needs to
know a field reads its entry here: the pack checks (which operators suit it, its values
and range), the compiler (its fact keys and integer encoding), the wording of tests and
values, the decision table's titles, the counterfactuals, the analysis of packs, and
every generator of profiles (the testing kit, the differential test, the benchmark).
None of them names a field, and a test keeps it so.

The ``Profile`` model says what a record may hold (types, vocabularies, limits); this
registry says what it means, and reads the vocabularies and limits from the model.
``tests/test_field_registry.py`` checks that the two cover the same fields. Adding a
field therefore means an entry here, the field on ``Profile``, and the rules that read
it with their worked cases.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Literal, TypeVar, get_args

from eligibility.model.profile import (
    MAX_AGE_YEARS,
    MAX_ITEMS,
    MAX_WEIGHT_KG,
    Profile,
    Response,
    Severity,
)

FieldKind = Literal["age", "category", "boolean", "list", "number", "allergy"]
T = TypeVar("T")
V = TypeVar("V")

#: The profile fields behind the age rule field, and the profile fields no rule reads.
AGE, AGE_YEARS, AGE_MONTHS, BIRTH_DATE = "age", "age_years", "age_months", "birth_date"
REFERENCE_FIELDS: tuple[str, ...] = ("id",)
MAX_AGE_MONTHS = MAX_AGE_YEARS * 12

OPERATORS_BY_KIND: Mapping[FieldKind, tuple[str, ...]] = MappingProxyType({
    "age": ("at_least", "above", "below", "at_most"),
    "category": ("one_of",),
    "boolean": ("equals",),
    "list": ("min_items",),
    "number": ("min_value",),
    "allergy": ("includes",),
})
#: The allergy categories an ``includes`` test may ask for: the ones allergy shots treat.
INCLUDABLE: tuple[str, ...] = ("environmental",)
#: Kinds whose engine value is a bounded integer (months, list length, thousandths).
NUMERIC_KINDS: tuple[FieldKind, ...] = ("age", "list", "number")


@dataclass(frozen=True)
class RuleField:
    """One field a rule may read: how the engine sees it and how people read it.

    ``fact_keys`` are the engine's keys: (value, known) for numeric kinds, (lowest code,
    highest code, known) for age (``model/age.py``), (code,) for a
    category (code = position in ``vocabulary`` + 1) or a boolean (false 1, true 2); 0
    means unknown. An allergy list has (environmental entries, entries that leave it
    open — unclassified or NKDA —, known). ``low``/``high`` bound a value in the field's own unit: completed
    months for age, entries for a list, ``unit`` for a number (``low`` excluded).
    """

    name: str
    kind: FieldKind
    profile_fields: tuple[str, ...]
    fact_keys: tuple[str, ...]
    #: A column heading ('Topical therapy') and the field in a sentence ('topical response').
    title: str
    label: str
    #: One entry of a list ('allergy'), and entries generators draw ('dust_mite').
    singular: str = ""
    examples: tuple[str, ...] = ()
    #: A category's values, in the order the engine encodes them.
    vocabulary: tuple[str, ...] = ()
    unit: str = ""
    low: float = 0
    high: float = 0
    #: Where most patients' numbers lie: generators draw mostly from here.
    typical: tuple[float, float] | None = None
    #: What a rule needs of the field, as a clinician says it: '{}' is the needed value in
    #: words ('{} eczema': 'moderate or severe eczema'); empty: the label, then the value.
    needs: str = ""

    def __post_init__(self) -> None:
        """An entry missing what its kind needs fails here, at import, not in some reader."""
        needs = {"age": ("high",), "category": ("vocabulary",), "boolean": (),
                 "list": ("singular", "examples", "high"), "number": ("unit", "high"),
                 "allergy": ("singular", "examples", "high")}[self.kind]
        missing = [name for name in ("title", "label", "profile_fields", *needs)
                   if not getattr(self, name)]
        keys = 3 if self.kind in ("age", "allergy") else 2 if self.kind in NUMERIC_KINDS else 1
        if missing or len(self.fact_keys) != keys:
            raise ValueError(f"field registry: {self.name!r} ({self.kind}) needs "
                             f"{', '.join(missing) or f'{keys} fact keys'}")

    def value(self, profile: Profile) -> object:
        """What the profile says about this field (an exact ``AgeInterval`` for age); None: unknown."""
        if self.kind == "age":
            return profile.age
        return getattr(profile, self.profile_fields[0])

    def patch(self, value: V) -> dict[str, V | None]:
        """The profile fields that give this field ``value`` (for age: months, years cleared)."""
        if self.kind == "age":
            return {AGE_MONTHS: value, AGE_YEARS: None, BIRTH_DATE: None}
        return {self.profile_fields[0]: value}


def exact_thousandths(number: float) -> Decimal:
    """A number in thousandths of its unit (grams for kilograms), exactly, in decimal from
    the number as written (its shortest repr): binary 32.7 * 1000 is 32700.000000000004."""
    return Decimal(repr(number)) * 1000


def thousandths(number: float) -> int:
    """A number field as the engine compares it: whole thousandths, rounded down, so
    4.35 kg is 4,350 g (binary 4.35 * 1000 is 4349.999…) and 39.9999999999 kg is
    39,999 g, never 40,000."""
    return math.floor(exact_thousandths(number))


def engine_order() -> tuple[RuleField, ...]:
    """The fields in the order durable-rules reaches them while matching a fact: the
    order of their fact keys (measured: it is neither the registry's nor the pack's)."""
    return tuple(sorted(_FIELDS.values(), key=lambda entry: min(entry.fact_keys)))


def _declared() -> Iterator[RuleField]:
    yield RuleField(AGE, "age", (AGE_YEARS, AGE_MONTHS, BIRTH_DATE), ("a", "ah", "ak"), "Age", "age",
                    unit="months", high=MAX_AGE_MONTHS)
    yield RuleField("severity", "category", ("severity",), ("cs",), "Severity", "severity",
                    vocabulary=get_args(Severity), needs="{} eczema")
    yield RuleField("topical_response", "category", ("topical_response",), ("ct",),
                    "Topical therapy", "topical response", vocabulary=get_args(Response))
    yield RuleField("systemic_response", "category", ("systemic_response",), ("cy",),
                    "Systemic therapy", "systemic response", vocabulary=get_args(Response))
    yield RuleField("allergies", "allergy", ("allergies",), ("la", "lak", "lau"), "Allergies",
                    "allergies", singular="allergy", high=MAX_ITEMS,
                    examples=("dust mite", "pollen", "pet dander", "mould", "peanut",
                              "penicillin", "latex", "bee venom"))
    yield RuleField("allergy_eczema_link", "boolean", ("allergy_eczema_link",), ("bl",),
                    "Allergies linked to eczema", "allergy-eczema link")
    yield RuleField("conditions", "list", ("conditions",), ("lc", "lck"), "Conditions",
                    "conditions", singular="condition", high=MAX_ITEMS,
                    examples=("asthma", "hay_fever", "food_allergy", "allergic_rhinitis"))
    yield RuleField("weight_kg", "number", ("weight_kg",), ("w", "wk"), "Weight",
                    "weight in kg", unit="kg", high=MAX_WEIGHT_KG, typical=(2.0, 150.0))


_FIELDS: dict[str, RuleField] = {entry.name: entry for entry in _declared()}
#: Every rule field, in display order (decision-table columns, analysis, generators).
FIELDS: Mapping[str, RuleField] = MappingProxyType(_FIELDS)


class _Derived(Mapping[str, T]):
    """A read-only mapping derived from the registry on every access, never a copy."""

    def __init__(self, part: Callable[[RuleField], T]) -> None:
        self._part = part

    def __getitem__(self, name: str) -> T:
        return self._part(_FIELDS[name])

    def __iter__(self) -> Iterator[str]:
        return iter(_FIELDS)

    def __len__(self) -> int:
        return len(_FIELDS)


#: Each rule field's kind, and the profile fields behind it (the first is the one named
#: when the field is missing).
RULE_FIELDS: Mapping[str, FieldKind] = _Derived(lambda entry: entry.kind)
PROFILE_FIELDS_OF: Mapping[str, tuple[str, ...]] = _Derived(lambda entry: entry.profile_fields)


def profile_fields() -> tuple[str, ...]:
    """Every profile field the registry describes, in registry order."""
    return (*REFERENCE_FIELDS, *(name for entry in _FIELDS.values() for name in entry.profile_fields))


def field_of(profile_field: str) -> RuleField | None:
    """The rule field a profile field stands behind (None for ``id``)."""
    for entry in _FIELDS.values():
        if profile_field in entry.profile_fields:
            return entry
    return None


def fact_keys() -> tuple[str, ...]:
    """Every engine fact key, sorted (the fact's fixed key order)."""
    return tuple(sorted(key for entry in _FIELDS.values() for key in entry.fact_keys))
