"""Finding and loading rule packs from TOML files.

A pack is a folder::

    pack.toml          [pack] name, version, as_of; [[sources]]; [[notes]]; [[criteria]] shared
    options/*.toml     one option each: id, name, kind, uses = [shared ids], [[criteria]]
    cases/*.toml       [[cases]] worked cases: a profile and the expected status per option

Every problem found is collected and raised together as one ``RulePackError`` whose lines
name the file and the rule id, so a pack author fixes them in one pass.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from eligibility.cache import BoundedCache
from eligibility.errors import RulePackError
from eligibility.rulepack.identity import origin_of, pack_digest
from eligibility.rulepack.model import Criterion, Note, Option, PackInfo, RulePack, Source, WorkedCase
from eligibility.rulepack.semantics import criterion_problems
from eligibility.suggest import did_you_mean

DEFAULT_PACK = "article-2023"
M = TypeVar("M", bound=BaseModel)


def packs_root() -> Path:
    """The folder holding the shipped packs: inside the installed package, or the repo's."""
    installed = Path(__file__).resolve().parent.parent / "_packs"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[3] / "rules"


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
    text = str(name_or_path)
    path_like = isinstance(name_or_path, Path) or "/" in text or text.startswith(".")
    path = Path(name_or_path)
    if not path_like or not (path / "pack.toml").is_file():
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
        self.problems: list[str] = []
        # Options whose file failed validation: later checks skip them rather than
        # repeating the same problem as "missing option" everywhere.
        self.broken_options: set[str] = set()
        #: The bytes of every file read, by path in the folder: the pack's digest.
        self.files: dict[str, bytes] = {}

    def read(self) -> RulePack:
        pack = self.read_lenient()
        if self.problems or pack is None:
            raise RulePackError(self.problems)
        return pack

    def read_lenient(self) -> RulePack | None:
        """Everything that could be read, with problems left in ``self.problems``.

        ``rules check`` uses this to go on analysing what is sound in a broken pack.
        """
        head = self._toml(self.folder / "pack.toml")
        info = self._model(PackInfo, head.get("pack", {}), "pack.toml", "[pack]")
        sources = [self._model(Source, raw, "pack.toml", f"source #{i + 1}")
                   for i, raw in enumerate(_list(head.get("sources")))]
        notes = [self._model(Note, raw, "pack.toml", _rule_label(raw, i, "note"))
                 for i, raw in enumerate(_list(head.get("notes")))]
        shared = [self._model(Criterion, raw, "pack.toml", _rule_label(raw, i, "criterion"))
                  for i, raw in enumerate(_list(head.get("criteria")))]
        self._unknown_keys(head, {"pack", "sources", "notes", "criteria"}, "pack.toml")
        parsed = [self._model(Option, data, rel, _rule_label(data, 0, "option"))
                  for rel, data in self._each("options")]
        options = self._ordered(info, [o for o in parsed if o])
        cases = [self._case(raw, rel, i) for rel, data in self._each("cases")
                 for i, raw in enumerate(_list(data.get("cases")))]
        pack = RulePack(
            info=info or PackInfo.model_construct(),
            sources=tuple(s for s in sources if s), notes=tuple(n for n in notes if n),
            options=tuple(options), shared=tuple(c for c in shared if c),
            cases=tuple(c for c in cases if c), path=str(self.folder),
            digest=pack_digest(self.files), origin=origin_of(self.folder, packs_root()))
        if info is None:
            return None
        self._check(pack)
        return pack

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

    # -- reading -----------------------------------------------------------------------

    def _each(self, sub: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for path in sorted((self.folder / sub).glob("*.toml")):
            yield f"{sub}/{path.name}", self._toml(path)

    def _toml(self, path: Path) -> dict[str, Any]:
        rel = self._rel(path)
        try:
            with path.open("rb") as handle:
                data = handle.read()
            self.files[path.relative_to(self.folder).as_posix()] = data
            return tomllib.loads(data.decode())
        except FileNotFoundError:
            self.problems.append(f"{rel}: missing; a pack folder needs pack.toml")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            self.problems.append(f"{rel}: not valid TOML: {error}")
        return {}

    def _model(self, model: type[M], raw: object, rel: str, label: str) -> M | None:
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            for item in error.errors(include_url=False):
                loc = tuple(item["loc"])
                where_label, loc = _label_for(raw, loc, label)
                where = ".".join(str(part) for part in loc)
                message = item["msg"].removeprefix("Value error, ")
                if item["type"] == "literal_error" and isinstance(item.get("input"), str):
                    allowed = re.findall(r"'([^']*)'", str(item.get("ctx", {}).get("expected")))
                    message += did_you_mean(item["input"], allowed)
                if item["type"] == "extra_forbidden":
                    key = str(item["loc"][-1])
                    known = _known_keys(model, tuple(item["loc"][:-1]))
                    message = f"unknown key '{key}'{did_you_mean(key, known)}"
                    where = ".".join(str(part) for part in loc[:-1])
                self.problems.append(f"{self._rel_name(rel)}: {where_label}: "
                                     f"{where + ': ' if where else ''}{message}")
            if model is Option and isinstance(raw, dict) and isinstance(raw.get("id"), str):
                self.broken_options.add(raw["id"])
            return None

    def _case(self, raw: object, rel: str, index: int) -> WorkedCase | None:
        data = dict(raw) if isinstance(raw, dict) else raw
        if isinstance(data, dict):
            data["file"] = self._rel_name(rel)
        return self._model(WorkedCase, data, rel, _rule_label(raw, index, "case", key="name"))

    # -- cross-file checks -------------------------------------------------------------

    def _check(self, pack: RulePack) -> None:
        where = self._rel_name
        shared_ids = {c.id for c in pack.shared}
        for criterion in pack.shared:
            self.problems.extend(f"{where('pack.toml')}: {p}" for p in criterion_problems(criterion))
        for option in pack.options:
            rel = where(f"options/{option.id}.toml")
            for criterion in option.criteria:
                self.problems.extend(f"{rel}: {p}" for p in criterion_problems(criterion))
                if not criterion.id.startswith(option.id + "."):
                    self.problems.append(f"{rel}: rule '{criterion.id}': an option's own rule ids "
                                         f"start with '{option.id}.'")
            for used in option.uses:
                if used not in shared_ids:
                    self.problems.append(f"{rel}: option '{option.id}' uses unknown rule "
                                         f"'{used}'{did_you_mean(used, shared_ids)}")
            if set(option.uses) <= shared_ids and not pack.criteria_of(option):
                self.problems.append(f"{rel}: option '{option.id}' has no criteria, so every "
                                     "profile would be a candidate")
        self._duplicates(pack)
        self._check_cases(pack)

    def _duplicates(self, pack: RulePack) -> None:
        files: dict[str, list[str]] = {}
        located = [("pack.toml", rule_id)
                   for rule_id in [*(c.id for c in pack.shared), *(n.id for n in pack.notes)]]
        for option in pack.options:
            located += [(f"options/{option.id}.toml", rule_id) for rule_id in
                        [*(c.id for c in option.criteria), *(n.id for n in option.notes)]]
        for file, rule_id in located:
            files.setdefault(rule_id, []).append(file)
        for rule_id, where in sorted(files.items()):
            if len(where) > 1:
                self.problems.append(f"{self._rel_name(where[-1])}: rule '{rule_id}': id used "
                                     f"{len(where)} times ({', '.join(dict.fromkeys(where))}); "
                                     "rule ids must be unique in a pack")
        for option_id, count in sorted(Counter(o.id for o in pack.options).items()):
            if count > 1:
                self.problems.append(f"{self._rel_name('options')}: option '{option_id}' defined "
                                     f"{count} times")
        for name, count in sorted(Counter(c.name for c in pack.cases).items()):
            if count > 1:
                self.problems.append(f"{self._rel_name('cases')}: case '{name}' defined {count} times")

    def _check_cases(self, pack: RulePack) -> None:
        from eligibility.model.profile import parse_profile  # local: profile errors are only formatted here
        option_ids = [o.id for o in pack.options]
        for case in pack.cases:
            label = f"{case.file}: case '{case.name}'"
            try:
                parse_profile(case.profile)
            except Exception as error:
                self.problems.append(f"{label}: invalid profile: {error}")
            for option_id in case.expect:
                if option_id in self.broken_options:
                    continue
                if option_id not in option_ids:
                    self.problems.append(f"{label}: unknown option '{option_id}'"
                                         f"{did_you_mean(option_id, option_ids)}")
                    continue
                known = {c.id for c in pack.criteria_of(pack.option(option_id))}
                expectation = case.expectation(option_id)
                named = (expectation.met + expectation.not_met + expectation.unknown) if expectation else []
                for rule_id in named:
                    if rule_id not in known:
                        self.problems.append(f"{label}: option '{option_id}' has no criterion "
                                             f"'{rule_id}'{did_you_mean(rule_id, known)}")

    # -- helpers -----------------------------------------------------------------------

    def _unknown_keys(self, data: dict[str, Any], allowed: set[str], rel: str) -> None:
        for key in sorted(set(data) - allowed):
            self.problems.append(f"{self._rel_name(rel)}: unknown table '{key}'{did_you_mean(key, allowed)}")

    def _rel(self, path: Path) -> str:
        return self._rel_name(str(path.relative_to(self.folder)))

    def _rel_name(self, rel: str) -> str:
        return f"{self.folder.name}/{rel}"


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _rule_label(raw: object, index: int, what: str, key: str = "id") -> str:
    if isinstance(raw, dict) and isinstance(raw.get(key), str):
        noun = {"case": "case", "option": "option"}.get(what, "rule")
        return f"{noun} '{raw[key]}'"
    return f"{what} #{index + 1}"


def _label_for(raw: object, loc: tuple[int | str, ...],
               label: str) -> tuple[str, tuple[int | str, ...]]:
    """Name the innermost rule an error sits in: 'rule 'x.y'' beats 'option 'x''."""
    if (len(loc) >= 2 and loc[0] in ("criteria", "notes") and isinstance(loc[1], int)
            and isinstance(raw, dict)):
        items = raw.get(str(loc[0]))
        if isinstance(items, list) and loc[1] < len(items):
            inner = items[loc[1]]
            if isinstance(inner, dict) and isinstance(inner.get("id"), str):
                return f"rule '{inner['id']}'", loc[2:]
    return label, loc


def _known_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed at ``loc`` inside ``model``, for "did you mean" hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
