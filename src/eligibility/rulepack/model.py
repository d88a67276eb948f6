"""Pydantic models of a rule pack's files: what a pack may say, checked at load time.

A pack is data, never code: a criterion is a field, one comparison operator and a
literal threshold or value set. Nothing here is ever evaluated as Python. The models
check the *shape* of the files; ``semantics.py`` checks that each test makes sense for
the profile field it reads.

A loaded pack is shared by every evaluation in the process, so nothing in it can be
changed: arrays are tuples and tables read-only mappings (``model/frozen.py``), and a
pack names its content by a digest of its files (``identity.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from eligibility.model.frozen import Array, AsTuple, ReadOnlyDict

Evidence = Literal["approved", "investigational", "clinician_judgement"]
Status = Literal["candidate", "not_candidate", "needs_information"]

RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$", max_length=80)]
OptionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
#: Another name for an option (a brand, a generic name): letters, digits, spaces, - ( ) .
OptionName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 .()-]*$",
                                              max_length=40)]

AGE_PATTERN = re.compile(r"^\s*(\d{1,3})\s+(month|months|year|years)\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class SourceRef(_Strict):
    """Where a rule's knowledge comes from: a document of the pack and a section of it."""

    document: Text
    section: Text
    detail: Text | None = None


class Source(_Strict):
    """A document the pack cites, described so that a reader can find it.

    ``kind`` says what sort of document it is (a label, a trial record, an article);
    ``location`` says where to read it, and whether the tool ships it.
    """

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$")]
    title: Text
    kind: Text | None = None
    published: Text | None = None
    location: Text | None = None


class Test(_Strict):
    """One comparison of one profile field: exactly one operator is set.

    Ages are written as ``"6 months"`` or ``"18 years"`` and compared in completed months.
    """

    field: Text
    at_least: str | None = None
    above: str | None = None
    below: str | None = None
    at_most: str | None = None
    one_of: Array[str] | None = None
    equals: bool | None = None
    min_items: Annotated[int, Field(ge=0, le=64)] | None = None
    min_value: float | None = None
    #: An allergy category at least one entry must have ('environmental').
    includes: Text | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Test:
        if len(self.operators()) != 1:
            raise ValueError(
                "a test needs exactly one operator of at_least, above, below, at_most, one_of, "
                f"equals, min_items, min_value, includes; found {sorted(self.operators()) or 'none'}")
        for name in ("at_least", "above", "below", "at_most"):
            value = getattr(self, name)
            if value is not None and not AGE_PATTERN.match(value):
                raise ValueError(f"{name} = {value!r}: write an age as '6 months' or '18 years'")
        return self

    def operators(self) -> list[str]:
        return [name for name in ("at_least", "above", "below", "at_most", "one_of",
                                  "equals", "min_items", "min_value", "includes")
                if getattr(self, name) is not None]

    @property
    def operator(self) -> str:
        return self.operators()[0]

    @property
    def threshold_months(self) -> int | None:
        """The age threshold in months, for the four age operators."""
        raw = getattr(self, self.operator)
        if not isinstance(raw, str):
            return None
        match = AGE_PATTERN.match(raw)
        if match is None:  # pragma: no cover - excluded by the validator
            return None
        number, unit = int(match.group(1)), match.group(2)
        return number * 12 if unit.startswith("year") else number


class Criterion(_Strict):
    """A condition an option requires, with why and where it comes from.

    ``test`` is a single comparison; ``any_of`` is met when at least one of its tests is
    met (three-valued: unknown when none is met and any is unknown).
    """

    id: RuleId
    title: Text
    rationale: Text
    source: SourceRef
    evidence: Evidence
    test: Test | None = None
    any_of: Annotated[tuple[Test, ...], AsTuple(min_length=2, max_length=8)] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Criterion:
        if (self.test is None) == (self.any_of is None):
            raise ValueError("a criterion has exactly one of 'test' or 'any_of'")
        return self

    @property
    def tests(self) -> list[Test]:
        return [self.test] if self.test is not None else list(self.any_of or [])

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys(test.field for test in self.tests))


