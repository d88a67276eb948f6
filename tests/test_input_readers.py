"""The input-reader interface: one protocol, a module per format, chosen by what a file is.

A new format (FHIR Bundles next) is one module with one reader and one registration;
these tests add a toy format the same way and check that folder mode, explicit paths
and sniffing pick it up without any other change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from eligibility.cli import main
from eligibility.inputs import formats
from eligibility.inputs.base import InputRecord, Reader, Source
from eligibility.inputs.json_file import JsonFileReader
from eligibility.inputs.jsonl import JsonLinesReader
from eligibility.inputs.reader import expand_paths, read_records
from eligibility.inputs.stdin import StdinReader


@pytest.mark.parametrize("reader", [JsonFileReader(), JsonLinesReader(), StdinReader()])
def test_every_built_in_reader_is_a_reader_with_its_own_limit(reader: object) -> None:
    assert isinstance(reader, Reader)
    limits = [name for name in vars(type(reader)) if name.startswith("max_")]
    assert limits, f"{type(reader).__name__} declares no limit"


def test_the_built_in_suffixes_come_from_the_registry() -> None:
    assert formats.suffixes() == (".json", ".jsonl", ".csv", ".ndjson", ".ndjson.gz")


class BundleReader:
    """A toy 'bundle' format: a .json file with "resourceType": "Bundle", one record per entry."""

    suffixes = (".json",)

    def sniff(self, head: bytes) -> bool | None:
        return b'"resourceType": "Bundle"' in head

    def read(self, source: Source) -> Iterator[InputRecord]:
        bundle = json.loads(source.handle.read())
        for number, entry in enumerate(bundle["entry"], start=1):
            yield InputRecord(f"{source.name}#{number}", payload=entry["resource"])


class NdjsonReader(JsonLinesReader):
    """Another name for JSON Lines, to show a new suffix joins folder mode."""

    suffixes = (".ndjson",)


@pytest.fixture
def extra_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "_READERS", list(formats.readers()))
    formats.register(BundleReader())
    formats.register(NdjsonReader())


@pytest.mark.usefixtures("extra_formats")
def test_a_registered_reader_claims_files_by_content_and_by_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = {"resourceType": "Bundle", "entry": [{"resource": {"id": "b1"}},
                                                  {"resource": {"id": "b2", "age_years": 30}}]}
    (tmp_path / "a-bundle.json").write_text(json.dumps(bundle))
    (tmp_path / "b-plain.json").write_text('{"id": "plain"}')
    (tmp_path / "c.ndjson").write_text('{"id": "n1"}\n{"id": "n2"}\n')
    (tmp_path / "d.txt").write_text("not read")
    files = expand_paths([str(tmp_path)])
    assert [Path(name).name for name in files] == ["a-bundle.json", "b-plain.json", "c.ndjson"]
    records = list(read_records(files))
    assert [record.payload["id"] for record in records] == ["b1", "b2", "plain", "n1", "n2"]
    assert records[0].source.endswith("a-bundle.json#1")
    code = main(["evaluate", str(tmp_path / "c.ndjson"), "--format", "jsonl"])
    assert code == 0 and [json.loads(line)["profile"] for line in
                          capsys.readouterr().out.splitlines()] == ["n1", "n2"]


def test_a_file_no_reader_claims_is_refused_by_name(tmp_path: Path) -> None:
    from eligibility.inputs.reader import InputError
    (tmp_path / "p.xml").write_text("<Bundle/>\n")
    with pytest.raises(InputError, match=r"not a \.json, \.jsonl, \.csv, \.ndjson or \.ndjson\.gz file"):
        expand_paths([str(tmp_path / "p.xml")])
