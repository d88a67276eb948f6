"""A batch's decisions without its Assessments: what the overview and CSV show.

The overview shows one status word per patient and option; CSV the status, its words
and the missing fields. Neither reads a reason's text, a change or a source, yet
building each patient's full ``Assessment`` (``engine/decide.py``) took about half of a
20,000-patient overview. Here the engine's test outcomes go straight to those
decisions, by the same rules and the same code as ``DecisionPlan.build``
(``CriterionPlan.outcome`` and ``missing``, ``status_of``); ``tests/test_decisions.py``
holds the two paths to the same ``Decided`` record for record, and the overview to
its golden bytes.

A chunk's repeated profiles (equal field values) are decided once. A record a mapping
reader annotated (FHIR notes) keeps its full ``Evaluated``, whose notes the views
show; anything unexpected in a chunk sends it down the per-record path
(``batch.outcomes_of``), which pins a fault on the one record that causes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from eligibility.engine.compiler import Outcome as TestOutcome
from eligibility.engine.decide import status_of
from eligibility.engine.evaluation import Rules, evaluator_for
from eligibility.engine.rete import MAX_FACTS_PER_SESSION
from eligibility.inputs.base import InputRecord
from eligibility.model.assessment import AgeUsed, Status
from eligibility.model.profile import Profile
from eligibility.model.profile_reader import ProfileReader
from eligibility.render.record import ErrorRecord
from eligibility.render.wire import Decided, Frame, OptionFrame, Outcome
from eligibility.services.profiles import readable, values_of

#: What one distinct profile gets: statuses, missing fields per option, unread fields.
_Decision = tuple[tuple[Status, ...], tuple[tuple[str, ...], ...], tuple[str, ...]]


class Decisions:
    """One pack's decisions for batches of records on ``as_of``, keeping ``options`` (ids)
    or all."""

    def __init__(self, rules: Rules, options: Sequence[str] | None = None,
                 as_of: dt.date | None = None) -> None:
        evaluator = evaluator_for(rules)
        plan = evaluator.plan
        self._rules: Rules = evaluator.pack  # as decided now, never read again
        self._as_of = as_of
        self._option_ids = None if options is None else tuple(options)
        self._engine = evaluator.engine
        self._parse = ProfileReader()  # validation, remembered a field value at a time
        #: Chunks decided by full assessments instead (a reader's notes, or any fault):
        #: the tests read it, so that a fault in this path cannot hide behind the fallback.
        self.assessed_chunks = 0
        chosen = tuple(option for option in plan.options if options is None or option.id in options)
        self.frame = Frame(plan.pack_ref, plan.notes,
                           tuple(OptionFrame(option.id, option.name, option.kind, option.evidence)
                                 for option in chosen))
        self._criteria = tuple({criterion.criterion.id: criterion for option in chosen
                                for criterion in option.criteria}.values())
        position = {criterion.criterion.id: index for index, criterion in enumerate(self._criteria)}
        self._positions = tuple(tuple(position[criterion.criterion.id] for criterion in option.criteria)
                                for option in chosen)
        self._unread = plan.unread

    def decide(self, records: Sequence[InputRecord]) -> Sequence[Decided | Outcome]:
        """One chunk's decisions, in order, one for each record; never raises for a bad one."""
        from eligibility.services.batch import outcomes_of

        if any(record.notes or record.provenance for record in records):
            self.assessed_chunks += 1
            return outcomes_of(records, self._rules, self._option_ids, self._as_of)
        try:
            return self._decided(records)
        except Exception:
            self.assessed_chunks += 1
            return outcomes_of(records, self._rules, self._option_ids, self._as_of)

    def _decided(self, records: Sequence[InputRecord]) -> list[Decided | Outcome]:
        read: list[tuple[InputRecord, ErrorRecord | tuple[tuple[object, ...], Profile]]] = []
        distinct: dict[tuple[object, ...], Profile] = {}
        for record in records:
            profile = readable(record, self._as_of, self._parse)
            if isinstance(profile, ErrorRecord):
                read.append((record, profile))
                continue
            key = (*values_of(profile), profile.as_of)  # a birth_date reads by its date
            distinct.setdefault(key, profile)
            read.append((record, (key, profile)))
        made: dict[tuple[object, ...], tuple[_Decision, AgeUsed | None]] = {}
        profiles = list(distinct.items())
        for start in range(0, len(profiles), MAX_FACTS_PER_SESSION):
            chunk = profiles[start:start + MAX_FACTS_PER_SESSION]
            decided = self._engine.outcomes_many([profile for _, profile in chunk])
            for (key, profile), tests in zip(chunk, decided, strict=True):
                interval = profile.age
                made[key] = (self._decision(profile, tests),
                             None if interval is None else AgeUsed.of(interval))
        return [found if isinstance(found, ErrorRecord)
                else Decided(record.source, found[1].id, *made[found[0]][0], self.frame,
                             self._as_of if self._as_of is not None else found[1].as_of,
                             made[found[0]][1])
                for record, found in read]

    def _decision(self, profile: Profile, tests: Sequence[TestOutcome]) -> _Decision:
        """As ``DecisionPlan.build`` decides: each criterion's outcome and missing fields,
        then each option's status, and its missing fields when a criterion is unknown."""
        outcomes: list[TestOutcome] = []
        missing: list[tuple[str, ...]] = []
        for criterion in self._criteria:
            given = tuple([tests[slot] for slot in criterion.slots])
            outcome = criterion.outcome(given)
            outcomes.append(outcome)
            missing.append(criterion.missing(given, profile) if outcome == "unknown" else ())
        statuses: list[Status] = []
        fields: list[tuple[str, ...]] = []
        for positions in self._positions:
            mine = [outcomes[position] for position in positions]
            statuses.append(status_of(mine))
            fields.append(tuple(sorted({name for position in positions for name in missing[position]}))
                          if "unknown" in mine else ())
        unread = tuple([name for name in self._unread if getattr(profile, name) is not None])
        return tuple(statuses), tuple(fields), unread