class Note(_Strict):
    """Something every reader of an assessment must be told, with its source."""

    id: RuleId
    text: Text
    source: SourceRef


class Option(_Strict):
    """A treatment option and the criteria that decide a patient's candidacy for it."""

    id: OptionId
    name: Text
    kind: Literal["approved_biologic", "allergen_immunotherapy", "investigational_biologic"]
    evidence: Evidence
    summary: Text
    short_name: Annotated[OptionName, StringConstraints(max_length=16)] | None = Field(
        default=None, description="A column heading in overviews: the brand or generic name.")
    aliases: Array[OptionName] = Field(
        default_factory=tuple, description="Other names --option accepts (brand, generic).")
    uses: Array[RuleId] = Field(default_factory=tuple, description="Shared criteria by id.")
    criteria: Array[Criterion] = Field(default_factory=tuple)
    notes: Array[Note] = Field(default_factory=tuple)

    @property
    def label(self) -> str:
        """The short name, else the name: what a narrow column calls the option."""
        return self.short_name or self.name


class PackInfo(_Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=60)]
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    as_of: dt.date
    title: Text
    description: Text | None = None
    options: Annotated[tuple[OptionId, ...], AsTuple(min_length=1)] = Field(
        description="The options, in display order.")


class Expectation(_Strict):
    status: Status
    met: Array[RuleId] = Field(default_factory=tuple)
    not_met: Array[RuleId] = Field(default_factory=tuple)
    unknown: Array[RuleId] = Field(default_factory=tuple)


class WorkedCase(BaseModel):
    """A profile and what the pack must say about it: the pack's own test."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
    description: Text
    profile: ReadOnlyDict[str, object]
    expect: ReadOnlyDict[str, Status | Expectation]
    file: str = ""
    #: The date the case is assessed on (a profile with a birth_date needs one).
    as_of: dt.date | None = None

    def expectation(self, option_id: str) -> Expectation | None:
        value = self.expect.get(option_id)
        if value is None or isinstance(value, Expectation):
            return value
        return Expectation(status=value)


Origin = Literal["shipped", "folder", "memory"]


class RulePack(BaseModel):
    """A loaded, validated pack: options in file order, shared criteria resolved.

    ``digest`` and ``origin`` say which pack this is: a copy of a shipped pack, however
    little edited, has another digest and is a ``folder`` pack; one edited or built in
    memory is a ``memory`` pack (``identity.identified``: these fields are believed only
    while the loader's stamp, ``_built``, matches the content).
    """

    model_config = ConfigDict(frozen=True)

    info: PackInfo
    sources: Array[Source]
    notes: Array[Note]
    options: Array[Option]
    shared: Array[Criterion]
    cases: Array[WorkedCase]
    path: str
    digest: str = Field(description="'sha256:<hex>' over the pack's files (identity.py).")
    origin: Origin = Field(description="'shipped' with the package, a 'folder' given by path, "
                                       "or 'memory': not as the loader read it.")
    #: (content digest, path, digest, origin) when the loader built it: ``identity.stamp``.
    _built: tuple[str, str, str, str] | None = PrivateAttr(default=None)

    def __hash__(self) -> int:
        # Cheap and consistent with equality (equal packs share path and digest), so a
        # pack can key a dict: the evaluator registry keys on the pack's value, not id().
        return hash((self.path, self.digest))

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def option_ids(self) -> list[str]:
        return [option.id for option in self.options]

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(option_id)

    def criteria_of(self, option: Option) -> list[Criterion]:
        """The option's criteria in evaluation order: shared ones first, then its own.

        This and the other lists a pack computes are new on each call: changing them
        changes nothing.
        """
        by_id = {criterion.id: criterion for criterion in self.shared}
        return [by_id[rule_id] for rule_id in option.uses] + list(option.criteria)

    def all_criteria(self) -> list[Criterion]:
        seen: dict[str, Criterion] = {}
        for option in self.options:
            for criterion in self.criteria_of(option):
                seen.setdefault(criterion.id, criterion)
        return list(seen.values())
