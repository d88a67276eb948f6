"""``evaluate``: the single entry point the library, the CLI and the tests all share."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from eligibility.engine.decide import build_assessment
from eligibility.engine.rete import MAX_FACTS_PER_SESSION, Engine
from eligibility.errors import ProfileError
from eligibility.model.assessment import Assessment
from eligibility.model.profile import Profile, parse_profile
from eligibility.rulepack.loader import DEFAULT_PACK, load_pack
from eligibility.rulepack.model import RulePack

_ENGINES: dict[str, Engine] = {}
_BY_NAME: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def evaluate(profile: Profile | Mapping[str, object], *,
             rules: str | Path | RulePack = DEFAULT_PACK) -> Assessment:
    """Assess one patient against a rule pack (the default pack unless ``rules`` names one).

    ``profile`` is a ``Profile`` or a mapping such as decoded JSON; an invalid mapping
    raises ``ProfileError`` naming the field. Safe to call from many threads.
    """
    engine = engine_for(rules)
    valid = parse_profile(profile)
    return build_assessment(engine.compiled, valid, engine.outcomes(valid))


def evaluate_each(profiles: Sequence[object], *, rules: str | Path | RulePack = DEFAULT_PACK
                  ) -> list[Assessment | ProfileError]:
    """``evaluate`` for many profiles at once: for each, its assessment or its error.

    The same validation, engine and assessment building as ``evaluate``; valid profiles
    share engine sessions (``Engine.outcomes_many``), which batches use for speed.
    """
    engine = engine_for(rules)
    results: list[Assessment | ProfileError | None] = [None] * len(profiles)
    valid: list[tuple[int, Profile]] = []
    for index, item in enumerate(profiles):
        try:
            valid.append((index, parse_profile(item)))
        except ProfileError as error:
            results[index] = error
    for start in range(0, len(valid), MAX_FACTS_PER_SESSION):
        chunk = valid[start:start + MAX_FACTS_PER_SESSION]
        outcomes = engine.outcomes_many([profile for _, profile in chunk])
        for (index, profile), decided in zip(chunk, outcomes, strict=True):
            results[index] = build_assessment(engine.compiled, profile, decided)
    return [result for result in results if result is not None]


def engine_for(rules: str | Path | RulePack = DEFAULT_PACK) -> Engine:
    """The engine for a pack, compiled once per process and reused."""
    fast_key = rules if isinstance(rules, str) else None
    if fast_key is not None and fast_key in _BY_NAME:
        return _BY_NAME[fast_key]
    pack = rules if isinstance(rules, RulePack) else load_pack(rules)
    key = f"{pack.path}@{id(pack)}"
    engine = _ENGINES.get(key)
    if engine is None:
        with _ENGINES_LOCK:
            engine = _ENGINES.get(key)
            if engine is None:
                engine = _ENGINES[key] = Engine(pack)
    if fast_key is not None:
        # A name or path string maps to the same pack for the life of the process.
        _BY_NAME[fast_key] = engine
    return engine
