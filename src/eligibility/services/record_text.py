"""A batch record's text, written from the engine's decisions rather than an ``Assessment``.

``services/pipeline.py`` hands each distinct profile here with its test outcomes; this
writes the record but for its head (id and source), from remembered pieces:

* each criterion's outcome, reason text (full and brief) and changes, remembered under
  the criterion, its test outcomes and the raw values of the profile fields it reads
  (which age fields are given among them), each entry numbered;
* an option's text, remembered under its criteria's entries (full: their reasons are in
  it) or their decisions alone (brief: its status and missing fields are all it says);
* the age a record states, under the fields it comes from.

The bytes are exactly those ``render/record.py`` and ``render/brief.py`` write from the
``Assessment`` (``tests/test_pipeline.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter

from eligibility.cache import BoundedCache
from eligibility.engine.compiler import Outcome
from eligibility.engine.counterfactual import for_criterion
from eligibility.engine.decide import CriterionPlan, DecisionPlan, OptionPlan, status_of
from eligibility.model.assessment import AgeUsed, Counterfactual
from eligibility.model.fields import AGE, PROFILE_FIELDS_OF
from eligibility.model.profile import Profile
from eligibility.render.brief import Detail, change_json, dated_json
from eligibility.render.pack_texts import RANK, PackTexts, pack_texts
from eligibility.services.profiles import VALUE_FIELDS
from eligibility.services.record_frames import json_text, option_frame

#: Remembered criterion entries (~1.5 KB of text each) and option texts (~3 KB).
ENTRIES = 8192
OPTION_TEXTS = 2048


@dataclass(frozen=True)
class _Criterion:
    """One criterion as it applied: what options need of it, remembered by its inputs."""

    number: int
    #: The same for every entry with this outcome and these missing fields: all a brief
    #: option says (its status and missing fields) depends on.
    decision: int
    outcome: Outcome
    missing: tuple[str, ...]
    full: str
    brief: str
    #: (rank, wait, test position, full text) per change, in test order; empty when met.
    changes: tuple[tuple[int, int, int, str], ...]


class RecordText:
    """One plan's record bodies at one detail, for ``options`` (ids, or all) on ``as_of``."""

    def __init__(self, plan: DecisionPlan, detail: Detail, options: Sequence[str] | None,
                 as_of: dt.date | None) -> None:
        self._as_of = as_of
        self._plan = plan
        self._detail = detail
        self._options = tuple(option for option in plan.options
                              if options is None or option.id in options)
        self.option_ids = tuple(option.id for option in self._options)
        self.texts: PackTexts = pack_texts(plan, None if options is None else tuple(options))
        # In the order a brief record lists them: as the options name them, each once.
        self._criteria = tuple({criterion.criterion.id: criterion for option in self._options
                                for criterion in option.criteria}.values())
        at = {name: index for index, name in enumerate(VALUE_FIELDS)}
        #: Per criterion: its plan, its test outcomes from the engine's, and the raw values
        #: of the profile fields it reads (all a reason depends on) from the record's key.
        self._shapes = tuple(
            (criterion, itemgetter(*criterion.slots),
             itemgetter(*[at[name] for field in criterion.fields for name in PROFILE_FIELDS_OF[field]]))
            for criterion in self._criteria)
        position = {criterion.criterion.id: index for index, criterion in enumerate(self._criteria)}
        self._positions = tuple(tuple(position[criterion.criterion.id] for criterion in option.criteria)
                                for option in self._options)
        self._option_shapes = tuple((option, itemgetter(*positions))
                                    for option, positions in zip(self._options, self._positions,
                                                                 strict=True))
        self._unread = tuple((name, at[name]) for name in plan.unread)
        self._frames = {option.id: option_frame(option) for option in self._options}
        info = plan.pack_ref
        self._pack_full = info.model_dump_json()
        self._pack_brief = json_text({"name": info.name, "version": info.version, "digest": info.digest})
        self._notes = "[" + ",".join(note.model_dump_json() for note in plan.notes) + "]"
        self._entries: BoundedCache[tuple[object, ...], _Criterion] = BoundedCache(ENTRIES)
        self._option_texts: BoundedCache[tuple[object, ...], tuple[str, bool]]
        self._option_texts = BoundedCache(OPTION_TEXTS)
        self._count = 0
        self._decisions: dict[tuple[Outcome, tuple[str, ...]], int] = {}
        #: A brief option is remembered under its criteria's decisions, a full one under
        #: their entries (its reasons' texts are in it).
        self._option_key = attrgetter("decision" if detail == "brief" else "number")
        #: The age a record says, as JSON, by the profile fields it comes from (the date
        #: is the pipeline's): ``AgeUsed`` and its JSON cost ~3 µs a profile.
        self._age_at = itemgetter(*[at[name] for name in PROFILE_FIELDS_OF[AGE]])
        self._ages: BoundedCache[tuple[object, ...], str | None] = BoundedCache(ENTRIES)


    def body(self, raw: tuple[object, ...], profile: Profile,
              outcomes: Sequence[Outcome]) -> tuple[str, tuple[str, ...]]:
        entries: list[_Criterion] = []
        numbers: list[int] = []
        remembered = self._entries
        option_key = self._option_key
        for index, (criterion, tests_of, reads_of) in enumerate(self._shapes):
            tests = tests_of(outcomes)
            key = (index, tests, reads_of(raw))
            entry = remembered.get(key)
            if entry is None:
                entry = remembered.put(key, self._entry(
                    criterion, tests if isinstance(tests, tuple) else (tests,), profile))
            entries.append(entry)
            numbers.append(option_key(entry))
        options: list[str] = []
        candidates: list[str] = []
        texts = self._option_texts
        for index, (option, positions) in enumerate(self._option_shapes):
            chosen = (index, positions(numbers))
            found = texts.get(chosen)
            if found is None:
                mine = [entries[position] for position in self._positions[index]]
                found = texts.put(chosen, self._option(option, mine))
            options.append(found[0])
            if found[1]:
                candidates.append(option.id)
        unread = tuple([name for name, at in self._unread if raw[at] is not None])
        given = self._age_at(raw)
        age_key = (given[0].__class__, *given)
        if age_key in self._ages:
            age = self._ages[age_key]
        else:
            interval = profile.age
            age = self._ages.put(age_key, None if interval is None
                                 else AgeUsed.of(interval).model_dump_json())
        if self._detail == "brief":
            criteria = ",".join([entry.brief for entry in entries])
            tail = f',"not_considered":{json_text(unread)}' if unread else ""
            body = (f'{dated_json(self._as_of, age)},"rule_pack":{self._pack_brief},'
                    f'"criteria":{{{criteria}}},"options":[{",".join(options)}]{tail}}}')
        else:
            body = (f',"as_of":{json_text(self._as_of)},"age_used":{age or "null"},'
                    f'"rule_pack":{self._pack_full},"options":[{",".join(options)}],'
                    f'"notes":{self._notes},"not_considered":{json_text(unread)}}}')
        return body, tuple(candidates)

    def _entry(self, criterion: CriterionPlan, tests: tuple[Outcome, ...],
               profile: Profile) -> _Criterion:
        reason = self._plan.reason(criterion, tests, profile)
        changes: list[Counterfactual] = for_criterion(criterion.criterion, tests, profile)
        brief = (f'{json_text(reason.criterion)}:{{"outcome":"{reason.outcome}",'
                 f'"patient_value":{json_text(reason.patient_value)}')
        if reason.missing_fields:
            brief += f',"missing_fields":{json_text(reason.missing_fields)}'
        texts = self.texts.criteria[criterion.criterion.id].tests
        if changes:
            brief += ',"changes":[' + ",".join(change_json(change, test)
                                               for change, test in zip(changes, texts, strict=True)) + "]"
        self._count += 1
        decision = self._decisions.setdefault((reason.outcome, reason.missing_fields),
                                              len(self._decisions))
        return _Criterion(
            number=self._count, decision=decision, outcome=reason.outcome,
            missing=reason.missing_fields,
            full=reason.model_dump_json(), brief=brief + "}",
            changes=tuple((RANK[change.kind], change.wait_months or 0, position, change.model_dump_json())
                          for position, change in enumerate(changes)))

    def _option(self, option: OptionPlan, entries: list[_Criterion]) -> tuple[str, bool]:
        """An option's text (at the pipeline's detail) and whether it is a candidate."""
        status = status_of([entry.outcome for entry in entries])
        missing: tuple[str, ...] = ()
        if status != "candidate" and any(entry.outcome == "unknown" for entry in entries):
            missing = tuple(sorted({name for entry in entries for name in entry.missing}))
        if self._detail == "brief":
            text = f'{{"id":{json_text(option.id)},"status":"{status}"'
            if missing:
                text += f',"missing_fields":{json_text(missing)}'
            return text + "}", status == "candidate"
        changes = "[]"
        if status != "candidate":
            ranked = sorted((rank, wait, position, test, text)
                            for position, entry in enumerate(entries) if entry.outcome != "met"
                            for rank, wait, test, text in entry.changes)
            changes = "[" + ",".join(item[4] for item in ranked) + "]"
        head, middle, tail = self._frames[option.id]
        text = (f'{head}{status}","status_text":{json_text(option.status_text(status))}'
                f'{middle}{",".join(entry.full for entry in entries)}],"missing_fields":'
                f'{json_text(missing) if missing else "[]"},"counterfactuals":{changes}{tail}')
        return text, status == "candidate"
