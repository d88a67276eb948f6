"""``Evaluator``: a rule pack prepared once and evaluated many times; ``evaluate`` over them.

As with OPA's ``PrepareForEval``, the caller holds the prepared thing: an ``Evaluator``
owns the compiled pack and its engine ruleset, the decision plan, and every memo built
while evaluating (reasons and counterfactuals, ``cache.BoundedCache``, keyed on values).
Nothing is cached on a global keyed by ``id()``, and nothing hangs off the pack.

``evaluate(profile, rules=...)`` keeps its signature for callers who do not want to hold
one: it looks the evaluator up in a small default registry (``EvaluatorRegistry``). A name
or path means the pack ``load_pack`` reads in the folder it resolves to now; a
``RulePack`` is looked up by its value (equal packs share an evaluator).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from eligibility.cache import BoundedCache
from eligibility.engine.decide import DecisionPlan
from eligibility.engine.rete import MAX_FACTS_PER_SESSION, Engine
from eligibility.errors import ProfileError, RulePackError
from eligibility.model.assessment import Assessment
from eligibility.model.profile import Profile
from eligibility.model.profile_reader import ProfileReader
from eligibility.rulepack.identity import identified
from eligibility.rulepack.loader import DEFAULT_PACK, load_pack
from eligibility.rulepack.model import RulePack
from eligibility.rulepack.preference import default_rules

Rules = str | Path | RulePack


class Evaluator:
    """One rule pack, compiled and prepared: hold it and call ``evaluate``.

    Safe to share between threads (the engine serialises its own sessions; the memos
    hold immutable records). A process that forks gets a fresh engine ruleset.
    """

    __slots__ = ("_engine", "_pack", "_parse", "_plan")
    _engine: Engine
    _pack: RulePack
    _plan: DecisionPlan
    _parse: ProfileReader

    def __init__(self, pack: Rules | None = None) -> None:
        """``pack`` as a name, path or ``RulePack``; without it, the user's default pack."""
        # Set once here and never again: a shared evaluator whose pack could be swapped
        # would explain one pack's answers with another's wording, for every caller.
        if pack is None:
            loaded = default_rules().load()
        else:
            loaded = pack if isinstance(pack, RulePack) else load_pack(pack)
        # A pack edited or built in memory answers as 'memory', never as the one loaded.
        loaded = identified(loaded)
        engine = Engine(loaded)
        object.__setattr__(self, "_pack", loaded)
        object.__setattr__(self, "_engine", engine)
        object.__setattr__(self, "_plan", DecisionPlan(engine.compiled))
        # ``parse_profile``'s answers, remembered a field value at a time (its memos).
        object.__setattr__(self, "_parse", ProfileReader())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"an Evaluator cannot be changed (tried to set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"an Evaluator cannot be changed (tried to delete {name!r})")

    @property
    def pack(self) -> RulePack:
        """The rule pack this evaluator decides."""
        return self._pack

    @property
    def plan(self) -> DecisionPlan:
        """What the pack knows, prepared for building assessments (and the pack's texts)."""
        return self._plan

    @property
    def engine(self) -> Engine:
        """The engine alone (test outcomes, no assessment): for benchmarks and probes."""
        return self._engine

    def evaluate(self, profile: Profile | Mapping[str, object], *,
                 as_of: dt.date | None = None) -> Assessment:
        """Assess one patient. ``profile`` is a ``Profile`` or a mapping such as decoded
        JSON; an invalid one raises ``ProfileError`` naming the field. ``as_of`` is the
        date the assessment is for: a birth_date needs it (``Profile.dated``); the
        clock is never read here."""
        valid = self._parse(profile).dated(as_of)
        return self._plan.build(valid, self._engine.outcomes(valid), as_of)

    def evaluate_each(self, profiles: Sequence[object], *,
                      as_of: dt.date | None = None) -> list[Assessment | ProfileError]:
        """``evaluate`` for many profiles at once: for each, its assessment or its error.

        The same validation, engine and assessment building as ``evaluate``; valid
        profiles share engine sessions (``Engine.outcomes_many``), which batches use for speed.
        """
        results: list[Assessment | ProfileError | None] = [None] * len(profiles)
        valid: list[tuple[int, Profile]] = []
        for index, item in enumerate(profiles):
            try:
                valid.append((index, self._parse(item).dated(as_of)))
            except ProfileError as error:
                results[index] = error
        for start in range(0, len(valid), MAX_FACTS_PER_SESSION):
            chunk = valid[start:start + MAX_FACTS_PER_SESSION]
            outcomes = self._engine.outcomes_many([profile for _, profile in chunk])
            for (index, profile), decided in zip(chunk, outcomes, strict=True):
                results[index] = self._plan.build(profile, decided, as_of)
        return [result for result in results if result is not None]


class EvaluatorRegistry:
    """Evaluators by pack, made on first use; bounded like every cache (``BoundedCache``).

    A name or path is looked up by the folder it resolves to and the digest of the pack
    ``load_pack`` reads there now, never by the string as given: "./pack" means another
    folder after ``os.chdir``, and a pack edited after the pack cache forgot it is read
    again with another digest. Packs are looked up by value, so a hit on the pack a
    caller already holds costs one hash of (path, digest).
    """

    def __init__(self, limit: int = 16) -> None:
        self._by_rules: BoundedCache[tuple[str, str], Evaluator] = BoundedCache(limit)
        self._by_pack: BoundedCache[RulePack, Evaluator] = BoundedCache(limit)
        self._lock = threading.Lock()

    def get(self, rules: Rules = DEFAULT_PACK) -> Evaluator:
        if not isinstance(rules, RulePack):
            pack = load_pack(rules)  # the folder it resolves to now, read if forgotten
            key = (pack.path, pack.digest)
            found = self._by_rules.get(key)
            if found is not None:
                return found
            return self._by_rules.put(key, self.get(pack))
        found = self._by_pack.get(rules)
        if found is not None:
            return found
        with self._lock:  # one compilation per pack, however many threads ask at once
            found = self._by_pack.get(rules)
            return found if found is not None else self._by_pack.put(rules, Evaluator(rules))


_DEFAULT = EvaluatorRegistry()


def evaluator_for(rules: Rules | None = None) -> Evaluator:
    """The default registry's evaluator for a pack (name, path or ``RulePack``).

    Without ``rules``, the user's default pack, resolved now (``rulepack/preference.py``:
    ``ELIGIBILITY_RULES``, then the config file, then the shipped default); an unusable
    one is a ``RulePackError`` naming where it was set.
    """
    if rules is not None:
        return _DEFAULT.get(rules)
    chosen = default_rules()
    try:
        return _DEFAULT.get(chosen.rules)
    except RulePackError as error:
        raise chosen.error(error) from error


def evaluate(profile: Profile | Mapping[str, object], *,
             rules: Rules | None = None, as_of: dt.date | None = None) -> Assessment:
    """Assess one patient against a rule pack (the user's default unless ``rules`` names one;
    see ``evaluator_for``).

    ``profile`` is a ``Profile`` or a mapping such as decoded JSON; an invalid mapping
    raises ``ProfileError`` naming the field. ``as_of``: the assessment date, which a
    birth_date needs (``ProfileError`` without it). Safe to call from many threads.
    """
    return evaluator_for(rules).evaluate(profile, as_of=as_of)


def evaluate_each(profiles: Sequence[object], *, rules: Rules | None = None,
                  as_of: dt.date | None = None) -> list[Assessment | ProfileError]:
    """``Evaluator.evaluate_each`` on the default registry's evaluator for ``rules``."""
    return evaluator_for(rules).evaluate_each(profiles, as_of=as_of)
