"""Choosing among the shipped packs: by name or path, by knowledge date, or the default.

Packs sit side by side under ``rules/``; the default stays the default even when a newer
one ships, so that an upgrade never silently changes answers. ``newer_than`` lets the
command line say, in one line, that newer knowledge is available.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from eligibility.errors import RulePackError
from eligibility.rulepack.files import parse_toml
from eligibility.rulepack.loader import available_packs, load_pack, packs_root
from eligibility.rulepack.model import PackInfo, RulePack
from eligibility.rulepack.preference import default_pack


@dataclass(frozen=True)
class ShippedPack:
    """A shipped pack as its ``pack.toml`` names and dates it: all ``newer_than`` needs."""

    name: str
    info: PackInfo


def pack_as_of(date: dt.date) -> RulePack:
    """The newest shipped pack whose knowledge is dated on or before ``date``.

    Ties on the date go to the later name, so the choice never depends on file order.
    """
    valid = [pack for pack in available_packs() if pack.info.as_of <= date]
    if not valid:
        dates = ", ".join(f"{p.name} ({p.info.as_of})" for p in available_packs())
        raise RulePackError([f"--as-of {date}: no shipped pack is dated on or before it; "
                             f"packs: {dates or 'none'}"])
    return max(valid, key=lambda pack: (pack.info.as_of, pack.name))


def choose_pack(rules: str | Path | None, as_of: dt.date | None) -> RulePack:
    """The pack a command should use: ``rules`` if given, else by ``as_of``, else the
    user's default (``preference.py``: ``ELIGIBILITY_RULES``, the config file, the shipped one)."""
    if rules is not None:
        return load_pack(rules)
    if as_of is not None:
        return pack_as_of(as_of)
    return default_pack()


def newer_than(pack: RulePack) -> ShippedPack | None:
    """The newest shipped pack with knowledge newer than ``pack``'s, if any."""
    newer = [other for other in shipped_packs() if other.info.as_of > pack.info.as_of]
    return max(newer, key=lambda other: (other.info.as_of, other.name)) if newer else None


_SHIPPED: list[ShippedPack] = []  # read once per process: the shipped packs do not change


def shipped_packs() -> list[ShippedPack]:
    """Every shipped pack's name and date, sorted by name, from its ``[pack]`` table alone.

    Every record names the newest shipped pack (``RulePackRef.newer``): reading the other
    packs whole for their dates cost a one-profile run ~12 ms per pack. A ``pack.toml``
    that does not read cleanly is loaded whole instead, which names what is wrong in it.
    """
    if not _SHIPPED:
        root = packs_root()
        heads = sorted(root.glob("*/pack.toml")) if root.is_dir() else []
        _SHIPPED.extend(sorted((_head(path) for path in heads), key=lambda head: head.name))
    return list(_SHIPPED)


def _head(path: Path) -> ShippedPack:
    try:
        info = PackInfo.model_validate(parse_toml(path.read_bytes(), str(path)).get("pack"))
    except (OSError, ValueError, ValidationError, RulePackError):  # TOML and UTF-8 errors too
        info = load_pack(path.parent).info
    return ShippedPack(info.name, info)
