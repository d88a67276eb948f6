"""A pack's texts: everything in a full record that is the same for every patient.

A ``brief`` record (``render/brief.py``) names criteria, options and tests by id and
leaves out their titles, rationales, sources, notes and wording; this is where they
are given, once per pack (``eligibility rules show --format json``). ``join`` puts a
brief record and its pack's texts back together into the full record, exactly: a test
holds the two equal, byte for byte, on many generated profiles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from eligibility.engine.counterfactual import KIND_RANK, for_test
from eligibility.engine.decide import DecisionPlan
from eligibility.model.assessment import STATUS_TEXT, Note, RulePackRef, SourceRef, Status, is_investigational
from eligibility.model.profile import Profile
from eligibility.rulepack.model import Test

_EMPTY = Profile()
#: An option's changes run smallest first (``model.assessment.Counterfactual``): by kind,
#: then shorter waits, then the option's order of criteria and of their tests.
RANK: Mapping[str, int] = {str(kind): rank for kind, rank in KIND_RANK.items()}


class _Text(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TestText(_Text):
    """One test of a criterion, as a change to meet it names it."""

    field: str = Field(description="The rule field a change is about.")
    needed: str = Field(description="The needed value or threshold, in words.")
    values: tuple[str, ...] = Field(description="Every value that meets a categorical or "
                                                "true/false test; empty otherwise.")
    fill_in_change: str = Field(description="A change's words when the field is unknown: a "
                                            "brief change without `change` has these.")
    fill_in_sentence: str = Field(description="... and its sentence (without `sentence`).")


class CriterionText(_Text):
    title: str
    requirement: str = Field(description="What the rule asks, in words.")
    rationale: str
    evidence: str
    source: SourceRef
    tests: tuple[TestText, ...] = Field(description="By position: a change's `test`.")


class OptionText(_Text):
    id: str
    name: str
    kind: str
    evidence: str
    summary: str
    status_text: dict[Status, str] = Field(description="Each status in words, for this option.")
    criteria: tuple[str, ...] = Field(description="The option's criteria ids, in the order of "
                                                  "its reasons.")
    notes: tuple[Note, ...]


class PackTexts(_Text):
    """What ``rules show --format json`` prints: a pack's texts, by id."""

    rule_pack: RulePackRef
    notes: tuple[Note, ...]
    options: tuple[OptionText, ...]
    criteria: dict[str, CriterionText]


def pack_texts(plan: DecisionPlan, options: Sequence[str] | None = None) -> PackTexts:
    """The texts of the pack a plan decides (only ``options``, by id, when given)."""
    kept = [option for option in plan.options if options is None or option.id in options]
    wanted = {criterion.criterion.id for option in kept for criterion in option.criteria}
    criteria = {
        plan_.criterion.id: CriterionText(
            title=plan_.criterion.title, requirement=plan_.requirement,
            rationale=plan_.criterion.rationale, evidence=plan_.criterion.evidence,
            source=plan_.source, tests=tuple(test_text(plan_.criterion.id, test)
                                          for test in plan_.criterion.tests))
        for plan_ in plan.criteria if plan_.criterion.id in wanted}
    return PackTexts(
        rule_pack=plan.pack_ref, notes=plan.notes, criteria=criteria,
        options=tuple(OptionText(
            id=option.id, name=option.name, kind=option.kind, evidence=option.evidence,
            summary=option.summary, notes=option.notes,
            status_text={status: STATUS_TEXT[status, is_investigational(option.kind, option.evidence)]
                         for status in ("candidate", "not_candidate", "needs_information")},
            criteria=tuple(criterion.criterion.id for criterion in option.criteria))
            for option in kept))


def test_text(criterion: str, test: Test) -> TestText:
    """What a change meeting ``test`` says of it: ``engine/counterfactual.py``'s words for
    a profile that does not give the field (the same for every such patient)."""
    change = for_test(criterion, test, "unknown", _EMPTY)
    return TestText(field=change.field, needed=change.needed, values=change.values,
                    fill_in_change=change.change, fill_in_sentence=change.sentence)


def texts_schema() -> dict[str, Any]:
    schema: dict[str, Any] = TypeAdapter(PackTexts).json_schema(mode="serialization")
    schema["title"] = "eligibility rule pack texts"
    return schema


def join(brief: Mapping[str, Any], texts: Mapping[str, Any]) -> dict[str, Any]:
    """The full record of a brief record, from its pack's texts (both as plain JSON data).

    An option's changes are its blocking criteria's, smallest first (``brief.py``).
    Raises ``ValueError`` when the texts are of another pack (its digest differs).
    """
    pack = texts["rule_pack"]
    if brief["rule_pack"]["digest"] != pack["digest"]:
        raise ValueError(f"the record was decided by {brief['rule_pack']['digest']}, the texts "
                         f"are of {pack['digest']}")
    criteria = texts["criteria"]
    by_id = {option["id"]: option for option in texts["options"]}
    decided = brief["criteria"]
    full = {name: _changes(name, decided[name], criteria[name]) for name in decided}
    options = []
    for option in brief["options"]:
        text = by_id[option["id"]]
        reasons = [{"criterion": name, "title": criteria[name]["title"],
                    "outcome": decided[name]["outcome"],
                    "requirement": criteria[name]["requirement"],
                    "patient_value": decided[name]["patient_value"],
                    "rationale": criteria[name]["rationale"],
                    "evidence": criteria[name]["evidence"], "source": criteria[name]["source"],
                    "missing_fields": decided[name].get("missing_fields", [])}
                   for name in text["criteria"]]
        ranked = [(RANK[change["kind"]], change["wait_months"] or 0, position, test, change)
                  for position, name in enumerate(text["criteria"])
                  for test, change in enumerate(full[name])]
        ranked.sort(key=lambda item: item[:4])
        options.append({
            "id": text["id"], "name": text["name"], "kind": text["kind"],
            "evidence": text["evidence"], "status": option["status"],
            "status_text": text["status_text"][option["status"]], "summary": text["summary"],
            "reasons": reasons, "missing_fields": option.get("missing_fields", []),
            "counterfactuals": [item[4] for item in ranked], "notes": text["notes"]})
    return {"profile": brief["profile"], "source": brief["source"],
            "as_of": brief.get("as_of"), "age_used": brief.get("age_used"), "rule_pack": pack,
            "options": options, "notes": [*texts["notes"], *brief.get("notes", [])],
            "not_considered": brief.get("not_considered", [])}


def _changes(name: str, decided: Mapping[str, Any], text: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A criterion's changes as a full record gives them, one per test, in test order."""
    changes = []
    for change, test in zip(decided.get("changes", []), text["tests"], strict=False):
        changes.append({
            "criterion": name, "field": test["field"], "kind": change["kind"],
            "needed": test["needed"], "values": test["values"],
            "eligible_at_months": change.get("eligible_at_months"),
            "wait_months": change.get("wait_months"),
            "change": change.get("change", test["fill_in_change"]),
            "sentence": change.get("sentence", test["fill_in_sentence"]),
            "possible": change["kind"] != "never", "patch": change["patch"]})
    return changes
