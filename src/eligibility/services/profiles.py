"""A batch's input record to the profile it holds, and the key its decisions are shared on.

The fast paths of a batch (``pipeline.py``'s records, ``decisions.py``'s statuses) read
profiles as ``Evaluator.evaluate_each`` does and word every error as the per-record
path does (``batch.attempt``), so that neither can tell a record apart from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from operator import attrgetter

from eligibility.inputs.base import InputRecord
from eligibility.model.profile import Profile, parse_profile
from eligibility.render.record import ErrorRecord

#: The fields ``values_of`` gives, in its order (a memo finds a field's value by it).
VALUE_FIELDS = tuple(name for name in Profile.model_fields if name != "id")
_VALUES = attrgetter(*VALUE_FIELDS)


def readable(record: InputRecord, as_of: dt.date | None = None,
             parse: Callable[[object], Profile] = parse_profile) -> Profile | ErrorRecord:
    """The record's profile as ``Evaluator.evaluate`` takes it, assessed on ``as_of``, or
    its error record; ``parse`` is ``parse_profile`` or a ``ProfileReader`` (the same
    answers, remembered)."""
    if record.error is None:
        try:
            return parse(record.payload).dated(as_of)
        except Exception:
            pass
    # Only a record that fails gets here: the import and the closure cost ~1 µs a
    # profile when every record paid for them (issue 17).
    from eligibility.services.batch import attempt

    def valid(payload: object) -> Profile:
        return parse(payload).dated(as_of)

    return attempt(record, valid)


def values_of(profile: Profile) -> tuple[object, ...]:
    """The profile's field values but its id, hashable: what a memo of its decisions is
    keyed on (profiles with equal values are decided alike)."""
    return tuple([tuple(value) if value.__class__ is list else value for value in _VALUES(profile)])
