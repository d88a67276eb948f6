"""``Evaluator``: a rule pack prepared once and evaluated many times; ``evaluate`` over them.

As with OPA's ``PrepareForEval``, the caller holds the prepared thing: an ``Evaluator``
owns the compiled pack and its engine ruleset, the decision plan, and every memo built
while evaluating (reasons and counterfactuals, ``cache.BoundedCache``, keyed on values).
Nothing is cached on a global keyed by ``id()``, and nothing hangs off the pack.

``evaluate(profile, rules=...)`` keeps its signature for callers who do not want to hold
one: it looks the evaluator up in a small default registry (``EvaluatorRegistry``). A name
or path means the same pack for the life of the process, as for ``load_pack``; a
``RulePack`` is looked up by its value (equal packs share an evaluator).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from eligibility.cache import BoundedCache
from eligibility.engine.decide import DecisionPlan
from eligibility.engine.rete import MAX_FACTS_PER_SESSION, Engine
from eligibility.errors import ProfileError, RulePackError
from eligibility.model.assessment import Assessment
from eligibility.model.profile import Profile, parse_profile
from eligibility.rulepack.loader import DEFAULT_PACK, load_pack
from eligibility.rulepack.model import RulePack
from eligibility.rulepack.preference import default_rules

Rules = str | Path | RulePack


class Evaluator:
    """One rule pack, compiled and prepared: hold it and call ``evaluate``.

    Safe to share between threads (the engine serialises its own sessions; the memos
    hold immutable records). A process that forks gets a fresh engine ruleset.
    """

    __slots__ = ("_engine", "_plan", "pack")

    def __init__(self, pack: Rules | None = None) -> None:
        """``pack`` as a name, path or ``RulePack``; without it, the user's default pack."""
        if pack is None:
            self.pack: RulePack = default_rules().load()
        else:
            self.pack = pack if isinstance(pack, RulePack) else load_pack(pack)
        self._engine = Engine(self.pack)
        self._plan = DecisionPlan(self._engine.compiled)

    @property
    def engine(self) -> Engine:
        """The engine alone (test outcomes, no assessment): for benchmarks and probes."""
        return self._engine

    def evaluate(self, profile: Profile | Mapping[str, object]) -> Assessment:
        """Assess one patient. ``profile`` is a ``Profile`` or a mapping such as decoded
        JSON; an invalid one raises ``ProfileError`` naming the field."""
        valid = parse_profile(profile)
        return self._plan.build(valid, self._engine.outcomes(valid))

    def evaluate_each(self, profiles: Sequence[object]) -> list[Assessment | ProfileError]:
        """``evaluate`` for many profiles at once: for each, its assessment or its error.

        The same validation, engine and assessment building as ``evaluate``; valid
        profiles share engine sessions (``Engine.outcomes_many``), which batches use for speed.
        """
        results: list[Assessment | ProfileError | None] = [None] * len(profiles)
        valid: list[tuple[int, Profile]] = []
        for index, item in enumerate(profiles):
            try:
                valid.append((index, parse_profile(item)))
            except ProfileError as error:
                results[index] = error
        for start in range(0, len(valid), MAX_FACTS_PER_SESSION):
            chunk = valid[start:start + MAX_FACTS_PER_SESSION]
            outcomes = self._engine.outcomes_many([profile for _, profile in chunk])
            for (index, profile), decided in zip(chunk, outcomes, strict=True):
                results[index] = self._plan.build(profile, decided)
        return [result for result in results if result is not None]


class EvaluatorRegistry:
    """Evaluators by pack, made on first use; bounded like every cache (``BoundedCache``).

    Names and paths are remembered as given ("article-2023" and ``Path("article-2023")``
    differ: the first is the shipped pack, the second a folder); packs by value, so a
    hit on the pack a caller already holds costs one hash of (path, digest).
    """

    def __init__(self, limit: int = 16) -> None:
        self._by_rules: BoundedCache[str | Path, Evaluator] = BoundedCache(limit)
        self._by_pack: BoundedCache[RulePack, Evaluator] = BoundedCache(limit)
        self._lock = threading.Lock()

    def get(self, rules: Rules = DEFAULT_PACK) -> Evaluator:
        if not isinstance(rules, RulePack):
            found = self._by_rules.get(rules)
            if found is not None:
                return found
            evaluator = self.get(load_pack(rules))
            return self._by_rules.put(rules, evaluator)
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
             rules: Rules | None = None) -> Assessment:
    """Assess one patient against a rule pack (the user's default unless ``rules`` names one;
    see ``evaluator_for``).

    ``profile`` is a ``Profile`` or a mapping such as decoded JSON; an invalid mapping
    raises ``ProfileError`` naming the field. Safe to call from many threads.
    """
    return evaluator_for(rules).evaluate(profile)


def evaluate_each(profiles: Sequence[object], *, rules: Rules | None = None
                  ) -> list[Assessment | ProfileError]:
    """``Evaluator.evaluate_each`` on the default registry's evaluator for ``rules``."""
    return evaluator_for(rules).evaluate_each(profiles)
