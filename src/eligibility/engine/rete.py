"""The one module that talks to durable-rules, and every guard its sharp edges need.

Design, from what durable-rules 2.0.28 was seen to do on this machine:

* We drive the C core (``durable_rules_engine``) directly and never build its Python
  ``Host``: the host starts a background dispatcher thread that re-runs slow actions and
  can steal them from the caller. Our rules have no Python actions at all; a match is
  read from the name of the rule that fired, so there is no action to fail or time out.
* Facts, never events: an event is consumed by the first rule it matches.
* The fact is built by ``compiler.CompiledPack.fact_json`` from integers only, under
  whitelisted keys whose 32-bit hashes are checked to be distinct, with a fresh random
  session id per evaluation.
* A sentinel rule matches every fact, so ``delete_state`` (which crashes the process on a
  session where nothing matched) is always safe; the session is deleted whatever happens.
* One lock: the engine is not thread-safe, and at most 1,024 sessions may be alive.
* Fail closed: each atomic test must be decided by exactly one rule, the sentinel must
  fire once, and the state must carry no ``exception``; anything else is an
  ``EngineError`` and no answer is given.
* Each ruleset gets a name unique to the process; a process that forks compiles afresh.
* A ruleset is freed (``delete_ruleset``) when its engine is collected or after a C error,
  under the lock and only by the process that created it: the C core never frees one.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import itertools
import os
import secrets
import shlex
import sys
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

try:
    import durable_rules_engine as _core
except ImportError as _error:  # a missing or broken build: say so, and how to fix it, when needed
    _core = None
    _CORE_PROBLEM: str | None = f"{type(_error).__name__}: {_error}"
else:
    _CORE_PROBLEM = None

from eligibility.engine.compiler import (
    OUTCOME_CODES,
    RESERVED_KEYS,
    SENTINEL_RULE,
    CompiledPack,
    Outcome,
    compile_pack,
    fnv1a_32,
)
from eligibility.errors import EngineError, EngineUnavailableError
from eligibility.model.profile import Profile
from eligibility.rulepack.model import RulePack

_LOCK = threading.RLock()
_NAMES = itertools.count()
#: Profiles decided in one engine session; batches are cut into chunks of this size.
MAX_FACTS_PER_SESSION = 256


@dataclass
class _Ruleset:
    handle: int
    name: str
    pid: int
    free: weakref.finalize[[int, int], Engine]


def _free_ruleset(handle: int, pid: int) -> None:
    """Give the C core's memory for a ruleset back (a forked child leaves its parent's)."""
    if os.getpid() != pid:
        return
    # Exception only: a ruleset the core already forgot is nothing to report.
    with _LOCK, contextlib.suppress(Exception):
        _core.delete_ruleset(handle)


def require_core() -> None:
    """Raise ``EngineUnavailableError`` naming the fix if durable-rules cannot be imported.

    The usual cause: on Python 3.13 durable-rules only builds with the README's CPPFLAGS;
    a build without them succeeds, is cached by pip, and fails at import, and a later
    install with the flag reuses the cached wheel. The fix removes that wheel first.
    """
    if _CORE_PROBLEM is None:
        return
    python = shlex.quote(sys.executable)
    fix = (f"{python} -m pip cache remove durable_rules && "
           f"CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject {python} -m pip install "
           f"--no-cache-dir --force-reinstall {_durable_requirement()}")
    raise EngineUnavailableError(
        f"the rule engine (durable-rules) cannot be imported ({_CORE_PROBLEM}); "
        f"it needs a C compiler and Python headers to build; fix with: {fix}")


def _durable_requirement() -> str:
    """The durable-rules pin from this package's metadata (one place states it)."""
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        for requirement in importlib.metadata.requires("eligibility") or ():
            if requirement.replace("_", "-").startswith("durable-rules") and ";" not in requirement:
                return shlex.quote(requirement.replace(" ", ""))
    return "durable-rules"


