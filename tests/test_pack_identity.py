"""Every answer names its pack by content and origin: an edited copy never passes for the
shipped pack, whatever its pack.toml says."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, RULES

from eligibility import evaluate, load_pack
from eligibility.cli import main

TEEN = EXAMPLES / "teen-16-not-candidate-tralokinumab.json"


def _record(capsys: pytest.CaptureFixture[str], rules: str) -> dict[str, object]:
    assert main(["evaluate", str(TEEN), "--format", "jsonl", "--rules", rules]) == 0
    record: dict[str, object] = json.loads(capsys.readouterr().out)
    return record


def _digest_by_hand(folder: Path) -> str:
    """The documented digest, computed independently of the loader."""
    files = sorted([folder / "pack.toml", *folder.glob("options/*.toml"),
                    *folder.glob("cases/*.toml")], key=lambda p: p.relative_to(folder).as_posix())
    digest = hashlib.sha256()
    for path in files:
        data = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode() + data)
    return "sha256:" + digest.hexdigest()


def test_an_edited_copy_given_as_a_folder_never_looks_like_the_shipped_pack(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(RULES / "article-2023", copy)
    rule = copy / "options" / "tralokinumab.toml"
    rule.write_text(rule.read_text().replace('at_least = "18 years"', 'at_least = "16 years"'))
    monkeypatch.chdir(tmp_path)
    shipped = _record(capsys, "article-2023")["rule_pack"]
    edited = _record(capsys, "./copy")["rule_pack"]
    assert shipped == {"name": "article-2023", "version": "1.0.0", "as_of": "2023-01-01",
                       "digest": _digest_by_hand(RULES / "article-2023"), "origin": "shipped",
                       "folder": None, "newer": {"name": "us-labels-2026", "as_of": "2026-06-30"}}
    assert isinstance(edited, dict)
    assert (edited["name"], edited["version"]) == ("article-2023", "1.0.0")  # as the copy says
    assert edited["origin"] == "folder" and edited["folder"] == str(copy.resolve())
    assert edited["digest"] == _digest_by_hand(copy) != shipped["digest"]


def test_the_digest_is_the_content_and_the_origin_is_the_place(tmp_path: Path) -> None:
    copy = tmp_path / "same"
    shutil.copytree(RULES / "us-labels-2026", copy)
    shipped, copied = load_pack("us-labels-2026"), load_pack(copy)
    assert copied.digest == shipped.digest and len(shipped.digest) == len("sha256:") + 64
    assert (shipped.origin, copied.origin) == ("shipped", "folder")
    assert evaluate({}, rules=copy).rule_pack.folder == str(copy.resolve())
    assert evaluate({}, rules=shipped).rule_pack.folder is None
    other = tmp_path / "other"
    shutil.copytree(copy, other)
    (other / "cases" / "extra.toml").write_text("")  # every file the pack is read from counts
    assert load_pack(other).digest != shipped.digest


def test_shipped_packs_have_different_digests() -> None:
    assert load_pack("article-2023").digest != load_pack("us-labels-2026").digest


def test_the_output_schema_documents_pack_identity(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--output"]) == 0
    ref = json.loads(capsys.readouterr().out)["$defs"]["RulePackRef"]
    assert ref["required"] == ["name", "version", "as_of", "digest", "origin", "folder"]
    assert ref["properties"]["origin"]["enum"] == ["shipped", "folder"]
