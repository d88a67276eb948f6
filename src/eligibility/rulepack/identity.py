"""Which pack an answer came from: a digest of the pack's files and where it was found.

The name and version in ``pack.toml`` are only what its author wrote: a copy of a shipped
pack with one age changed says ``article-2023 1.0.0`` too. So every answer also carries
the pack's content digest and its origin (``shipped`` with the package, or a ``folder``
given by path), and an edited copy can never be mistaken for the shipped pack.

The digest is SHA-256 over exactly the bytes the loader parsed: for each file, in order
of its path relative to the pack folder (``/`` between parts, sorted by code point)::

    <path> NUL <size in bytes, decimal> NUL <the file's bytes>

written ``sha256:<64 hex digits>``. It depends on nothing but the files, so anyone can
recompute it from a pack folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from eligibility.rulepack.model import Origin


def pack_digest(files: Mapping[str, bytes]) -> str:
    """``sha256:<hex>`` of a pack's files, keyed by their paths relative to the folder."""
    digest = hashlib.sha256()
    for path in sorted(files):
        data = files[path]
        digest.update(f"{path}\0{len(data)}\0".encode())
        digest.update(data)
    return f"sha256:{digest.hexdigest()}"


def origin_of(folder: Path, shipped_root: Path) -> Origin:
    """``shipped`` for a pack folder directly inside the package's packs, else ``folder``."""
    return "shipped" if folder.resolve().parent == shipped_root.resolve() else "folder"
