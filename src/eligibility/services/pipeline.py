"""The single-process batch pipeline: input records to JSON Lines bytes, close to the engine.

``Evaluator.evaluate`` builds an ``Assessment`` per profile and ``render/record.py``
serialises it; for a batch that costs several times the engine's inference. Here the
records are written from the decisions themselves, the ``Assessment`` skipped:

* a profile's record, but for its id and source, depends only on its field values, so
  the body is remembered under them (a bounded memo): a repeated profile costs its
  validation and one lookup, and the engine decides each distinct profile once;
* the engine decides every other profile of a chunk in one session;
* ``record_text.py`` writes each new body from the engine's outcomes.

The bytes are exactly those of ``encode(Evaluated(source, evaluator.evaluate(payload)))``
at either detail; ``tests/test_pipeline.py`` holds the two paths to that. Anything
unexpected in a chunk sends it down the per-record path, which pins a fault on the one
record that causes it (``services/batch.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from eligibility.cache import BoundedCache
from eligibility.engine.evaluation import Rules, evaluator_for
from eligibility.engine.rete import MAX_FACTS_PER_SESSION
from eligibility.inputs.base import InputRecord
from eligibility.model.profile import Profile
from eligibility.model.profile_reader import ProfileReader
from eligibility.render.brief import Detail
from eligibility.render.pack_texts import PackTexts
from eligibility.render.record import ErrorRecord
from eligibility.render.wire import EncodedChunk
from eligibility.services.profiles import readable, values_of
from eligibility.services.record_frames import head_text
from eligibility.services.record_text import RecordText

#: Remembered record bodies: a full body is ~19 KB, a brief one ~2 KB (``--jobs`` and
#: one process alike stay far below 100 MB).
BODIES = {"full": 1024, "brief": 8192}
class Pipeline:
    """One evaluator's batch records at one detail, keeping ``options`` (ids) or all."""

    def __init__(self, rules: Rules, detail: Detail = "full",
                 options: Sequence[str] | None = None, as_of: dt.date | None = None) -> None:
        evaluator = evaluator_for(rules)
        #: The date every profile is assessed on: a pipeline's memos hold one date's
        #: answers, so it is fixed here rather than part of their keys.
        self._as_of = as_of
        self._rules: Rules = evaluator.pack  # as decided now, never read again
        self._digest = evaluator.pack.digest
        self._option_ids = None if options is None else tuple(options)
        self._engine = evaluator.engine
        self._parse = ProfileReader()  # validation, remembered a field value at a time
        self._detail = detail
        self._text = RecordText(evaluator.plan, detail, self._option_ids, as_of)
        self._bodies: BoundedCache[tuple[object, ...], tuple[str, tuple[str, ...]]]
        self._bodies = BoundedCache(BODIES[detail])
        #: Chunks written by the per-record path (a reader's notes, or a fault in a chunk).
        #: A fault falls back silently, so a mistake here (a misspelt name once passed the
        #: tests this way) shows only in this count, which the tests read.
        self.assessed_chunks = 0

    @property
    def digest(self) -> str:
        """The digest of the pack this pipeline decides with (records carry it)."""
        return self._digest

    @property
    def texts(self) -> PackTexts:
        return self._text.texts

    def encode(self, records: Sequence[InputRecord]) -> EncodedChunk:
        """One chunk's JSON Lines and tallies; never raises for a bad record."""
        from eligibility.render.wire import encode
        from eligibility.services.batch import assess_encoded

        # A record a mapping reader annotated (FHIR notes, provenance) needs its own
        # Assessment: the bodies here hold only what the pack decides.
        if any(record.notes or record.provenance or self._dated_apart(record.payload)
               for record in records):
            self.assessed_chunks += 1
            return assess_encoded(records, self._rules, self._option_ids, self._detail,
                                  self._as_of)

        lines: list[str] = []
        oks: list[bool] = []
        counts: dict[str, int] = {}
        pending: dict[tuple[object, ...], list[tuple[int, str, InputRecord]]] = {}
        profiles: dict[tuple[object, ...], Profile] = {}
        for record in records:
            profile = readable(record, self._as_of, self._parse)
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
                self.assessed_chunks += 1
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
                made[key] = self._bodies.put(key, self._text.body(key, profile, outcomes))
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
        options = self._text.option_ids
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
