"""Finding and loading rule packs from TOML files.

A pack is a folder::

    pack.toml          [pack] name, version, as_of; [[sources]]; [[notes]]; [[criteria]] shared
    options/*.toml     one option each: id, name, kind, uses = [shared ids], [[criteria]]
    cases/*.toml       [[cases]] worked cases: a profile and the expected status per option

A pack given by path is untrusted input, read by ``files.PackFiles`` within limits, each
refused at once with a ``RulePackError`` naming the file: regular files only (no FIFOs,
devices or folders), no links leaving the pack folder, 256 KiB per file, 1 MiB per pack,
64 files in ``options/`` and in ``cases/``, nesting 16 deep, 32 criteria per option (why
these numbers: ``files.py``; for authors: "Limits of a pack" in the README). Past those,
every problem found is collected and raised together as one ``RulePackError`` whose
lines name the file and the rule id, so a pack author fixes them in one pass: the files'
shapes here, their meaning and the checks across files in ``consistency.py``, including
the engine's real limit on distinct thresholds per field (``capacity.py``: 63 for age,
fewer for fields the engine reaches later).
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from eligibility.cache import BoundedCache
from eligibility.errors import RulePackError
from eligibility.rulepack.consistency import pack_problems
from eligibility.rulepack.files import MAX_CRITERIA_PER_OPTION, PackFiles, parse_toml
from eligibility.rulepack.identity import origin_of, pack_digest, stamp
from eligibility.rulepack.messages import rule_label, validation_lines
from eligibility.rulepack.model import Criterion, Note, Option, PackInfo, RulePack, Source, WorkedCase
from eligibility.safe_text import clip
from eligibility.suggest import did_you_mean

DEFAULT_PACK = "article-2023"
M = TypeVar("M", bound=BaseModel)


_ROOT: list[Path] = []  # found once per process: where the package lives does not move


def packs_root() -> Path:
    """The folder holding the shipped packs: inside the installed package, or the repo's."""
    if not _ROOT:
        installed = Path(__file__).resolve().parent.parent / "_packs"
        _ROOT.append(installed if installed.is_dir() else Path(__file__).resolve().parents[3] / "rules")
    return _ROOT[0]


def available_packs() -> list[RulePack]:
    """Every shipped pack, sorted by name."""
    root = packs_root()
    folders = sorted(p.parent for p in root.glob("*/pack.toml")) if root.is_dir() else []
    return [load_pack(folder) for folder in folders]


def default_pack() -> RulePack:
    return load_pack(DEFAULT_PACK)


def load_pack(name_or_path: str | Path) -> RulePack:
    """Load a shipped pack by name, or any pack folder by path (cached per process)."""
    return _load_folder(str(pack_folder(name_or_path)))


def pack_folder(name_or_path: str | Path) -> Path:
    """The folder of a pack given by path or shipped name, without loading it.

    A bare name (``article-2023``) always means the shipped pack, never a folder of that
    name in the current directory: a copied, edited pack must not pass for the real one.
    A folder is used only when given as a path (``./article-2023``, ``rules/x``, ``/…``).
    """
    try:
        return _pack_folder(name_or_path)
    except OSError as error:  # a name too long, a folder that may not be read
        raise RulePackError([f"{clip(str(name_or_path))}: cannot be read as a rule pack "
                             f"({error.strerror or error})"]) from error


#: A shipped pack's name → its resolved folder. The shipped folders live inside the
#: installed package and do not move within a process, so a library loop calling
#: ``evaluate()`` by name pays a dictionary lookup, not a ``realpath`` (~1 ms) per call.
_SHIPPED: BoundedCache[tuple[Path, str], Path] = BoundedCache(64)


