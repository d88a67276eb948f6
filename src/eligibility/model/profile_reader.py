"""Validating a batch's profiles a field at a time, from remembered answers.

``parse_profile`` validates every field of every profile; in a batch that cost more than
the engine's inference, though a batch says the same few things again and again (a
severity, a response, an age in years, a short list of allergies). Every field of a
``Profile`` is validated on its own value alone; only the two ages are checked against
each other (``Profile._ages_agree``), and a profile giving both goes to ``parse_profile``.
So a field's validated value is remembered under its raw JSON value (and that value's
type: ``16`` and ``16.0`` are not the same input), and a profile whose every field is
remembered is built from them.

Anything else goes to ``parse_profile`` itself: a field not seen yet is validated alone
first, and if that fails, or a key is unknown, or a value is not plain JSON, the whole
profile is, so every error reads exactly as it always does. ``tests/test_profile_reader.py``
holds the two to the same profiles and the same errors.
"""

from __future__ import annotations

from pydantic import ConfigDict, TypeAdapter, ValidationError

from eligibility.cache import BoundedCache
from eligibility.model import profile as profile_module
from eligibility.model.fields import AGE_MONTHS, AGE_YEARS
from eligibility.model.profile import Profile, ShortText, parse_profile

#: Remembered values per field: ages and weights vary the most; a value is small.
VALUES = 4096
_SCALARS = (str, int, float, bool)
_PLAIN = frozenset([*_SCALARS, type(None)])
#: The longest raw text remembered. Text is stripped before its length is checked, so a
#: valid value can arrive padded to the line limit; remembered whole, 4,096 such keys a
#: field held ~256 MB. Longer text is validated each time, as ``parse_profile`` does.
_KEY_CHARS = 256
#: The ``id`` field's own validation (an id is one patient's: never remembered).
_ID: TypeAdapter[str] = TypeAdapter(ShortText, config=ConfigDict(strict=True))


class ProfileReader:
    """``parse_profile``, remembering each field's validated value (one per batch path)."""

    def __init__(self) -> None:
        # The model as it is now, not as it was imported: a field added to it (the field
        # registry's test stands a subclass in) is read like every other.
        model: type[Profile] = profile_module.Profile
        self._model = model
        self._memos: dict[str, BoundedCache[object, object]] = {
            name: BoundedCache(VALUES) for name in model.model_fields if name != "id"}
        #: Every field unknown: what each profile is copied from, its fields given.
        self._blank = model()

    def __call__(self, data: object) -> Profile:
        """The ``Profile`` ``parse_profile(data)`` gives, or its ``ProfileError``."""
        if data.__class__ is not dict:
            return parse_profile(data)
        assert isinstance(data, dict)
        memos = self._memos
        values: dict[str, object] = {}
        for name, raw in data.items():
            memo = memos.get(name)
            if memo is None:
                if name != "id" or not (raw is None or raw.__class__ is str):
                    return parse_profile(data)  # an unknown field: its error, as always
                try:
                    values[name] = None if raw is None else _ID.validate_python(raw)
                except ValidationError:
                    return parse_profile(data)
                continue
            kind = raw.__class__
            key = (kind, raw) if kind in _PLAIN and (kind is not str or len(raw) <= _KEY_CHARS) \
                else _key(raw)
            if key is None:
                return parse_profile(data)
            if key in memo:
                value = memo[key]
            else:
                try:
                    value = memo.put(key, _frozen(getattr(
                        self._model.model_validate({name: raw}), name)))
                except ValidationError:
                    return parse_profile(data)
            values[name] = list(value) if value.__class__ is tuple else value
        if values.get(AGE_YEARS) is not None and values.get(AGE_MONTHS) is not None:
            return parse_profile(data)  # the model checks that the two agree, in its words
        # Unvalidated, from values that are: ``model_copy`` of a blank profile is the
        # documented way, and a third of the cost of ``model_construct``.
        return self._blank.model_copy(update=values)


def _key(raw: object) -> object | None:
    """What a raw JSON value is remembered under; None when it is not plain JSON."""
    kind = raw.__class__
    if raw is None or kind in _SCALARS:
        return (kind, raw) if not isinstance(raw, str) or len(raw) <= _KEY_CHARS else None
    if kind is list:
        assert isinstance(raw, list)
        items = tuple((item.__class__, item) for item in raw)
        if all(item[0] in _SCALARS and (item[0] is not str or len(item[1]) <= _KEY_CHARS)
               for item in items):
            return (list, items)
    return None


def _frozen(value: object) -> object:
    """A validated value as remembered: a list as a tuple, so no profile shares a list."""
    return tuple(value) if isinstance(value, list) else value

