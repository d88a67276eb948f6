"""``eligibility evaluate`` and ``explain`` on FHIR input: a Bundle, a Bulk export (issue 14).

A record per Patient in input order, error records naming the FHIR element or the
unresolved reference, exit 1 when any; the same bytes for a Bundle and the same patients
as a Bulk export (``source`` apart), gzipped or split into several files per type, and
for ``--jobs 1`` and ``--jobs 2``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir_fixtures import (
    allergy,
    answer,
    bundle,
    condition,
    patient,
    valid_bundle,
    weight,
    write_bulk,
)

from eligibility.cli import main

AS_OF = ["--as-of", "2026-06-01"]


def population() -> dict[str, Any]:
    """Valid FHIR (the oracle checks), then one Patient whose birthDate is not a date."""
    value = dict(valid_bundle(bundle(
        patient("p1"), condition("c1", subject="urn:uuid:0001", severity="severe"),
        allergy("a1", subject="https://ehr.example.org/fhir/Patient/p1"),
        weight("w1", 88, "[lb_av]"), answer("o1", "topical-response", "inadequate"),
        patient("p2"),
        condition("c9", subject="Patient/ghost"),
        patient("p3", birth="2019"),
        weight("w3", 20, "lb", subject="Patient/p4"), patient("p4", birth="2015-02-01"),
        full_urls={"Patient/p1": "urn:uuid:0001"})))
    value["entry"][5]["resource"]["birthDate"] = "not-a-date"
    return value


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    code = main(["evaluate", *argv, "--format", "jsonl", "-q", *AS_OF])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def without_source(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in record.items() if key != "source"}
            for record in records]


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(population()))
    return path


def test_a_bundle_gives_a_record_per_patient_in_order(bundle_file: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, records = run([str(bundle_file)], capsys)
    assert code == 1
    assert [record["profile"] for record in records] == ["p1", "p2", "p3", "p4", "ghost"]
    first, bad_date, no_diagnosis, bad_unit, ghost = records
    assert first["source"].endswith("bundle.json:entry[0]")
    assert len(first["options"]) == 5 and "error" not in first
    assert bad_date["error"]["field"] == "Patient.birthDate"
    assert "not-a-date" in bad_date["error"]["message"]
    assert bad_unit["error"]["field"] == "Observation.valueQuantity.code"
    assert ghost["error"]["field"] == "Condition.subject"
    assert "Patient/ghost" in ghost["error"]["message"]
    assert "fhir.no_active_diagnosis" in [note["id"] for note in no_diagnosis["notes"]]
    assert all(option["status"] != "candidate" for option in no_diagnosis["options"])


@pytest.mark.parametrize(("parts", "gzipped"), [(1, ()), (3, ("Condition", "Patient"))])
def test_bulk_output_is_the_bundles_apart_from_source(
        bundle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], parts: int,
        gzipped: tuple[str, ...]) -> None:
    _, from_bundle = run([str(bundle_file)], capsys)
    folder = tmp_path / "export"
    folder.mkdir()
    write_bulk(population(), folder, parts=parts, gzipped=gzipped)
    code, from_bulk = run([str(folder)], capsys)
    assert code == 1
    assert without_source(from_bulk) == without_source(from_bundle)
    assert from_bulk[0]["source"].endswith(".ndjson:1") or ".ndjson.gz:1" in from_bulk[0]["source"]


def test_bulk_files_named_one_by_one_are_one_export(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    write_bulk(population(), tmp_path)
    _, together = run([str(tmp_path / "Condition.ndjson"), str(tmp_path / "Patient.ndjson"),
                       str(tmp_path / "Observation.ndjson"),
                       str(tmp_path / "AllergyIntolerance.ndjson")], capsys)
    assert [record["profile"] for record in together] == ["p1", "p2", "p3", "p4", "ghost"]


def test_jobs_do_not_change_a_byte(bundle_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["evaluate", str(bundle_file), "--format", "jsonl", "-q", *AS_OF])
    one = capsys.readouterr().out
    main(["evaluate", str(bundle_file), "--format", "jsonl", "-q", "--jobs", "2", *AS_OF])
    assert capsys.readouterr().out == one


def test_unreadable_bulk_lines_are_error_records(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Patient.ndjson").write_text(
        json.dumps(patient("p1")) + "\n{not json\n" + json.dumps({"id": "x"}) + "\n")
    code, records = run([str(tmp_path)], capsys)
    assert code == 1 and records[0]["profile"] == "p1"
    assert [record["source"].rpartition(":")[2] for record in records[1:]] == ["2", "3"]
    assert "invalid JSON" in records[1]["error"]["message"]


def test_a_bundle_past_the_limits_is_an_error_record(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(60):
        inner["extension"] = [{}]
        inner = inner["extension"][0]
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": patient() | deep}]}))
    code, [record] = run([str(path)], capsys)
    assert code == 1 and "nested deeper" in record["error"]["message"]


def test_a_json_resource_that_is_not_a_bundle(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(patient()))
    code, [record] = run([str(path)], capsys)
    assert code == 1 and record["error"]["field"] == "resourceType"


def test_profiles_still_read_as_profiles(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "one.json").write_text(json.dumps({"id": "x", "severity": "mild"}))
    code, [record] = run([str(tmp_path / "one.json")], capsys)
    assert code == 0 and record["profile"] == "x"


def test_explain_shows_where_each_value_came_from(bundle_file: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    main(["explain", str(bundle_file), "--option", "lebrikizumab", *AS_OF])
    out = capsys.readouterr().out
    assert "From: Condition/c1" in out and "From: Observation/w1" in out
    assert "From: Patient/p1" in out and "From: Observation/o1" in out
    assert "no active atopic dermatitis Condition was found" in out


def test_an_ndjson_line_past_the_limit_is_an_error_record_and_reading_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("eligibility.inputs.fhir.bulk.MAX_LINE_BYTES", 200)
    big = patient("p1") | {"name": [{"text": "x" * 300}]}
    (tmp_path / "Patient.ndjson").write_text(json.dumps(big) + "\n" + json.dumps(patient("p2")) + "\n")
    code, records = run([str(tmp_path)], capsys)
    assert code == 1 and records[0]["profile"] == "p2"
    assert "longer than 200 bytes" in records[1]["error"]["message"]


def test_a_bundle_with_too_many_entries_is_an_error_record(
        bundle_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("eligibility.inputs.fhir.reader.MAX_ENTRIES", 3)
    code, [record] = run([str(bundle_file)], capsys)
    assert code == 1 and record["error"]["field"] == "Bundle.entry"


@pytest.mark.parametrize(("day", "adult", "age"), [("2026-06-01", "not_met", 16),
                                                 ("2028-06-01", "met", 18)])
def test_as_of_is_the_day_fhir_ages_are_read_on_and_records_say_it(
        bundle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], day: str,
        adult: str, age: int) -> None:
    """p1 (born 2010-05-03) turns 18 on 2028-05-03: --as-of, not the clock, decides, for a
    Bundle and for a Bulk export alike, and every record says the date it was read on."""
    folder = tmp_path / "export"
    folder.mkdir()
    write_bulk(population(), folder)
    for path in (bundle_file, folder):
        main(["evaluate", str(path), "--format", "jsonl", "-q", "--rules", "article-2023",
              "--as-of", day])
        records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert {record.get("as_of") for record in records if "error" not in record} == {day}
        first = records[0]
        assert first["profile"] == "p1"
        assert first["criteria"]["tralokinumab.adult"]["outcome"] == adult
        assert first["age_used"]["from_months"] // 12 == age


def test_the_library_never_reads_the_clock_for_fhir(bundle_file: Path, tmp_path: Path) -> None:
    """Without as_of the FHIR readers give one error record naming as_of, not today's answer."""
    from eligibility.inputs.reader import expand_paths, read_records

    folder = tmp_path / "export"
    folder.mkdir()
    write_bulk(population(), folder)
    for path in (bundle_file, folder):
        [record] = list(read_records(expand_paths([str(path)])))
        assert record.error is not None and record.error.field == "as_of"
        assert "assessment date" in str(record.error)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_explain_as_data_carries_the_resources_and_the_readers_notes(
        bundle_file: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    """Each criterion of explain's JSON names the resources its values came from, as the
    text's 'From:' lines do; the FHIR notes follow the pack's, as in an evaluate record."""
    main(["explain", str(bundle_file), "--option", "lebrikizumab", "--format", fmt, *AS_OF])
    out = capsys.readouterr().out
    items = json.loads(out) if fmt == "json" else [json.loads(line) for line in out.splitlines()]
    first, _, no_diagnosis, *_ = items
    criteria = {c["criterion"]: c["from_resources"] for c in first["options"][0]["criteria"]}
    assert criteria == {"general.moderate_to_severe": ["Condition/c1"],
                        "general.other_treatment_failed": ["Observation/o1"],
                        "lebrikizumab.adolescent_or_adult": ["Patient/p1"],
                        "lebrikizumab.weight": ["Observation/w1"]}
    assert [note["id"] for note in no_diagnosis["notes"]][-1] == "fhir.no_active_diagnosis"
    assert all(not note["id"].startswith("fhir.") for note in first["notes"])
    main(["explain", str(bundle_file), "--option", "lebrikizumab", *AS_OF])
    text = capsys.readouterr().out
    for resources in criteria.values():
        assert f"From: {', '.join(resources)}" in text
