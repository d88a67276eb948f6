"""An evaluator's engine ruleset is freed with it (the C core never frees one by itself).

Measured by the growth of resident memory, with a generous bound, never by time: before
the fix each dropped evaluator kept about a quarter of a megabyte of C memory.
"""

from __future__ import annotations

import gc
import resource

import pytest

from eligibility import Evaluator, load_pack
from eligibility.engine import rete
from eligibility.errors import EngineError

ADULT = {"age_years": 30, "severity": "severe", "topical_response": "inadequate"}


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def test_resident_memory_stays_bounded_over_a_thousand_dropped_evaluators() -> None:
    pack = load_pack("article-2023")
    for _ in range(50):  # warm up: allocator pools, memos, imports
        Evaluator(pack).evaluate(ADULT)
    gc.collect()
    before = _resident_mb()
    for _ in range(1000):
        Evaluator(pack).evaluate(ADULT)
    gc.collect()
    assert _resident_mb() - before < 100


def test_a_ruleset_broken_by_a_c_error_is_freed_and_rebuilt(monkeypatch: pytest.MonkeyPatch) -> None:
    evaluator = Evaluator("article-2023")
    wanted = evaluator.evaluate(ADULT).model_dump_json()
    old = evaluator.engine._current()
    freed: list[int] = []
    real_free = rete._core.delete_ruleset

    def failing_assert(handle: int, facts: str) -> object:
        raise RuntimeError("simulated C error")

    def recording_free(handle: int) -> None:
        freed.append(handle)
        real_free(handle)

    monkeypatch.setattr(rete._core, "assert_facts", failing_assert)
    monkeypatch.setattr(rete._core, "delete_ruleset", recording_free)
    with pytest.raises(EngineError, match="simulated C error"):
        evaluator.evaluate(ADULT)
    assert freed == [old.handle] and evaluator.engine._ruleset is None
    monkeypatch.undo()
    assert evaluator.evaluate(ADULT).model_dump_json() == wanted
