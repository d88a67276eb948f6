"""Ages as exact intervals of months, so that no rounding can cross a threshold.

What a profile says about age is an *interval* of months, in exact rational arithmetic:

* ``age_months`` counts completed months: ``m`` is ``[m, m+1)``;
* ``age_years`` is the exact decimal written (its shortest repr): 5.04 years is the point
  60.48 months, strictly older than 5 years; 17.99999999995 years is not 18; an integer
  ``age_years`` (16) is exactly 16 years, as before;
* both together must be within a month of each other (as before, now exactly). Where
  they agree (their intervals overlap) the age is in both, so the decision uses the
  *intersection*: 40 years with 480 months is exactly 40 years, and a second field never
  makes an answer less certain than either field alone. Where they disagree (within the
  month allowed) the decision uses the *hull*: everything from the smaller to the larger.
  So 18 years with 215 months is "between 17 years 11 months and 18 years", and "18 years
  or older" is unknown for it: the aid never picks one of two answers that disagree.

Every threshold is a whole number of months, so a comparison with an age only depends on
the completed months and on whether the age sits exactly on a month. The engine therefore
sees each end of the interval as a *code*: ``2m`` for exactly ``m`` months, ``2m+1`` for
anything strictly between ``m`` and ``m+1``. "at least T months" is met when the lower
code is at least ``2T``, not met when the upper code is below ``2T``, unknown otherwise:
exactly what every point of the interval would give, decided on integers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from eligibility.cache import BoundedCache

#: The age operators, and how each compares a code with ``2 * threshold``.
AGE_OPERATORS = ("at_least", "above", "below", "at_most")


@dataclass(frozen=True)
class AgeInterval:
    """An age in months, ``low`` to ``high``, each end included unless marked open.

    ``basis`` names the profile fields it came from; ``text`` is how people read it.
    """

    low: Fraction
    high: Fraction
    low_open: bool
    high_open: bool
    basis: str
    text: str
    #: Its hash, computed once: an interval is a memo key in every lookup of a reason
    #: (about ten a profile), and hashing two fractions each time cost ~1.5 µs.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.low, self.high, self.low_open, self.high_open,
                                                 self.basis, self.text)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[AgeInterval], tuple[object, ...]]:
        # Made anew in another process: a string's hash differs from one process to the next.
        return (AgeInterval, (self.low, self.high, self.low_open, self.high_open, self.basis,
                              self.text))

    @property
    def codes(self) -> tuple[int, int]:
        """The lowest and highest engine code of a point inside the interval."""
        low = 2 * self.low + 1 if self.low_open and self.low.denominator == 1 else code(self.low)
        high = 2 * self.high - 1 if self.high_open and self.high.denominator == 1 \
            else code(self.high)
        return int(low), int(high)

    @property
    def is_point(self) -> bool:
        return self.low == self.high and not (self.low_open or self.high_open)


def code(months: Fraction) -> int:
    """``2m`` for exactly ``m`` months, ``2m+1`` strictly between ``m`` and ``m+1``."""
    whole = math.floor(months)
    return 2 * whole if months == whole else 2 * whole + 1


def outcome(operator: str, threshold_months: int, interval: AgeInterval) -> str:
    """'met', 'not_met' or 'unknown': what every point of the interval agrees on."""
    low, high = interval.codes
    limit = 2 * threshold_months
    met, failed = {"at_least": (low >= limit, high < limit),
                   "above": (low > limit, high <= limit),
                   "below": (high < limit, low >= limit),
                   "at_most": (high <= limit, low > limit)}[operator]
    return "met" if met else "not_met" if failed else "unknown"


def exact_years(years: float) -> Fraction:
    """``age_years`` as written, in months: Decimal of the shortest repr, times 12."""
    return Fraction(Decimal(repr(years))) * 12


def years_text(years: float) -> str:
    """'5.04 years' as written, never rounded ('17.99999999995 years')."""
    text = format(Decimal(repr(years)).normalize(), "f")
    return f"{text} year{'' if text == '1' else 's'}"


def months_text(months: int) -> str:
    """'18 years', '6 months', '5 years 1 month'."""
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if rest or not years:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " ".join(parts)


def exact_text(months: Fraction) -> str:
    """Months in words, exactly: whole months as months_text, else years as a decimal."""
    if months.denominator == 1:
        return months_text(int(months))
    years = months / 12
    text = format(Decimal(years.numerator) / Decimal(years.denominator), "f")
    return f"{text} years" if Fraction(Decimal(text)) == years else f"{months} months"


#: ``from_fields`` by its arguments (with their types: 16 and 16.0 are written alike, but
#: a memo must not hand one's answer to the other). Exact arithmetic in fractions costs
#: ~3 µs, and every profile's age is read several times (its fact, its reasons, its
#: record), while a batch holds a few hundred distinct ages.
_GIVEN: BoundedCache[tuple[object, ...], AgeInterval | None] = BoundedCache(4096)


def from_fields(age_years: float | None, age_months: int | None) -> AgeInterval | None:
    """The interval ``age_years`` and/or ``age_months`` give (None when neither is known)."""
    key = (age_years.__class__, age_years, age_months.__class__, age_months)
    if key in _GIVEN:
        return _GIVEN[key]
    return _GIVEN.put(key, _from_fields(age_years, age_months))


def _from_fields(age_years: float | None, age_months: int | None) -> AgeInterval | None:
    if age_months is not None:
        completed = AgeInterval(Fraction(age_months), Fraction(age_months + 1), False, True,
                                "age_months", months_text(age_months))
        if age_years is None:
            return completed
        return combine(completed, from_fields(age_years, None))
    if age_years is None:
        return None
    months = exact_years(age_years)
    text = months_text(int(months)) if months.denominator == 1 else years_text(age_years)
    return AgeInterval(months, months, False, False, "age_years", text)


def combine(first: AgeInterval, second: AgeInterval | None) -> AgeInterval:
    """What two answers about one age allow: both, where they agree; either, where not.

    The intersection when the intervals overlap (each answer narrows the other, so
    adding one never widens what is known), else the hull (module docstring).
    """
    if second is None:
        return first
    low, low_open = max((first.low, first.low_open), (second.low, second.low_open))
    high, high_closed = min((first.high, not first.high_open), (second.high, not second.high_open))
    if low < high or (low == high and high_closed and not low_open):
        basis = "+".join(sorted({*first.basis.split("+"), *second.basis.split("+")}))
        result = AgeInterval(low, high, low_open, not high_closed, basis, "")
        return AgeInterval(low, high, low_open, not high_closed, basis, interval_text(result))
    return hull(first, second)


def hull(first: AgeInterval, second: AgeInterval | None) -> AgeInterval:
    """The smallest interval holding both: what two answers that may disagree allow."""
    if second is None:
        return first
    low_end = min((first.low, first.low_open), (second.low, second.low_open))
    high_end = max((first.high, not first.high_open), (second.high, not second.high_open))
    low, low_open = low_end
    high, high_open = high_end[0], not high_end[1]
    basis = "+".join(sorted({*first.basis.split("+"), *second.basis.split("+")}))
    result = AgeInterval(low, high, low_open, high_open, basis, "")
    return AgeInterval(low, high, low_open, high_open, basis, interval_text(result))


def interval_text(interval: AgeInterval) -> str:
    """'between 17 years 11 months and 18 years' (a point reads as itself)."""
    if interval.is_point:
        return exact_text(interval.low)
    return f"between {exact_text(interval.low)} and {exact_text(interval.high)}"


def gap_months(age_years: float, age_months: int) -> Fraction:
    """How far apart two age answers are, exactly (the agreement check allows one month)."""
    return abs(exact_years(age_years) - age_months)


def add_months(born: dt.date, months: int) -> dt.date:
    """The day one is ``months`` months old. A birthday on a day the month lacks (the 29th
    of February, the 31st) falls on the first day of the next month: never earlier than
    the calendar says, so no lower age limit is reached a day too soon."""
    years, month = divmod(born.month - 1 + months, 12)
    year = born.year + years
    last = calendar.monthrange(year, month + 1)[1]
    if born.day <= last:
        return dt.date(year, month + 1, born.day)
    return dt.date(year, month + 1, last) + dt.timedelta(days=1)


def age_on(born: dt.date, as_of: dt.date) -> AgeInterval:
    """The exact age on ``as_of`` of someone born on ``born`` (not after it)."""
    months = (as_of.year - born.year) * 12 + as_of.month - born.month
    while months > 0 and add_months(born, months) > as_of:
        months -= 1
    days = (as_of - add_months(born, months)).days
    text = months_text(months) + (f" {days} day{'s' if days != 1 else ''}" if days else "")
    return AgeInterval(Fraction(months), Fraction(months + (1 if days else 0)), bool(days),
                       bool(days), "birth_date", text)


def birth_range(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` birth date allows
    (``ValueError`` when it is no date)."""
    parts = [int(part) for part in text.split("-")]
    if len(parts) == 3:
        day = dt.date(*parts)
        return day, day
    if len(parts) == 2:
        year, month = parts
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)


