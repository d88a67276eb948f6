"""The user's own default pack, set once: ``ELIGIBILITY_RULES`` or a config file.

The shipped default (``article-2023``) stays the default so that an upgrade never changes
answers silently; a user who wants other knowledge says so once instead of on every
command. Where the choice comes from, first found wins:

1. the environment variable ``ELIGIBILITY_RULES`` (empty counts as unset);
2. ``$XDG_CONFIG_HOME/eligibility/config.toml`` (``~/.config/eligibility/config.toml``
   when ``XDG_CONFIG_HOME`` is unset or not absolute), its ``[defaults] rules = "…"``;
3. the shipped default.

The value is a shipped pack's name or a pack folder's path (a relative path in the config
file is relative to the file's folder). It is read when a default is resolved, by the
command line and by the library's ``evaluate()`` called without ``rules=``, never inside
the engine; an unusable value is a ``RulePackError`` naming where it came from. The file
is parsed again only when it changes (its stat), so a library loop pays a ``stat``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from eligibility.errors import RulePackError
from eligibility.rulepack.loader import DEFAULT_PACK, load_pack
from eligibility.rulepack.model import RulePack

ENV_VAR = "ELIGIBILITY_RULES"
#: Bigger than any sensible config file; a larger one is refused rather than read.
MAX_CONFIG_BYTES = 64 * 1024


@dataclass(frozen=True)
class DefaultRules:
    """The default pack (a name or a path) and where that choice was made, in words."""

    rules: str
    origin: str

    def load(self) -> RulePack:
        """The pack itself; a ``RulePackError`` naming ``origin`` when it cannot be used."""
        try:
            return load_pack(self.rules)
        except RulePackError as error:
            raise self.error(error) from error

    def error(self, error: RulePackError) -> RulePackError:
        return RulePackError([f"default rule pack {self.rules!r} from {self.origin} cannot be "
                              "used:", *error.problems])


#: (XDG_CONFIG_HOME, HOME) → the config file's path: this runs on every library call
#: without ``rules=``, and building it costs more than the ``stat`` that follows.
_WHERE: dict[tuple[str, str], Path] = {}


def config_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the config file is looked for (it need not exist)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME", "")
    key = (base, env.get("HOME", ""))
    found = _WHERE.get(key)
    if found is None:
        root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
        found = root / "eligibility" / "config.toml"
        if len(_WHERE) > 16:
            _WHERE.clear()
        _WHERE[key] = found
    return found


_PARSED: dict[tuple[str, int, int, int], str | None] = {}


#: Where the default comes from when the user set none.
SHIPPED = "the shipped default"


def default_rules(environ: Mapping[str, str] | None = None) -> DefaultRules:
    """The user's default pack and where it is set (module docstring for the order)."""
    env = os.environ if environ is None else environ
    value = env.get(ENV_VAR, "")
    if value:
        return DefaultRules(value, f"the environment variable {ENV_VAR}")
    path = config_file(env)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return DefaultRules(DEFAULT_PACK, SHIPPED)
    except OSError as error:
        raise RulePackError([f"{path}: config file cannot be read: {error.strerror}"]) from None
    key = (str(path), info.st_mtime_ns, info.st_size, info.st_ino)
    if key not in _PARSED:
        _PARSED.clear()
        _PARSED[key] = _read_config(path)
    rules = _PARSED[key]
    if rules is None:
        return DefaultRules(DEFAULT_PACK, SHIPPED)
    if "/" in rules or rules.startswith("."):  # a path: relative to the file's folder
        rules = str(path.parent / Path(rules).expanduser())
    return DefaultRules(rules, f"the config file {path} ([defaults] rules)")


def _read_config(path: Path) -> str | None:
    """``[defaults] rules`` of the config file, or None when the file does not set it."""
    if not path.is_file():
        raise RulePackError([f"{path}: config file is not a regular file"])
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise RulePackError([f"{path}: config file cannot be read: {error.strerror}"]) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise RulePackError([f"{path}: config file is larger than {MAX_CONFIG_BYTES} bytes"])
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RulePackError([f"{path}: config file is not valid TOML: {error}"]) from None
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise RulePackError([f"{path}: 'defaults' must be a table: [defaults]"])
    rules = defaults.get("rules")
    if rules is None:
        return None
    if not isinstance(rules, str) or not rules.strip():
        raise RulePackError([f"{path}: [defaults] rules must be a pack name or folder path in "
                             f"quotes, e.g. rules = \"{DEFAULT_PACK}\""])
    return rules


def default_pack(environ: Mapping[str, str] | None = None) -> RulePack:
    """The user's default pack, loaded (``RulePackError`` naming where it was set)."""
    return default_rules(environ).load()
