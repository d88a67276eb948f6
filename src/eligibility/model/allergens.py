"""How the aid reads an allergy entry: the shipped allergen vocabulary and normalisation.

Free text such as "House Dust Mite", "NKDA" or a fullwidth "none" must be read exactly,
or refused, before any rule judges it: a "none" counted as an allergy once made allergy
shots a candidate. The vocabulary is data (``vocab/allergens.toml``, versioned and dated);
this module loads it once and reads entries against it. An entry it cannot classify is
kept as "unclassified", never guessed.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

Category = Literal["environmental", "food", "drug", "insect_venom", "other"]
CATEGORIES: tuple[Category, ...] = ("environmental", "food", "drug", "insect_venom", "other")
#: What an entry says: an allergen of a category, unclassified, or no known drug allergies.
Reading = Literal["environmental", "food", "drug", "insect_venom", "other", "unclassified",
                  "no_known_drug"]

HOW_TO_WRITE = ("write [] when none are known, leave the field out when unknown, or name the "
                "allergen (e.g. \"dust mite\", \"peanut\", \"penicillin\"; \"NKDA\" for no known "
                "drug allergies)")


@dataclass(frozen=True)
class Allergen:
    """One coded allergen of the vocabulary."""

    code: str
    name: str
    category: Category
    immunotherapy_treats: bool


@dataclass(frozen=True)
class Vocabulary:
    """The loaded vocabulary: coded allergens by normalised synonym, and the phrases."""

    version: str
    date: str
    allergens: tuple[Allergen, ...]
    by_text: Mapping[str, Allergen]
    none_known: frozenset[str]
    no_known_drug: frozenset[str]
    placeholders: frozenset[str]


def normalise(text: str) -> str:
    """The text an entry is judged by: NFKC, no format characters (zero-width space,
    BOM, word joiner …), whitespace collapsed, casefolded, trailing '.' or ',' removed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    text = " ".join(text.split()).casefold()
    return text.rstrip(".,;").strip()


def _key(text: str) -> str:
    """A synonym's lookup key: '_' and '-' read as spaces ('dust_mite' = 'dust-mite')."""
    return " ".join(normalise(text).replace("_", " ").replace("-", " ").split())


def vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded once at import (it is immutable)."""
    return _VOCABULARY


def _load() -> Vocabulary:
    # Beside this module, as the shipped packs are (``rulepack/loader.py``): reading it
    # through importlib.resources imported zipfile and tempfile, ~12 ms of every start-up.
    raw = tomllib.loads((Path(__file__).parent / "vocab" / "allergens.toml").read_text(encoding="utf-8"))
    allergens: list[Allergen] = []
    by_text: dict[str, Allergen] = {}
    for item in raw["allergen"]:
        category = item["category"]
        if category not in CATEGORIES:
            raise ValueError(f"allergen vocabulary: {item['code']!r} has category {category!r}")
        allergen = Allergen(item["code"], item["name"], category,
                            bool(item.get("immunotherapy_treats", False)))
        allergens.append(allergen)
        for text in (allergen.code, allergen.name, *item["synonyms"]):
            if by_text.setdefault(_key(text), allergen) is not allergen:
                raise ValueError(f"allergen vocabulary: {text!r} names two allergens")
    return Vocabulary(str(raw["version"]), str(raw["date"]), tuple(allergens),
                      MappingProxyType(by_text),
                      frozenset(map(normalise, raw["none_known"]["phrases"])),
                      frozenset(map(normalise, raw["no_known_drug"]["phrases"])),
                      frozenset(map(normalise, raw["placeholder"]["phrases"])))


_VOCABULARY = _load()


def is_none_known(text: str) -> bool:
    """Whether an entry says no allergies are known ('none', 'NKA', 'no known allergies')."""
    return normalise(text) in vocabulary().none_known


def check_entry(text: str) -> str:
    """An entry the aid can read, unchanged; a placeholder raises ValueError saying how to
    write the list instead."""
    normal = normalise(text)
    vocab = vocabulary()
    if not normal or normal in vocab.placeholders:
        shown = text.encode("unicode_escape").decode("ascii") if not normal else text
        raise ValueError(f"'{shown}' is not an allergy entry: {HOW_TO_WRITE}")
    return text


def known_list(entries: list[str]) -> list[str]:
    """A list of only none-known phrases ('none', 'NKA', with NKDA) means none known: [].
    None known beside a named allergen contradicts itself: refuse it (ValueError)."""
    none_known = [entry for entry in entries if is_none_known(entry)]
    if not none_known:
        return entries
    named = [entry for entry in entries if not is_none_known(entry)
             and reading(entry) != "no_known_drug"]
    if named:
        raise ValueError(f"'{none_known[0]}' says no allergies are known, but the list also names "
                         f"'{named[0]}': {HOW_TO_WRITE}")
    return []


def allergen_of(text: str) -> Allergen | None:
    """The coded allergen an entry names, or None (unclassified, none known, NKDA)."""
    return vocabulary().by_text.get(_key(text))


def reading(text: str) -> Reading:
    """What one (accepted, not none-known) entry says."""
    if normalise(text) in vocabulary().no_known_drug:
        return "no_known_drug"
    allergen = allergen_of(text)
    return "unclassified" if allergen is None else allergen.category


def treated(text: str) -> bool:
    """Whether allergy shots treat the allergen an entry names."""
    allergen = allergen_of(text)
    return allergen is not None and allergen.immunotherapy_treats


def reading_text(text: str) -> str:
    """How an entry was read, for records: 'dust mite (environmental)', 'House Dust Mite
    (dust mite, environmental)', 'zzz (unclassified)', 'NKDA (no known drug allergies)'."""
    what = reading(text)
    if what == "no_known_drug":
        return f"{text} (no known drug allergies)"
    allergen = allergen_of(text)
    if allergen is None:
        return f"{text} (unclassified)"
    category = allergen.category.replace("_", " ")
    if normalise(text) == normalise(allergen.name):
        return f"{text} ({category})"
    return f"{text} ({allergen.name}, {category})"


def examples(category: Reading) -> tuple[str, ...]:
    """Entries the testing kit draws for a reading: each allergen's name and synonyms."""
    vocab = vocabulary()
    if category == "no_known_drug":
        return tuple(sorted(vocab.no_known_drug))
    return tuple(sorted(text for text, allergen in vocab.by_text.items()
                        if allergen.category == category))
