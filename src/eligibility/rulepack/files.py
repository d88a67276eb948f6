"""Reading a pack's files as untrusted input: regular files inside the folder, bounded.

A pack given by path may have been written by someone else, so nothing in it is trusted
before it has been measured. Every file is looked at with ``stat`` first and never
opened unless it is a regular file (a FIFO would block the reader for ever, ``/dev/zero``
would fill memory); it must resolve inside the pack folder (no links out of it); sizes
and counts are checked before anything is parsed; and each TOML text is scanned for its
nesting before ``tomllib`` sees it, because the parser recurses once per level of
brackets (a ``RecursionError`` and a 3,000-line traceback) and takes quadratic time over
the parts of a dotted key.

The limits, each a ``RulePackError`` naming the file:

* ``MAX_FILE_BYTES``: 256 KiB per file (the shipped files are under 7 KB each);
* ``MAX_PACK_BYTES``: 1 MiB for all of a pack's files together (loads in about a second);
* ``MAX_FILES_PER_FOLDER``: 64 ``.toml`` files in ``options/`` and in ``cases/``;
* ``MAX_DEPTH``: 16 levels of nesting, the file itself being level 1 and each table,
  array or dotted-key part one more (the shipped files need 6);
* ``MAX_CRITERIA_PER_OPTION``: 32 criteria per option, its own and those it uses (the
  shipped options have 2 to 5): ``rules check`` compares them pairwise, and 64 options of
  64 criteria, which fit in 1 MiB, took 21 s to check.

Unlike a misspelt key, these are fatal at once: a pack that cannot be read safely is
not a pack, so ``rules check`` exits 2 on it, as it does for a folder that is no pack.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from eligibility.errors import RulePackError

MAX_FILE_BYTES = 256 * 1024
MAX_PACK_BYTES = 1024 * 1024
MAX_FILES_PER_FOLDER = 64
MAX_DEPTH = 16
MAX_CRITERIA_PER_OPTION = 32

#: The folders whose ``*.toml`` files belong to a pack, beside ``pack.toml``.
FOLDERS = ("options", "cases")

_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_CLOEXEC", 0))


class PackFiles:
    """The files of one pack folder: surveyed (and refused if hostile) when made.

    ``read`` then opens only what the survey accepted, again without following a link
    and without blocking, and reads at most the limit, so a file swapped or grown after
    the survey is still caught.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._root = os.path.realpath(folder)
        self._real: dict[str, str] = {}
        self._read_bytes = 0
        self.members: dict[str, list[str]] = {sub: self._list(sub) for sub in FOLDERS}
        total = 0
        for rel in ["pack.toml", *(rel for sub in FOLDERS for rel in self.members[sub])]:
            total += self._inspect(rel)
            if total > MAX_PACK_BYTES:
                raise RulePackError([f"{folder.name}: the pack's files hold more than the "
                                     f"{MAX_PACK_BYTES} bytes a pack may hold (reached at "
                                     f"{rel})"])

    def name(self, rel: str) -> str:
        """How messages name a file: the pack folder's name and the path inside it."""
        return f"{self.folder.name}/{rel}"

    def read(self, rel: str) -> bytes | None:
        """The bytes of ``rel``, or ``None`` when it does not exist (only ``pack.toml`` may not)."""
        real = self._real.get(rel)
        if real is None:
            return None
        try:
            handle = os.open(real, _OPEN_FLAGS)
        except OSError as error:
            raise self._fatal(rel, f"cannot be read ({error.strerror})") from None
        try:
            info = os.fstat(handle)
            self._check_kind(rel, info)
            self._check_size(rel, info.st_size)
            chunks: list[bytes] = []
            size = 0
            while size <= MAX_FILE_BYTES and (chunk := os.read(handle, 65536)):
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(handle)
        self._check_size(rel, size)
        self._read_bytes += size
        if self._read_bytes > MAX_PACK_BYTES:
            raise RulePackError([f"{self.folder.name}: the pack's files hold more than the "
                                 f"{MAX_PACK_BYTES} bytes a pack may hold"])
        return b"".join(chunks)

    # -- the survey ----------------------------------------------------------------------

    def _list(self, sub: str) -> list[str]:
        """``sub``'s ``*.toml`` names, sorted, as ``sub/name``; none when there is no folder."""
        path = self.folder / sub
        if os.path.islink(path) and not self._inside(os.path.realpath(path)):
            raise self._fatal(sub, "a link to somewhere outside the pack folder")
        if not path.is_dir():
            return []
        names: list[str] = []
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.name.endswith(".toml") and not entry.name.startswith("."):
                    names.append(entry.name)
                    if len(names) > MAX_FILES_PER_FOLDER:
                        raise self._fatal(sub, f"more than {MAX_FILES_PER_FOLDER} .toml files; "
                                               "a pack holds at most that many per folder")
        for name in names:
            if not name.isprintable():
                raise self._fatal(f"{sub}/{name!r}", "a file name with unprintable characters; "
                                                     "rename the file")
        return [f"{sub}/{name}" for name in sorted(names)]

    def _inspect(self, rel: str) -> int:
        """The size of ``rel`` once it is known to be a regular file inside the pack."""
        path = self.folder / rel
        if not os.path.lexists(path):
            return 0                                       # reported by the reader
        real = os.path.realpath(path)
        try:
            info = os.stat(real)
        except OSError as error:
            raise self._fatal(rel, f"cannot be read ({error.strerror})") from None
        self._check_kind(rel, info)
        if not self._inside(real):
            raise self._fatal(rel, "a link to somewhere outside the pack folder")
        self._check_size(rel, info.st_size)
        self._real[rel] = real
        return info.st_size

    def _inside(self, real: str) -> bool:
        return os.path.commonpath([self._root, real]) == self._root

    def _check_kind(self, rel: str, info: os.stat_result) -> None:
        if not stat.S_ISREG(info.st_mode):
            kind = next((text for test, text in _KINDS if test(info.st_mode)), "a special file")
            raise self._fatal(rel, f"not a regular file ({kind}); a pack holds regular files only")

    def _check_size(self, rel: str, size: int) -> None:
        if size > MAX_FILE_BYTES:
            raise self._fatal(rel, f"{size} bytes, more than the {MAX_FILE_BYTES} bytes a pack "
                                   "file may hold")

    def _fatal(self, rel: str, message: str) -> RulePackError:
        return RulePackError([f"{self.name(rel)}: {message}"])


