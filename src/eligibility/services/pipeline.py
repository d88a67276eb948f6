"""The single-process batch pipeline: input records to JSON Lines bytes, close to the engine.

``Evaluator.evaluate`` builds an ``Assessment`` per profile and ``render/record.py``
serialises it; for a batch that costs several times the engine's inference. Here the
records are written from the decisions themselves, the ``Assessment`` skipped:

* a profile's record, but for its id and source, depends only on its field values, so
  the body is remembered under them (a bounded memo): a repeated profile costs its
  validation and one lookup, and the engine decides each distinct profile once;
* the engine decides every other profile of a chunk in one session;
* each criterion's outcome, reason text (full and brief) and changes are remembered
  under the criterion, its test outcomes, which age fields are given and the raw values
  of the fields it reads, each entry numbered; an option's text is then remembered
  under its status inputs as a tuple of those small numbers.

The bytes are exactly those of ``encode(Evaluated(source, evaluator.evaluate(payload)))``
at either detail; ``tests/test_pipeline.py`` holds the two paths to that. Anything
unexpected in a chunk sends it down the per-record path, which pins a fault on the one
record that causes it (``services/batch.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

from eligibility.cache import BoundedCache
from eligibility.engine.compiler import Outcome
from eligibility.engine.counterfactual import for_criterion
from eligibility.engine.decide import CriterionPlan, OptionPlan, status_of
from eligibility.engine.evaluation import Rules, evaluator_for
from eligibility.engine.rete import MAX_FACTS_PER_SESSION
from eligibility.inputs.base import InputRecord
from eligibility.model.assessment import AgeUsed, Counterfactual
from eligibility.model.fields import PROFILE_FIELDS_OF
from eligibility.model.profile import Profile
from eligibility.render.brief import Detail, change_json, dated_json
from eligibility.render.pack_texts import RANK, PackTexts, pack_texts
from eligibility.render.record import ErrorRecord
from eligibility.render.wire import EncodedChunk
from eligibility.services.profiles import VALUE_FIELDS, readable, values_of
from eligibility.services.record_frames import head_text, json_text, option_frame

#: Remembered record bodies: a full body is ~19 KB, a brief one ~2 KB (``--jobs`` and
#: one process alike stay far below 100 MB).
BODIES = {"full": 1024, "brief": 8192}
#: Remembered criterion entries (~1.5 KB of text each) and option texts (~3 KB).
ENTRIES = 8192
OPTION_TEXTS = 2048


@dataclass(frozen=True)
class _Criterion:
    """One criterion as it applied: what options need of it, remembered by its inputs."""

    number: int
    outcome: Outcome
    missing: tuple[str, ...]
    full: str
    brief: str
    #: (rank, wait, test position, full text) per change, in test order; empty when met.
    changes: tuple[tuple[int, int, int, str], ...]


class Pipeline:
    """One evaluator's batch records at one detail, keeping ``options`` (ids) or all."""

    def __init__(self, rules: Rules, detail: Detail = "full",
                 options: Sequence[str] | None = None, as_of: dt.date | None = None) -> None:
        evaluator = evaluator_for(rules)
        #: The date every profile is assessed on: a pipeline's memos hold one date's
        #: answers, so it is fixed here rather than part of their keys.
        self._as_of = as_of
        plan = evaluator.plan
        self._rules: Rules = evaluator.pack  # as decided now, never read again
        self._digest = evaluator.pack.digest
        self._option_ids = None if options is None else tuple(options)
        self._engine = evaluator.engine
        self._plan = plan
        self._detail = detail
        self._options = tuple(option for option in plan.options
                              if options is None or option.id in options)
        self._texts: PackTexts = pack_texts(plan, None if options is None else tuple(options))
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
        self._bodies: BoundedCache[tuple[object, ...], tuple[str, tuple[str, ...]]]
        self._bodies = BoundedCache(BODIES[detail])
        self._entries: BoundedCache[tuple[object, ...], _Criterion] = BoundedCache(ENTRIES)
        self._option_texts: BoundedCache[tuple[object, ...], tuple[str, bool]]
        self._option_texts = BoundedCache(OPTION_TEXTS)
        self._count = 0

    @property
    def digest(self) -> str:
        """The digest of the pack this pipeline decides with (records carry it)."""
        return self._digest

    @property
    def texts(self) -> PackTexts:
        return self._texts

    def encode(self, records: Sequence[InputRecord]) -> EncodedChunk:
        """One chunk's JSON Lines and tallies; never raises for a bad record."""
        from eligibility.render.wire import encode
        from eligibility.services.batch import assess_encoded

        # A record a mapping reader annotated (FHIR notes, provenance) needs its own
        # Assessment: the bodies here hold only what the pack decides.
        if any(record.notes or record.provenance or self._dated_apart(record.payload)
               for record in records):
            return assess_encoded(records, self._rules, self._option_ids, self._detail,
                                  self._as_of)

        lines: list[str] = []
        oks: list[bool] = []
        counts: dict[str, int] = {}
        pending: dict[tuple[object, ...], list[tuple[int, str, InputRecord]]] = {}
        profiles: dict[tuple[object, ...], Profile] = {}
        for record in records:
            profile = readable(record, self._as_of)
            if isinstance(profile, ErrorRecord):
                lines.append(encode(profile).line)
                oks.append(False)
                continue
            key = values_of(profile)
            head = head_text(profile.id if profile.id is not None else record.source, record.source)
            found = self._bodies.get(key)
            if found is None:
                pending.setdefault(key, []).append((len(lines), head, record))
                profiles.setdefault(key, profile)
                lines.append("")
            else:
                lines.append(head + found[0])
                for option in found[1]:
                    counts[option] = counts.get(option, 0) + 1
            oks.append(True)
        if pending:
            try:
                self._decide(list(profiles.items()), pending, lines, counts)
            except Exception:
                self._one_by_one(pending, lines, oks, counts)
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        return EncodedChunk(data, tuple(oks), tuple(counts.items()))

    def _decide(self, profiles: list[tuple[tuple[object, ...], Profile]],
                pending: dict[tuple[object, ...], list[tuple[int, str, InputRecord]]],
                lines: list[str], counts: dict[str, int]) -> None:
        made: dict[tuple[object, ...], tuple[str, tuple[str, ...]]] = {}
        for start in range(0, len(profiles), MAX_FACTS_PER_SESSION):
            chunk = profiles[start:start + MAX_FACTS_PER_SESSION]
            decided = self._engine.outcomes_many([profile for _, profile in chunk])
            for (key, profile), outcomes in zip(chunk, decided, strict=True):
                made[key] = self._bodies.put(key, self._body(key, profile, outcomes))
        # Lines and tallies only once every body is made: after a fault, ``_one_by_one``
        # redoes all that waits, and nothing may be counted twice.
        for key, waiting in pending.items():
            body, candidates = made[key]
            for index, head, _ in waiting:
                lines[index] = head + body
                for option in candidates:
                    counts[option] = counts.get(option, 0) + 1

    def _one_by_one(self, pending: dict[tuple[object, ...], list[tuple[int, str, InputRecord]]],
                    lines: list[str], oks: list[bool], counts: dict[str, int]) -> None:
        """After a fault in a chunk, each waiting record on its own: the fault becomes the
        error record of the one record that causes it (as ``batch.outcomes_of`` does)."""
        from eligibility.services.batch import assess_chunk
        options = tuple(option.id for option in self._options)
        for waiting in pending.values():
            for index, _, record in waiting:
                done = assess_chunk([record], self._rules, options, self._detail, self._as_of)[0]
                lines[index], oks[index] = done.line, done.ok
                for option in done.candidates:
                    counts[option] = counts.get(option, 0) + 1

    def _dated_apart(self, payload: object) -> bool:
        """A profile already dated on a day of its own, which this pipeline's memos
        (one date's answers) cannot hold: it goes down the per-record path."""
        return self._as_of is None and isinstance(payload, Profile) and payload.as_of is not None

    # -- from the decisions to text ---------------------------------------------------

    def _body(self, raw: tuple[object, ...], profile: Profile,
              outcomes: Sequence[Outcome]) -> tuple[str, tuple[str, ...]]:
        entries: list[_Criterion] = []
        numbers: list[int] = []
        remembered = self._entries
        for index, (criterion, tests_of, reads_of) in enumerate(self._shapes):
            tests = tests_of(outcomes)
            key = (index, tests, reads_of(raw))
            entry = remembered.get(key)
            if entry is None:
                entry = remembered.put(key, self._entry(
                    criterion, tests if isinstance(tests, tuple) else (tests,), profile))
            entries.append(entry)
            numbers.append(entry.number)
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
        interval = profile.age
        age = None if interval is None else AgeUsed.of(interval).model_dump_json()
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
        texts = self._texts.criteria[criterion.criterion.id].tests
        if changes:
            brief += ',"changes":[' + ",".join(change_json(change, test)
                                               for change, test in zip(changes, texts, strict=True)) + "]"
        self._count += 1
        return _Criterion(
            number=self._count, outcome=reason.outcome, missing=reason.missing_fields,
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
