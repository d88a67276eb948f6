"""``explain`` for a stream of input records: each profile's explanation, or its error.

Errors are the same error records ``evaluate`` gives. With options chosen, only those
are explained.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from eligibility.engine.evaluation import evaluator_for
from eligibility.engine.explanation import explain
from eligibility.inputs.reader import InputRecord
from eligibility.model.fields import PROFILE_FIELDS_OF
from eligibility.render.explain import Explained
from eligibility.render.record import ErrorRecord
from eligibility.rulepack.loader import DEFAULT_PACK
from eligibility.rulepack.model import RulePack
from eligibility.services.batch import Options, attempt


def explanations(records: Iterable[InputRecord], rules: str | Path = DEFAULT_PACK,
                 options: Options = None,
                 as_of: dt.date | None = None) -> Iterator[Explained | ErrorRecord]:
    """Each record explained (only ``options`` when they are given), in input order,
    assessed on ``as_of`` (the date the assessment is for).

    Each profile is evaluated once, inside ``explain``; only its changed profiles are
    evaluated again, to check each suggested change.
    """
    evaluator = evaluator_for(rules)
    one = options[0] if options is not None and len(options) == 1 else None
    for record in records:
        explained = attempt(record, lambda payload: explain(payload, rules=evaluator,
                                                             option=one, as_of=as_of))
        if isinstance(explained, ErrorRecord):
            yield explained
            continue
        if options is not None and one is None:
            explained = replace(explained, options=tuple(
                item for item in explained.options if item.option.id in options))
        yield Explained(record.source, explained, _criterion_sources(record, evaluator.pack),
                        record.notes)


def _criterion_sources(record: InputRecord, pack: RulePack) -> dict[str, tuple[str, ...]]:
    """Per criterion id, the resources its profile fields' values came from (FHIR input
    records carry ``provenance``; other records give nothing)."""
    if not record.provenance:
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for criterion in pack.all_criteria():
        names = [name for rule_field in criterion.fields
                 for name in PROFILE_FIELDS_OF.get(rule_field, ())]
        refs = sorted({ref for name in names for ref in record.provenance.get(name, ())})
        if refs:
            found[criterion.id] = tuple(refs)
    return found