class Engine:
    """Decides every atomic test of one rule pack for one profile at a time."""

    def __init__(self, pack: RulePack) -> None:
        require_core()
        self._compiled = compile_pack(pack)
        _check_keys(self._compiled)
        # What each rule's firing means: (test index, outcome), or None for the sentinel.
        self._meanings: dict[str, tuple[int, Outcome] | None] = {SENTINEL_RULE: None}
        for name in self.compiled.rule_names:
            if name != SENTINEL_RULE:
                test, code, _ = name.split("_")
                self._meanings[name] = (int(test[1:]), OUTCOME_CODES[code])
        self._ruleset: _Ruleset | None = None

    @property
    def compiled(self) -> CompiledPack:
        """The compiled pack (read-only: the ruleset is rebuilt from it after a fork)."""
        return self._compiled

    def outcomes(self, profile: Profile) -> tuple[Outcome, ...]:
        """The outcome of each atomic test, in ``compiled.tests`` order."""
        return self.outcomes_many([profile])[0]

    def outcomes_many(self, profiles: Sequence[Profile]) -> list[tuple[Outcome, ...]]:
        """Outcomes for several profiles, decided in one session (one fact per profile).

        Every rule reads a single fact, so facts in one session cannot influence each
        other; each firing names its fact by the ``id`` we gave it. Sharing the session
        saves its creation and deletion, which cost as much as the inference.
        """
        if not profiles:
            return []
        if len(profiles) > MAX_FACTS_PER_SESSION:
            raise ValueError(f"at most {MAX_FACTS_PER_SESSION} profiles per session")
        sid = secrets.token_hex(12)
        facts = "[" + ",".join(self.compiled.fact_json(profile, sid, number)
                               for number, profile in enumerate(profiles)) + "]"
        with _LOCK:
            ruleset = self._current()
            # Exactly one rule per test and the sentinel fire for each fact; a few more
            # would already be wrong, unbounded firing must not run on.
            fired = self._run(ruleset, sid, facts, (len(self.compiled.tests) + 1) * len(profiles))
        return self._decide(fired, len(profiles))

    # -- inside the lock ---------------------------------------------------------------

    def _current(self) -> _Ruleset:
        ruleset = self._ruleset
        if ruleset is None or ruleset.pid != os.getpid():
            name = f"eligibility_{os.getpid()}_{next(_NAMES)}_{secrets.token_hex(4)}"
            handle = _core.create_ruleset(name, self.compiled.rules_json)
            free = weakref.finalize(self, _free_ruleset, handle, os.getpid())
            free.atexit = False  # the process's end frees everything anyway
            ruleset = self._ruleset = _Ruleset(handle, name, os.getpid(), free)
        return ruleset

    def _discard(self) -> None:
        """Forget a ruleset that can no longer be trusted, and free it now."""
        ruleset, self._ruleset = self._ruleset, None
        if ruleset is not None:
            ruleset.free()

    def _run(self, ruleset: _Ruleset, sid: str, facts: str, expected: int) -> list[str]:
        handle = ruleset.handle
        fired: list[str] = []
        matched = broken = False
        try:
            result = _core.assert_facts(handle, facts)
            state_offset = result[1]
            started = _core.start_action_for_state(handle, state_offset)
            if started is None:
                raise EngineError("the engine matched no rule, not even the sentinel")
            matched = True
            if '"exception"' in started[0]:
                raise EngineError(f"the engine reported an exception in its state: {started[0][:200]}")
            message: str | None = started[1]
            while message:
                fired.append(message)
                if len(fired) > expected:
                    raise EngineError("the engine kept firing rules; evaluation stopped")
                message = _core.complete_and_start_action(handle, state_offset)
        except EngineError:
            raise
        except Exception as error:
            # A C-level error here means the ruleset can no longer be trusted. (Not
            # BaseException: Ctrl-C must stop the batch, not become an error record.)
            broken = True
            raise EngineError(f"the engine failed: {type(error).__name__}: {error}") from error
        finally:
            try:
                if matched:
                    _delete(handle, sid)
            finally:
                if broken or not matched:  # freed after its session, never before
                    self._discard()
        return fired

    # -- outside the lock --------------------------------------------------------------

    def _decide(self, fired: list[str], count: int) -> list[tuple[Outcome, ...]]:
        # Runs ~10 times per profile: the message is read inline (``_rule_and_fact`` is
        # the same reading), which halves what this loop costs a batch.
        width = len(self.compiled.tests)
        outcomes: list[list[Outcome | None]] = [[None] * width for _ in range(count)]
        sentinels = [0] * count
        meanings = self._meanings
        for message in fired:
            end = message.find('"', 2)
            at = end + _FACT_AT
            if end > 2 and message.startswith(_AFTER_NAME, end) and message[at - 6:at] == '"id":"':
                name, number = message[2:end], int(message[at:message.index('"', at)])
            else:
                name, number = _rule_and_fact(message)
            if not 0 <= number < count:
                raise EngineError(f"a rule fired for fact {number}, which was never asserted")
            meaning = meanings.get(name, _UNKNOWN)
            if meaning is None:
                sentinels[number] += 1
                continue
            if meaning is _UNKNOWN:
                raise EngineError(f"the engine fired a rule it was never given: {name[:40]!r}")
            index, outcome = meaning
            row = outcomes[number]
            if row[index] is not None:
                raise EngineError(f"test {index} was decided twice ({row[index]}, {outcome})")
            row[index] = outcome
        result: list[tuple[Outcome, ...]] = []
        for number, row in enumerate(outcomes):
            if sentinels[number] != 1:
                raise EngineError(f"the sentinel rule fired {sentinels[number]} times instead of once")
            if None in row:
                undecided = [i for i, outcome in enumerate(row) if outcome is None]
                raise EngineError(f"the engine left tests {undecided} undecided")
            result.append(tuple(row))  # type: ignore[arg-type]  # no None left: checked
        return result


