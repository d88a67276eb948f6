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

A pack says ``shipped`` only when its folder is one of the package's and its digest is
the one recorded for that pack in ``SHIPPED_DIGESTS`` (a test checks the record against
``rules/``), so a pack edited where the package is installed says ``folder``.

A ``RulePack`` is a pydantic model: ``model_copy(update=...)`` or ``model_validate`` can
make one with any content and the loader's ``digest`` and ``origin`` still in it. So the
loader stamps each pack it builds with a digest of its content (``content_digest``), and
``identified`` believes a pack's ``digest`` and ``origin`` only while that stamp still
matches; any other pack is a ``memory`` pack named by its content digest (equal content,
equal digest).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from eligibility.rulepack.model import Origin, RulePack

#: The digest of each shipped pack's files, by folder name (``tests/test_pack_identity.py``
#: checks it against ``rules/``: change it with the pack, in the same commit).
SHIPPED_DIGESTS: Mapping[str, str] = {
    "article-2023": "sha256:c3d1eb489a0b230cde38741d9470e2f6849835e11e267423d631c7de4f31e287",
    "us-labels-2026": "sha256:ccd039d5ed12ec36bc077228b714d9b18db9803247c355288c62372fc952e9eb",
}


def pack_digest(files: Mapping[str, bytes]) -> str:
    """``sha256:<hex>`` of a pack's files, keyed by their paths relative to the folder."""
    digest = hashlib.sha256()
    for path in sorted(files):
        data = files[path]
        digest.update(f"{path}\0{len(data)}\0".encode())
        digest.update(data)
    return f"sha256:{digest.hexdigest()}"


def origin_of(folder: Path, shipped_root: Path, digest: str) -> Origin:
    """``shipped`` for an unchanged pack directly inside the package's packs, else ``folder``."""
    inside = folder.resolve().parent == shipped_root.resolve()
    return "shipped" if inside and SHIPPED_DIGESTS.get(folder.name) == digest else "folder"


def content_digest(pack: RulePack) -> str:
    """``sha256:<hex>`` of a canonical JSON dump of the pack's content (not its identity)."""
    content = pack.model_dump(mode="json", exclude={"path", "digest", "origin"})
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"sha256:{hashlib.sha256(text.encode()).hexdigest()}"


def stamp(pack: RulePack) -> RulePack:
    """Mark ``pack`` as built by the loader from its files, as it is now."""
    pack._built = (content_digest(pack), pack.path, pack.digest, pack.origin)
    return pack


def identified(pack: RulePack) -> RulePack:
    """``pack`` if the loader built it as it is; else a copy saying ``memory`` and its content."""
    built = pack._built
    if built is not None and built[1:] == (pack.path, pack.digest, pack.origin) \
            and built[0] == content_digest(pack):
        return pack
    return pack.model_copy(update={"digest": content_digest(pack), "origin": "memory"})
