"""``explain`` for a stream of input records: each profile's explanation, or its error.

Errors are the same error records ``evaluate`` gives; the JSON form is the records of
``evaluate --format json`` with only the chosen option, when one is chosen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from eligibility.engine.evaluation import evaluator_for
from eligibility.engine.explanation import explain
from eligibility.inputs.reader import InputRecord
from eligibility.render.explain import Explained
from eligibility.render.record import ErrorRecord
from eligibility.render.wire import EncodedChunk, Evaluated, encode
from eligibility.rulepack.loader import DEFAULT_PACK
from eligibility.services.batch import attempt, outcome_of


def explanations(records: Iterable[InputRecord], rules: str | Path = DEFAULT_PACK,
                 option: str | None = None) -> Iterator[Explained | ErrorRecord]:
    """Each record explained (only ``option`` when one is given), in input order.

    Each profile is evaluated once, inside ``explain``; only its changed profiles are
    evaluated again, to check each suggested change.
    """
    evaluator = evaluator_for(rules)
    for record in records:
        explained = attempt(record, lambda payload: explain(payload, rules=evaluator,
                                                             option=option))
        yield explained if isinstance(explained, ErrorRecord) else \
            Explained(record.source, explained)


def explained_chunks(records: Iterable[InputRecord], rules: str | Path = DEFAULT_PACK,
                     option: str | None = None) -> Iterator[EncodedChunk]:
    """The records of ``evaluate --format json``, keeping only ``option`` when one is given."""
    for record in records:
        outcome = outcome_of(record, rules)
        if isinstance(outcome, Evaluated) and option is not None:
            assessment = outcome.assessment
            only = tuple(item for item in assessment.options if item.id == option)
            outcome = Evaluated(outcome.source, assessment.model_copy(update={"options": only}))
        yield EncodedChunk.of([encode(outcome)])