def check_birth_date(text: str) -> str:
    """A birth_date the profile accepts, unchanged (``ValueError`` saying how to write it)."""
    try:
        birth_range(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD") from None
    return text


_BORN: BoundedCache[tuple[str, dt.date], AgeInterval] = BoundedCache(1024)


def from_birth_date(text: str, as_of: dt.date) -> AgeInterval:
    """``_from_birth_date``, remembered by value (the one cache policy, ``cache.py``)."""
    key = (text, as_of)
    found = _BORN.get(key)
    return found if found is not None else _BORN.put(key, _from_birth_date(text, as_of))


def _from_birth_date(text: str, as_of: dt.date) -> AgeInterval:
    """The ages a (possibly partial) birth date allows on ``as_of``: born "2008", on
    2026-06-01, is between 17 years 5 months 1 day and 18 years 5 months.
    ``ValueError`` when every day it allows is after ``as_of``.

    Cached by value (a pure function of two immutable values, returning a frozen
    interval): one profile's age is read by every age rule and wording, about ten
    times, and recomputing it was most of the time a birth-dated profile took."""
    first, last = birth_range(text)
    if first > as_of:
        raise ValueError(f"birth_date {text} is after the assessment date {as_of}")
    youngest, oldest = age_on(min(last, as_of), as_of), age_on(first, as_of)
    if youngest == oldest:
        return youngest
    return AgeInterval(youngest.low, oldest.high, youngest.low_open, oldest.high_open,
                       "birth_date", f"between {youngest.text} and {oldest.text}")


def distance(first: AgeInterval, second: AgeInterval) -> Fraction:
    """How many months apart two intervals are (0 when they meet or overlap)."""
    return max(Fraction(0), first.low - second.high, second.low - first.high)


def check_dated(birth_date: str, as_of: dt.date | None, given: AgeInterval | None) -> None:
    """``ProfileError`` (field ``birth_date``) when a birth_date is given without a date
    (the library never reads the clock: the caller passes ``as_of``), when it is after
    ``as_of``, or when it disagrees with age_years/age_months by more than a month."""
    from eligibility.errors import ProfileError

    if as_of is None:
        raise ProfileError("birth_date needs the date of the assessment (the as_of argument "
                           "of evaluate); without one, give age_years or age_months",
                           field="birth_date")
    try:
        born = from_birth_date(birth_date, as_of)
    except ValueError as error:
        raise ProfileError(f"birth_date: {error}", field="birth_date") from None
    if given is not None and distance(born, given) > 1:
        raise ProfileError(f"birth_date ({birth_date}, {born.text} on {as_of}) and the age "
                           f"given ({given.text}) disagree by more than a month; give one "
                           "of them", field="birth_date")
