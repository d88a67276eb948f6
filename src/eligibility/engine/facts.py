"""A profile's fact for the engine, as JSON text, written a field at a time.

The engine reads a fact of whitelisted keys holding integers (``compiler.py``); every
profile of a batch needs one, and building it from the profile cost about as much as
the engine's own inference. A field's part of the fact depends only on what the profile
says of that field, and a batch says the same few things again and again (a severity, a
response, an age in years), so each field's text is remembered under its value: a fact
is then one lookup per field and a join. ``encode`` stays the definition: the text is
made from it, and ``tests/test_engine_facts.py`` holds the two to the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from eligibility.cache import BoundedCache
from eligibility.model import allergens
from eligibility.model.age import AgeInterval
from eligibility.model.fields import FIELDS, NUMERIC_KINDS, RuleField, thousandths
from eligibility.model.profile import Profile

#: Remembered parts per field: a part is ~20 bytes; ages and weights vary the most.
PARTS = 4096


def encode(profile: Profile) -> dict[str, int]:
    """The integer encoding of a profile: 0 (or a ``*k`` key of 0) means unknown.

    Weights travel as whole grams (``thousandths``): the engine mishandles floats. Ages
    travel as the codes of their interval's ends (``model/age.py``).
    """
    values: dict[str, int] = {}
    for entry in FIELDS.values():
        values.update(encode_field(entry, entry.value(profile)))
    return values


def encode_field(entry: RuleField, value: object) -> dict[str, int]:
    """One field's part of the fact, from what the profile says of it (``entry.value``)."""
    if entry.kind == "age":
        low_key, high_key, known_key = entry.fact_keys
        low, high = value.codes if isinstance(value, AgeInterval) else (0, 0)
        return {low_key: low, high_key: high, known_key: int(value is not None)}
    if entry.kind in NUMERIC_KINDS:
        value_key, known_key = entry.fact_keys
        return {value_key: 0 if value is None else _number(entry, value),
                known_key: int(value is not None)}
    if entry.kind == "allergy":
        return _allergy_facts(entry, value)
    if entry.kind == "category":
        return {entry.fact_keys[0]: 0 if value is None else entry.vocabulary.index(str(value)) + 1}
    return {entry.fact_keys[0]: 0 if value is None else int(bool(value)) + 1}


def _allergy_facts(entry: RuleField, value: object) -> dict[str, int]:
    """(environmental entries, unclassified or NKDA entries, known), as counts."""
    count_key, known_key, open_key = entry.fact_keys
    if not isinstance(value, (list, tuple)):
        return {count_key: 0, known_key: 0, open_key: 0}
    readings = [allergens.reading(item) for item in value]
    return {count_key: readings.count("environmental"), known_key: 1,
            open_key: sum(reading in ("unclassified", "no_known_drug") for reading in readings)}


def _number(entry: RuleField, value: object) -> int:
    """A numeric field's engine integer: a list's length, thousandths."""
    if isinstance(value, list):
        return len(value)
    assert isinstance(value, float)
    return thousandths(value)


class FactText:
    """The keys and values of a profile's fact, in ``fact_keys`` order, as JSON members."""

    def __init__(self, fact_keys: tuple[str, ...]) -> None:
        self._keys = fact_keys
        fields = sorted(FIELDS.values(), key=lambda entry: min(entry.fact_keys))
        in_order = [key for entry in fields for key in sorted(entry.fact_keys)]
        #: Each field's keys side by side in ``fact_keys``, so its part is one piece of
        #: text; were they ever not (a new key sorting between another field's), the
        #: fact is written key by key.
        self._fields = tuple(fields) if in_order == list(fact_keys) else ()
        self._parts: tuple[tuple[RuleField, Callable[[Profile], object], BoundedCache[object, str]], ...]
        self._parts = tuple((entry, entry.value, BoundedCache(PARTS)) for entry in self._fields)

    def __call__(self, profile: Profile) -> str:
        if not self._parts:
            values = encode(profile)
            return ",".join(f'"{key}":{values[key]:d}' for key in self._keys)
        pieces = []
        for entry, read, parts in self._parts:
            value = read(profile)
            key = (value.__class__, tuple(value) if value.__class__ is list else value)
            piece = parts.get(key)
            if piece is None:
                values = encode_field(entry, value)
                piece = parts.put(key, ",".join(f'"{name}":{values[name]:d}'
                                                for name in sorted(entry.fact_keys)))
            pieces.append(piece)
        return ",".join(pieces)
