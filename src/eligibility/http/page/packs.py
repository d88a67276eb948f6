"""The rule packs a clinician may choose on the page: the shipped ones and the configured one.

A pack is chosen by name from this list only: a name or path typed into a request never
reaches ``load_pack``, so the page cannot be made to read a folder its operator did not
configure. Each choice shows its knowledge date; the newest shipped knowledge later than
the chosen pack's is named beside the chooser and under the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from eligibility.rulepack.catalog import ShippedPack, newer_than
from eligibility.rulepack.loader import available_packs, load_pack
from eligibility.rulepack.model import RulePack
from eligibility.rulepack.preference import default_pack


@dataclass(frozen=True)
class PackChoice:
    name: str
    text: str
    pack: RulePack


@dataclass(frozen=True)
class PackChooser:
    """The packs on offer, by name, and which one is the default."""

    default: str
    choices: Mapping[str, PackChoice]

    def newer(self, name: str) -> ShippedPack | None:
        """The newest shipped pack with later knowledge than ``name``'s, if one ships."""
        return newer_than(self.choices[name].pack)

    def newer_note(self, name: str, *, on_page: bool = True) -> str | None:
        """The note on newer knowledge; ``on_page``: with where to choose it (not in a note)."""
        newer = self.newer(name)
        if newer is None:
            return None
        chosen = self.choices[name].pack
        text = (f"Newer knowledge ships: rule pack {newer.name} (knowledge as of "
                f"{newer.info.as_of}); this answer uses {chosen.name} (knowledge as of "
                f"{chosen.info.as_of}).")
        return f"{text} Choose it under Rule pack." if on_page else text

    def unknown(self, name: str) -> str:
        known = ", ".join(self.choices)
        return f"unknown rule pack '{name[:40]}'; packs: {known}"


def pack_chooser(rules: str | None = None) -> PackChooser:
    """The shipped packs and the configured one (``rules``, else the user's default)."""
    configured = load_pack(rules) if rules is not None else default_pack()
    packs = {pack.name: pack for pack in available_packs()}
    packs[configured.name] = configured
    choices = {name: PackChoice(name, _text(pack, pack is configured), pack)
               for name, pack in sorted(packs.items())}
    return PackChooser(configured.name, choices)


def _text(pack: RulePack, default: bool) -> str:
    text = f"{pack.name} {pack.info.version} (knowledge as of {pack.info.as_of})"
    return f"{text}, default" if default else text