# -- TOML -------------------------------------------------------------------------------

# Strings and comments (where brackets and dots mean nothing), then the characters that
# open or close a level, separate keys and values, or join the parts of a dotted key.
# A string's closing quotes are optional: each body can be matched one way only, so an
# unterminated string is taken whole at once (tomllib then refuses it) instead of being
# rescanned from every quote inside it, which took quadratic time ('x = "' + '\\"' * n).
_LEXEMES = re.compile(r'''
      "{3}(?:[^"\\]|\\[\s\S]|"{1,2}(?!"))*(?:"{3,5})?
    | '{3}(?:[^']|'{1,2}(?!'))*(?:'{3,5})?
    | "(?:[^"\\\n]|\\.)*"?
    | '[^'\n]*'?
    | \#[^\n]*
    | [\[\]{}=,.\n]
''', re.VERBOSE)


def parse_toml(data: bytes, where: str) -> dict[str, Any]:
    """The TOML document in ``data``, refused with a ``RulePackError`` if nested too deeply.

    Syntax and encoding errors propagate as ``tomllib.TOMLDecodeError`` and
    ``UnicodeDecodeError``: those are the author's to fix, reported with the others.
    """
    text = data.decode("utf-8")
    _scan_nesting(text, where)
    try:
        document = tomllib.loads(text)
    except RecursionError:
        raise RulePackError([f"{where}: nested too deeply to read"]) from None
    if _depth(document) > MAX_DEPTH:
        raise RulePackError([f"{where}: nested more than {MAX_DEPTH} levels deep"])
    return document


def _scan_nesting(text: str, where: str) -> None:
    """Refuse brackets or dotted keys deeper than ``MAX_DEPTH`` without parsing anything.

    A value holds at most one dot (``1.5``, a time's fraction), so more dots between two
    separators are the parts of a key or a table header.
    """
    depth = dots = 0
    line = 1
    for match in _LEXEMES.finditer(text):
        token = match.group()
        first = token[0]
        if first in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                break
        elif first in "]}":
            depth = max(depth - 1, 0)
        elif first == ".":
            dots += 1
            if dots >= MAX_DEPTH:
                break
            continue
        elif first == "\n":
            line += 1
        elif first in "\"'":
            line += token.count("\n")
            continue
        dots = 0
    else:
        return
    raise RulePackError([f"{where}: nested more than {MAX_DEPTH} levels deep (line {line})"])


def _depth(document: dict[str, Any]) -> int:
    """How deeply tables and arrays nest in a parsed document, counted without recursion."""
    deepest = 0
    pending: list[tuple[dict[str, Any] | list[Any], int]] = [(document, 1)]
    while pending:
        value, level = pending.pop()
        deepest = max(deepest, level)
        children = list(value.values()) if isinstance(value, dict) else value
        pending.extend((child, level + 1) for child in children
                       if isinstance(child, (dict, list)))
    return deepest
