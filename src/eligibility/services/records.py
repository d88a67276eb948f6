"""Which record a batch writes (``--detail brief|full``), and the brief writer per pack.

``full`` is the self-contained record (``render/record.py``); ``brief`` keeps what was
decided for the patient and names the pack's texts by id (``render/brief.py``), which
``rules show --format json`` prints once (``pack_texts``).
"""

from __future__ import annotations

from pathlib import Path

from eligibility.cache import BoundedCache
from eligibility.engine.evaluation import Evaluator, evaluator_for
from eligibility.render.brief import BriefWriter, Detail
from eligibility.render.pack_texts import PackTexts, pack_texts

#: Option ids to keep (``--option``); None keeps every option.
Options = tuple[str, ...] | None

_WRITERS: BoundedCache[tuple[str, str, Options], BriefWriter] = BoundedCache(16)


def texts_of(rules: str | Path | Evaluator, options: Options = None) -> PackTexts:
    """The texts a brief record of ``rules`` names by id (only ``options`` when given)."""
    evaluator = rules if isinstance(rules, Evaluator) else evaluator_for(rules)
    return pack_texts(evaluator.plan, options)


def brief_writer(evaluator: Evaluator, options: Options = None) -> BriefWriter:
    """The brief writer of an evaluator's pack, made once per pack and option filter."""
    pack = evaluator.pack
    key = (pack.path, pack.digest, options)
    found = _WRITERS.get(key)
    return found if found is not None else _WRITERS.put(key, BriefWriter(texts_of(evaluator, options)))


def writer_for(detail: Detail, evaluator: Evaluator, options: Options = None) -> BriefWriter | None:
    """The brief writer for ``brief``; None for ``full`` (``render.wire``'s own writer)."""
    return brief_writer(evaluator, options) if detail == "brief" else None
