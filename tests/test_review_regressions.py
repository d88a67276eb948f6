"""Regressions for defects a review found; each test failed before its fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES
from pydantic import TypeAdapter

from eligibility import ProfileError, evaluate
from eligibility.cli import main
from eligibility.model.profile import parse_profile
from eligibility.render.record import ErrorRecord, OutputRecord
from eligibility.rulepack import default_pack

TEEN = EXAMPLES / "teen-16-not-candidate-tralokinumab.json"


def _out(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


def test_a_pack_name_never_resolves_to_a_folder_in_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "article-2023"
    shutil.copytree(default_pack().path, copy)
    rule = copy / "options" / "tralokinumab.toml"
    rule.write_text(rule.read_text().replace('at_least = "18 years"', 'at_least = "12 years"'))
    monkeypatch.chdir(tmp_path)
    code, out = _out(capsys, ["evaluate", str(TEEN), "--format", "jsonl", "--rules", "article-2023"])
    statuses = {o["id"]: o["status"] for o in json.loads(out)["options"]}
    assert code == 0 and statuses["tralokinumab"] == "not_candidate"
    code, out = _out(capsys, ["evaluate", str(TEEN), "--format", "jsonl", "--rules", "./article-2023"])
    assert {o["id"]: o["status"] for o in json.loads(out)["options"]}["tralokinumab"] == "candidate"


def test_lone_surrogates_become_one_error_record_and_output_stays_utf8(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"id":"ok1"}\n{"id":"\\ud800"}\n{"\\ud800x":1}\n{"id":"\\udc80"}\n{"id":"ok2"}\n')
    code, out = _out(capsys, ["evaluate", str(path), "--format", "jsonl"])
    out.encode("utf-8")  # raises if anything unencodable was written
    records = [json.loads(line) for line in out.split("\n") if line]
    assert code == 1
    assert [("error" in r) for r in records] == [False, True, True, True, False]
    assert records[-1]["profile"] == "ok2"


def test_markup_in_ids_is_shown_literally_in_the_table(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"id":"ok1"}\n{"id":"bed [/b]"}\n{"id":"[red]x[/red] name"}\n')
    code, out = _out(capsys, ["evaluate", str(path), "--format", "table"])
    assert code == 0
    assert "bed [/b]" in out and "[red]x[/red] name" in out


def test_each_pack_keeps_its_own_notes_in_one_process(capsys: pytest.CaptureFixture[str]) -> None:
    by_pack = {}
    for pack in ("article-2023", "us-labels-2026", "article-2023"):
        _, out = _out(capsys, ["evaluate", str(TEEN), "--format", "jsonl", "--detail", "full",
                               "--rules", pack])
        record = json.loads(out)
        library = evaluate(json.loads(TEEN.read_text()), rules=pack).model_dump(mode="json")
        assert record["options"] == library["options"], pack
        by_pack.setdefault(pack, out)
        assert by_pack[pack] == out


@pytest.mark.parametrize("items", [[" "], ["N/A"], ["pollen", "unknown"], ["null"]])
def test_entries_meaning_nothing_are_rejected(items: list[str]) -> None:
    with pytest.raises(ProfileError, match=r"allergies\.\d"):
        evaluate({"allergies": items})


@pytest.mark.parametrize("items", [["none"], ["None"]])
def test_none_reads_as_none_known(items: list[str]) -> None:
    """Issue 11: "none" says exactly that no allergies are known: the list reads as []."""
    assert parse_profile({"allergies": items}).allergies in ([], ())


def test_weights_are_shown_as_given_and_compared_exactly() -> None:
    option = evaluate({"age_years": 30, "severity": "severe", "topical_response": "inadequate",
                       "weight_kg": 39.99999}, rules="us-labels-2026").option("lebrikizumab")
    assert option.status == "not_candidate"
    assert "39.99999" in option.counterfactuals[0].sentence
    heavy = evaluate({"age_years": 30, "severity": "severe", "topical_response": "inadequate",
                      "weight_kg": 40.0}, rules="us-labels-2026").option("lebrikizumab")
    assert heavy.status == "candidate"


def test_output_schema_validates_real_records(capsys: pytest.CaptureFixture[str]) -> None:
    from eligibility.render.brief import BriefRecord
    for detail, record in (("full", OutputRecord), ("brief", BriefRecord)):
        adapter = TypeAdapter(record | ErrorRecord)
        _, out = _out(capsys, ["evaluate", str(EXAMPLES / "invalid"), "--format", "jsonl",
                               "--detail", detail])
        for line in out.splitlines():
            adapter.validate_python(json.loads(line))


@pytest.mark.parametrize("argv", [[""], ["EMPTY"]])
def test_empty_paths_and_empty_folders_are_usage_errors(argv: list[str], tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(tmp_path) if arg == "EMPTY" else arg for arg in argv]
    assert main(["evaluate", *paths]) == 2
    assert "error" in capsys.readouterr().err


def test_upper_case_suffixes_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "P.JSON").write_text('{"id": "upper"}')
    code, out = _out(capsys, ["evaluate", str(tmp_path), "--format", "jsonl"])
    assert code == 0 and json.loads(out)["profile"] == "upper"


def test_changing_one_assessment_leaves_later_ones_whole() -> None:
    first = evaluate({"id": "a", "age_years": 30, "severity": "severe"})
    for shared in (first.notes, first.options[0].notes, first.options[1].counterfactuals):
        with pytest.raises(AttributeError):
            shared.clear()  # type: ignore[attr-defined]
    second = evaluate({"id": "b", "age_years": 30, "severity": "severe"})
    assert len(second.notes) == 5
    assert second.options[0].notes and second.options[1].counterfactuals


def test_record_text_follows_the_option_not_a_cached_frame() -> None:
    from eligibility.render.record import RecordWriter, reference_json
    writer = RecordWriter()
    assessment = evaluate({"age_years": 30})
    writer.record_json(assessment, "f:1")
    renamed = assessment.model_copy(update={"options": [
        assessment.options[0].model_copy(update={"name": "Renamed"}), *assessment.options[1:]]})
    assert writer.record_json(renamed, "f:2") == reference_json(renamed, "f:2")


def test_an_undecodable_file_name_is_shown_escaped(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import os
    name = os.fsdecode(bytes(tmp_path) + b"/p\xff.jsonl")
    with open(name, "w") as handle:
        handle.write('{"id": "x"}\n')
    code, out = _out(capsys, ["evaluate", str(tmp_path), "--format", "jsonl"])
    assert code == 0 and json.loads(out)["source"].endswith("p\\xff.jsonl:1")


def test_a_non_blocking_stdin_is_read_to_the_end() -> None:
    import os
    import threading
    import time

    from eligibility.inputs.jsonl import records as _records
    from eligibility.inputs.lines import fd_lines as _fd_lines
    from eligibility.inputs.reader import PAUSE
    read, write = os.pipe()
    os.set_blocking(read, False)

    def feed() -> None:
        for number in range(3):
            time.sleep(0.05)
            os.write(write, b'{"id": "n%d"}\n' % number)
        os.close(write)

    threading.Thread(target=feed).start()
    try:
        records = [r for r in _records(_fd_lines(read), "<stdin>") if r is not PAUSE]
    finally:
        os.close(read)
    assert [r.payload for r in records] == [{"id": "n0"}, {"id": "n1"}, {"id": "n2"}]
