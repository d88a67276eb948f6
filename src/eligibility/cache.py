"""The one cache policy of the library: a bounded map that forgets everything when full.

Every cache is a ``BoundedCache``: an evaluator's memos (reasons, counterfactuals), the
default registry of evaluators, loaded packs, and the record writer's JSON fragments.

Why "clear when full" rather than least-recently-used: a hit is one dict lookup with no
bookkeeping, which matters at dozens of lookups per profile; memory is bounded by
``limit``; and a batch's working set (a few thousand distinct cases) sits far below the
limits, so a clear is rare and costs only recomputation, never a wrong answer.

What a cache holds is shared by everyone who asks with an equal key, so values must be
immutable, and keys must be the *values* an answer depends on, never display text or
``id()`` (the one documented exception is ``render.record.RecordWriter``).

Thread-safe in the way the callers need: a lookup and a store are each one dict
operation; two threads missing the same key both compute it and one equal result stays.
"""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """A dict of at most ``limit`` entries: ``get`` as a dict, ``put`` to remember."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: K, value: V) -> V:
        """Remember ``value`` under ``key`` (forgetting everything first when full)."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