def _pack_folder(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    path_like = isinstance(name_or_path, Path) or "/" in text or text.startswith(".")
    if not path_like:
        key = (packs_root(), text)
        known = _SHIPPED.get(key)
        if known is not None:
            return known
        return _SHIPPED.put(key, _resolve_folder(name_or_path, text, path_like=False))
    return _resolve_folder(name_or_path, text, path_like=True)


def _resolve_folder(name_or_path: str | Path, text: str, *, path_like: bool) -> Path:
    path = Path(name_or_path)
    # Given by path, a folder with any pack.toml is the pack: if that is a FIFO or a
    # link to a device, reading it says so, rather than "no rule pack by that name".
    if not path_like or not os.path.lexists(path / "pack.toml"):
        shipped = packs_root() / str(name_or_path)
        if not (shipped / "pack.toml").is_file():
            names = [p.parent.name for p in packs_root().glob("*/pack.toml")]
            hint = did_you_mean(str(name_or_path), names)
            local = "" if path_like or not (path / "pack.toml").is_file() else (
                f"; to use the folder here, give it as a path: ./{text}")
            raise RulePackError([f"{name_or_path}: no rule pack by that name or path{hint}; "
                                 f"shipped packs: {', '.join(sorted(names)) or 'none'}{local}"])
        path = shipped
    return path.resolve()


_LOADED: BoundedCache[str, RulePack] = BoundedCache(16)


def _load_folder(folder: str) -> RulePack:
    pack = _LOADED.get(folder)
    return pack if pack is not None else _LOADED.put(folder, PackReader(Path(folder)).read())


class PackReader:
    """Reads one pack folder, collecting every problem instead of stopping at the first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: PackFiles | None = None
        self.problems: list[str] = []
        # Options and rules that failed validation: later checks skip them rather than
        # repeating the same problem as "missing option" or "unknown rule" everywhere.
        self.broken_options: set[str] = set()
        self.broken_rules: set[str] = set()
        #: The bytes of every file read, by path in the folder: the pack's digest.
        self.contents: dict[str, bytes] = {}

    def read(self) -> RulePack:
        pack = self.read_lenient()
        if self.problems or pack is None:
            raise RulePackError(self.problems)
        return pack

    def read_lenient(self) -> RulePack | None:
        """Everything that could be read, with problems left in ``self.problems``.

        ``rules check`` uses this to go on analysing what is sound in a broken pack. A
        file that cannot be read safely (``files.py``) raises ``RulePackError`` at once.
        """
        self.files = PackFiles(self.folder)
        head = self._toml("pack.toml")
        info = self._model(PackInfo, head.get("pack", {}), "pack.toml", "[pack]")
        sources = [self._model(Source, raw, "pack.toml", f"source #{i + 1}")
                   for i, raw in enumerate(_list(head.get("sources")))]
        notes = [self._model(Note, raw, "pack.toml", rule_label(raw, i, "note"))
                 for i, raw in enumerate(_list(head.get("notes")))]
        shared = [self._model(Criterion, raw, "pack.toml", rule_label(raw, i, "criterion"))
                  for i, raw in enumerate(_list(head.get("criteria")))]
        self._unknown_keys(head, {"pack", "sources", "notes", "criteria"}, "pack.toml")
        parsed = [self._model(Option, data, rel, rule_label(data, 0, "option"))
                  for rel, data in self._each("options")]
        for rel, option in zip(self.files.members["options"], parsed, strict=True):
            self._check_size(rel, option)
        self._option_files(parsed)
        options = self._ordered(info, [o for o in parsed if o])
        cases = [self._case(raw, rel, i) for rel, data in self._each("cases")
                 for i, raw in enumerate(_list(data.get("cases")))]
        pack = RulePack(
            info=info or PackInfo.model_construct(),
            sources=tuple(s for s in sources if s), notes=tuple(n for n in notes if n),
            options=tuple(options), shared=tuple(c for c in shared if c),
            cases=tuple(c for c in cases if c), path=str(self.folder),
            digest=(digest := pack_digest(self.contents)),
            origin=origin_of(self.folder, packs_root(), digest))
        if info is None:
            return None
        self.problems.extend(pack_problems(pack, self.broken_options | self.broken_rules,
                                           self._rel_name))
        return stamp(pack)

    def _ordered(self, info: PackInfo | None, options: list[Option]) -> list[Option]:
        """Options in the order [pack] options lists them; every file listed, every listed file."""
        if info is None:
            return options
        by_id = {option.id: option for option in options}
        for missing in [name for name in info.options
                        if name not in by_id and name not in self.broken_options]:
            self.problems.append(f"{self._rel_name('pack.toml')}: [pack] options lists "
                                 f"'{missing}' but options/{missing}.toml does not define it"
                                 f"{did_you_mean(missing, by_id)}")
        for extra in [name for name in by_id if name not in info.options]:
            self.problems.append(f"{self._rel_name(f'options/{extra}.toml')}: option '{extra}' is "
                                 "not listed in [pack] options; add it there")
        return [by_id[name] for name in info.options if name in by_id]

    def _option_files(self, parsed: list[Option | None]) -> None:
        """Each option in ``options/<id>.toml``, and in one file only: a second file with
        the same id would otherwise replace the first without a word."""
        assert self.files is not None
        first: dict[str, str] = {}
        for rel, option in zip(self.files.members["options"], parsed, strict=True):
            if option is None:
                continue
            if rel != f"options/{option.id}.toml":
                self.problems.append(f"{self._rel_name(rel)}: option '{option.id}' must be in "
                                     f"options/{option.id}.toml; rename the file")
            if option.id in first:
                self.problems.append(f"{self._rel_name(rel)}: option '{option.id}' is already "
                                     f"defined in {self._rel_name(first[option.id])}; an "
                                     "option is defined in one file only")
            first.setdefault(option.id, rel)

    def _check_size(self, rel: str, option: Option | None) -> None:
        """Too many criteria is fatal: ``rules check`` would compare them pairwise for long."""
        count = len(option.uses) + len(option.criteria) if option is not None else 0
        if option is not None and count > MAX_CRITERIA_PER_OPTION:
            raise RulePackError([f"{self._rel_name(rel)}: option '{option.id}' has {count} "
                                 f"criteria, more than the {MAX_CRITERIA_PER_OPTION} an "
                                 "option may have"])

    # -- reading -----------------------------------------------------------------------

    def _each(self, sub: str) -> Iterator[tuple[str, dict[str, Any]]]:
        assert self.files is not None
        for rel in self.files.members[sub]:
            yield rel, self._toml(rel)

    def _toml(self, rel: str) -> dict[str, Any]:
        assert self.files is not None
        data = self.files.read(rel)
        if data is None:
            self.problems.append(f"{self._rel_name(rel)}: missing; a pack folder needs pack.toml")
            return {}
        self.contents[rel] = data
        try:
            return parse_toml(data, self._rel_name(rel))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            self.problems.append(f"{self._rel_name(rel)}: not valid TOML: {error}")
        except ValueError:  # tomllib's int(): more digits than Python converts
            self.problems.append(f"{self._rel_name(rel)}: a number with more digits than "
                                 f"{sys.get_int_max_str_digits()}; write a shorter one")
        return {}

    def _model(self, model: type[M], raw: object, rel: str, label: str) -> M | None:
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            self.problems.extend(f"{self._rel_name(rel)}: {line}"
                                 for line in validation_lines(model, raw, error, label))
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                if model is Option:
                    self.broken_options.add(raw["id"])
                elif model is Criterion:
                    self.broken_rules.add(raw["id"])
            return None

    def _case(self, raw: object, rel: str, index: int) -> WorkedCase | None:
        data = dict(raw) if isinstance(raw, dict) else raw
        if isinstance(data, dict):
            data["file"] = self._rel_name(rel)
        return self._model(WorkedCase, data, rel, rule_label(raw, index, "case", key="name"))

    # -- helpers -----------------------------------------------------------------------

    def _unknown_keys(self, data: dict[str, Any], allowed: set[str], rel: str) -> None:
        for key in sorted(set(data) - allowed):
            self.problems.append(f"{self._rel_name(rel)}: unknown table '{key}'{did_you_mean(key, allowed)}")

    def _rel_name(self, rel: str) -> str:
        return f"{self.folder.name}/{rel}"


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
