"""What a screening counts as it goes: statuses per option, missing fields, age bands.

Counters only (by option, status, band and field), so memory does not grow with the
population. "Missing" counts, per profile field, the patients for whom at least one
option needs that field; "decides alone" counts the patients for whom it is the only
field an option needs, so filling it in decides that option: the information that would
unlock the most patients.

Age bands follow the pack's thresholds of the shipped packs (6 months, 6, 12 and 18
years) and 65; a patient whose age interval crosses a band edge (a birth year only, or
ages that differ by a month) is counted as "age uncertain", never guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from eligibility.model.age import AgeInterval
from eligibility.model.assessment import AgeUsed
from eligibility.population.rows import Screened

STATUSES = ("candidate", "needs_information", "not_candidate")
#: (label, lowest month included, first month of the next band).
BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under 6 months", 0, 6), ("6 months to 5 years", 6, 72), ("6 to 11 years", 72, 144),
    ("12 to 17 years", 144, 216), ("18 to 64 years", 216, 780), ("65 years and over", 780, None))
UNKNOWN_AGE = "age unknown"
UNCERTAIN_AGE = "age uncertain"
INVALID = "invalid record"
BAND_NAMES = (*(band[0] for band in BANDS), UNCERTAIN_AGE, UNKNOWN_AGE)
#: Distinct error messages kept (they may quote input); the rest count as OTHER_ERRORS.
MAX_ERRORS = 1000
OTHER_ERRORS = "(other errors)"


def age_band(age: AgeInterval | None) -> str:
    """The band holding the whole interval, else 'age uncertain'; no age: 'age unknown'."""
    return UNKNOWN_AGE if age is None else band_of_codes(*age.codes)


def band_of(age: AgeUsed | None) -> str:
    """``age_band`` of the age a decision used (the same interval, in its months)."""
    if age is None:
        return UNKNOWN_AGE
    return band_of_codes(2 * age.from_months + (not age.from_exact),
                         2 * age.to_months + (not age.to_exact))


def band_of_codes(low: int, high: int) -> str:
    """The band holding every age from engine code ``low`` to ``high`` (``2m`` is exactly
    m months, ``2m+1`` strictly between m and m+1): all of it at least ``start`` months
    (``low >= 2*start``) and under ``end`` (``high < 2*end``)."""
    for label, start, end in BANDS:
        if low >= 2 * start and (end is None or high < 2 * end):
            return label
    return UNCERTAIN_AGE


@dataclass
class ScreenTally:
    """Counts of one screening, added chunk by chunk."""

    options: Sequence[str]
    patients: int = 0
    invalid: int = 0
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    bands: Counter[str] = field(default_factory=Counter)
    band_statuses: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)
    alone: Counter[str] = field(default_factory=Counter)
    missing_by_option: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    #: (band, best status over the options): a candidate for any, else needs information
    #: for any, else no option.
    overall: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, results: Iterable[Screened]) -> None:
        options = self.options
        for result in results:
            self.patients += 1
            if not result.statuses:
                self.invalid += 1
                message = (result.error or "")[:120]
                if message not in self.errors and len(self.errors) >= MAX_ERRORS:
                    message = OTHER_ERRORS
                self.errors[message] += 1
                continue
            band = band_of(result.age)
            self.bands[band] += 1
            missing: set[str] = set()
            alone: set[str] = set()
            for option, status, fields in zip(options, result.statuses, result.missing, strict=True):
                self.statuses[option, status] += 1
                self.band_statuses[band, option, status] += 1
                if status == "needs_information":
                    missing.update(fields)
                    self.missing_by_option.update((option, name) for name in fields)
                    if len(fields) == 1:
                        alone.add(fields[0])
            self.missing.update(missing)
            self.alone.update(alone)
            given = set(result.statuses)
            self.overall[band, next((status for status in STATUSES if status in given),
                                    "not_candidate")] += 1

    def evaluated(self) -> int:
        return self.patients - self.invalid

    def top_missing(self, limit: int = 10) -> list[tuple[str, int, int]]:
        """(field, patients missing it, patients for whom it alone decides an option), most first."""
        ranked = sorted(self.missing.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [(name, count, self.alone[name]) for name, count in ranked]

    def bands_seen(self) -> list[str]:
        return [band for band in BAND_NAMES if self.bands[band]]