#: Stands for a rule name ``_meanings`` does not hold (None there means the sentinel).
_UNKNOWN: tuple[int, Outcome] = (-1, "unknown")
_AFTER_NAME = '":{"m":{"sid":"'
_FACT_AT = len(_AFTER_NAME) + 24 + len('","id":"')  # sid is 12 bytes as 24 hex digits


def _rule_and_fact(message: str) -> tuple[str, int]:
    """A message is {"<rule>":{"m":{"sid":"…","id":"<n>",…}}}; rule names and ids are ours.

    The fact is echoed exactly as we wrote it, so the id sits at a fixed offset after the
    rule name; anything else is parsed the slow way rather than trusted.
    """
    end = message.index('"', 2)
    name = message[2:end]
    at = end + _FACT_AT
    if message.startswith(_AFTER_NAME, end) and message[at - 6:at] == '"id":"':
        return name, int(message[at:message.index('"', at)])
    at = message.index('"id":"') + 6
    return name, int(message[at:message.index('"', at)])


def _delete(handle: int, sid: str) -> None:
    try:
        _core.delete_state(handle, sid)
    except Exception as error:  # pragma: no cover - depends on engine faults
        raise EngineError(f"the engine could not clean up its session: {error}") from error


def _check_keys(compiled: CompiledPack) -> None:
    """Refuse to run if two fact keys share a 32-bit hash, which the engine would confuse."""
    keys = list(compiled.fact_keys) + list(RESERVED_KEYS)
    hashes: dict[int, str] = {}
    for key in keys:
        value = fnv1a_32(key)
        if value in hashes and hashes[value] != key:
            raise EngineError(f"fact keys '{hashes[value]}' and '{key}' collide in the engine")
        hashes[value] = key


def session_count_probe(engine: Engine, sid: str) -> Any:
    """The engine's stored state for ``sid`` (tests use it to prove nothing is left behind)."""
    with _LOCK:
        ruleset = engine._current()
        try:
            return _core.get_state(ruleset.handle, sid)
        except Exception as error:
            return error
