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
from eligibility.model.profile import MAX_TEXT, Profile, ShortText, parse_profile

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
#: The memo of values that are not one plain scalar nor a list of strings, keyed by ``_key``.
_OTHER = "other"
_STR_ONLY = frozenset([str])
#: The memo of lists of strings, keyed by the tuple of their items.
_STRINGS = "strings"
_MISSING = object()
_INVALID = object()
_new = object.__new__
_set = object.__setattr__


class ProfileReader:
    """``parse_profile``, remembering each field's validated value (one per batch path)."""

    def __init__(self) -> None:
        # The model as it is now, not as it was imported: a field added to it (the field
        # registry's test stands a subclass in) is read like every other.
        model: type[Profile] = profile_module.Profile
        self._model = model
        self._memos: dict[str, dict[object, BoundedCache[object, object]]] = {
            name: {kind: BoundedCache(VALUES) for kind in (*_PLAIN, _STRINGS, _OTHER)}
            for name in model.model_fields if name != "id"}
        #: Every field unknown: what each profile is copied from, its fields given.
        self._blank = model()
        self._fields = dict(self._blank.__dict__)
        self._private = dict(self._blank.__pydantic_private__ or {})

    def __call__(self, data: object) -> Profile:
        """The ``Profile`` ``parse_profile(data)`` gives, or its ``ProfileError``."""
        if data.__class__ is not dict:
            return parse_profile(data)
        assert isinstance(data, dict)
        memos = self._memos
        values: dict[str, object] = {}
        for name, raw in data.items():
            by_kind = memos.get(name)
            if by_kind is None:
                if name != "id":
                    return parse_profile(data)  # an unknown field: its error, as always
                if raw.__class__ is str and _plain_id(raw):
                    values[name] = raw  # what ``_ID`` gives back for it, unchanged
                    continue
                if raw is not None and raw.__class__ is not str:
                    return parse_profile(data)
                try:
                    values[name] = None if raw is None else _ID.validate_python(raw)
                except ValidationError:
                    return parse_profile(data)
                continue
            kind = raw.__class__
            # One memo per field and JSON type (``16`` and ``16.0``, ``1`` and ``true``
            # are equal as Python keys, not as input), keyed on the raw value itself.
            memo = by_kind.get(kind)
            if memo is not None and (kind is not str or len(raw) <= _KEY_CHARS):
                value = memo.get(raw, _MISSING)
                if value is _MISSING:
                    value = self._validated(name, raw, memo, raw)
            elif kind is list and _STR_ONLY.issuperset(map(type, raw)) \
                    and max(map(len, raw), default=0) <= _KEY_CHARS:
                # A list of short strings (allergies, conditions), in C: keyed on its items.
                memo = by_kind[_STRINGS]
                items = tuple(raw)
                value = memo.get(items, _MISSING)
                if value is _MISSING:
                    value = self._validated(name, raw, memo, items)
            else:
                key = _key(raw)
                if key is None:
                    return parse_profile(data)
                memo = by_kind[_OTHER]
                value = memo.get(key, _MISSING)
                if value is _MISSING:
                    value = self._validated(name, raw, memo, key)
            if value is _INVALID:
                return parse_profile(data)
            values[name] = list(value) if value.__class__ is tuple else value
        if values.get(AGE_YEARS) is not None and values.get(AGE_MONTHS) is not None:
            return parse_profile(data)  # the model checks that the two agree, in its words
        return self._built(values)

    def _validated(self, name: str, raw: object, memo: BoundedCache[object, object],
                   key: object) -> object:
        """The field's value validated alone and remembered; ``_INVALID`` if it is not."""
        try:
            return memo.put(key, _frozen(getattr(self._model.model_validate({name: raw}), name)))
        except ValidationError:
            return _INVALID

    def _built(self, values: dict[str, object]) -> Profile:
        """The profile ``self._blank.model_copy(update=values)`` gives, made directly.

        ``model_copy`` is pydantic's documented way (and a third of ``model_construct``'s
        cost) but still most of the reader's time once every field is remembered; this
        sets what it sets (the fields, which were given, no extra, the private date
        unset), as ``assessment.trusted`` does. ``tests/test_profile_reader.py`` holds
        the two equal, so a pydantic change to those internals fails there.
        """
        profile = _new(self._model)
        fields = self._fields.copy()
        fields.update(values)
        _set(profile, "__dict__", fields)
        _set(profile, "__pydantic_fields_set__", set(values))
        _set(profile, "__pydantic_extra__", None)
        _set(profile, "__pydantic_private__", self._private.copy())
        return profile


def _plain_id(raw: str) -> bool:
    """An id ``_ID`` would return as it is: printable ASCII (no control character, no
    surrogate), 1 to ``MAX_TEXT`` characters, no space to strip at either end. Anything
    else is left to ``_ID`` itself."""
    return (0 < len(raw) <= MAX_TEXT and raw.isascii() and raw.isprintable()
            and raw[0] != " " and raw[-1] != " ")


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

