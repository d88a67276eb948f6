"""Plain words for tests, profile values and classes of values: the one place they are made.

A test is put in words in three registers, all from one description (``_phrase``) and
the field's words in the registry (label, singular, unit):

- ``requirement_text``: as the pack writes it, fields and values by their names, for
  records and pack reviews: 'age 18 years or older', 'topical_response not_advisable';
- ``needed_text``: in words and without the field, for sentences: '18 years or older',
  'not advisable', 'at least 2 known allergies';
- ``cell_text``: for a decision-table column headed by the field: 'at least 40 kg', 'yes'.

Reasons, explanations, counterfactuals, the decision table, pack views and diffs, and
the analysis' class labels all take their words from here.
"""

from __future__ import annotations

from eligibility.model import allergens
from eligibility.model.age import AgeInterval
from eligibility.model.age import months_text as months_text  # the one wording of months
from eligibility.model.fields import FIELDS, RuleField
from eligibility.model.profile import Profile
from eligibility.rulepack.model import Criterion, Test

_AGE_WORDS = {"at_least": "{} or older", "above": "older than {}",
              "below": "younger than {}", "at_most": "{} or younger"}


def label(name: str) -> str:
    """A field or a category value in words: 'weight_kg' -> 'weight in kg',
    'not_advisable' -> 'not advisable'."""
    entry = FIELDS.get(name)
    return entry.label if entry is not None else name.replace("_", " ")


def _phrase(test: Test, entry: RuleField, *, named: bool, table: bool) -> str:
    """What the test asks of its field; ``named``: values by their names, not in words;
    ``table``: yes/no, units, and no noun (the column names the field)."""
    kind = entry.kind
    if kind == "age":
        return _AGE_WORDS[test.operator].format(months_text(test.threshold_months or 0))
    if kind == "category":
        return " or ".join(value if named else label(value) for value in test.one_of or [])
    if kind == "boolean":
        return ("yes" if test.equals else "no") if table else ("true" if test.equals else "false")
    if kind == "allergy":
        category = (test.includes or "").replace("_", " ")
        example = allergy_example(test.includes or "")
        noun = "" if table else " " + entry.singular
        return f"at least one {category}{noun}, e.g. {example}"
    if kind == "list":
        count = test.min_items or 0
        noun = "" if table else " " + (entry.singular if count == 1 else entry.label)
        return f"at least {count} known{noun}"
    unit = f" {entry.unit}" if table else ""
    return f"at least {test.min_value:g}{unit}"


def allergy_example(category: str) -> str:
    """The vocabulary's first allergen of a category that allergy shots treat ('dust mite')."""
    for allergen in allergens.vocabulary().allergens:
        if allergen.category == category:
            return allergen.name
    return category  # pragma: no cover - semantics admits only categories with allergens


def requirement_text(test: Test) -> str:
    """What a test asks, as the pack says it: 'age 18 years or older', 'severity moderate
    or severe', 'allergy_eczema_link is true', 'at least 1 known allergy'."""
    entry = FIELDS[test.field]
    phrase = _phrase(test, entry, named=True, table=False)
    if entry.kind in ("list", "allergy"):  # the phrase ends with the field's noun
        return phrase
    return f"{test.field} {'is ' if entry.kind == 'boolean' else ''}{phrase}"


def criterion_requirement(criterion: Criterion) -> str:
    """Every test of a criterion, as the pack says them, joined by 'or'."""
    return " or ".join(requirement_text(test) for test in criterion.tests)


def needed_text(test: Test) -> str:
    """What a test needs, in words, without the field: '18 years or older', 'true'."""
    return _phrase(test, FIELDS[test.field], named=False, table=False)


def cell_text(test: Test, *, with_field: bool = False) -> str:
    """A test in the words of its table column: '6 months or older', 'moderate or severe';
    ``with_field`` prefixes the column's title, for a cell spanning several fields."""
    entry = FIELDS[test.field]
    text = _phrase(test, entry, named=False, table=True)
    return f"{entry.title.lower()}: {text}" if with_field else text


def value_text(profile: Profile, field: str) -> str:
    """What the profile says about a rule field, or 'unknown'."""
    value = FIELDS[field].value(profile)
    if value is None:
        return "unknown"
    if isinstance(value, AgeInterval):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if FIELDS[field].kind == "allergy" and isinstance(value, (list, tuple)):
        return "; ".join(map(allergens.reading_text, value)) if value else "none known"
    if isinstance(value, list):
        return ", ".join(value) if value else "none known"
    if isinstance(value, float):
        # Twelve digits where they say it exactly, else every digit: 119.9999999999 is
        # not met by 'at least 120' and must never show as 120.
        text = f"{value:.12g}"
        return text if float(text) == value else repr(value)
    return str(value)


def value_words(profile: Profile, field: str) -> str:
    """``value_text`` for a sentence: a category value in words ('not advisable')."""
    text = value_text(profile, field)
    return label(text) if FIELDS[field].kind == "category" else text


def comparisons(criterion: Criterion, profile: Profile) -> tuple[str, ...]:
    """'age 16 years — rule: 18 years or older', one line per test ('or' between them)."""
    return tuple(f"{'or ' if index else ''}{label(test.field)} "
                 f"{value_words(profile, test.field)} — rule: {needed_text(test)}"
                 for index, test in enumerate(criterion.tests))


def class_label(field: str, start: int, end: int, high: int) -> str:
    """A class of values in engine units (months, entries, thousandths) for people:
    '6 months to 5 years', '1 item or more', 'under 40 kg'."""
    entry = FIELDS[field]
    if entry.kind == "age":
        return _age_class(start, end, high)

    def show(value: int) -> str:
        if entry.kind == "list":
            return f"{value} item{'s' if value != 1 else ''}"
        return f"{value / 1000:g} {entry.unit}"

    if start == end:
        return show(start)
    if end == high:
        return f"{show(start)} or more"
    if start == 0 and entry.kind != "list":
        return f"under {show(end + 1)}"
    return f"{show(start)} to {show(end)}"


def _age_class(start: int, end: int, high: int) -> str:
    """A class of age codes (2m exactly m months, 2m+1 strictly between m and m+1):
    '6 months to 5 years', 'over 5 years to under 12 years', '18 years or older'."""
    low_months, low_between = divmod(start, 2)
    high_months, high_between = divmod(end, 2)
    low = f"over {months_text(low_months)}" if low_between else months_text(low_months)
    up = f"under {months_text(high_months + 1)}" if high_between else months_text(high_months)
    if start == end:
        return low if not low_between else f"{low} and {up}"
    if end == high:
        return low if low_between else f"{low} or older"
    if start == 0:
        return up if high_between else f"{up} or younger"
    return f"{low} to {up}"
