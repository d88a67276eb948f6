"""The seams between layers: typed views, one format registry, usage errors mapped once,
packs checked without running the engine in ``rulepack/``."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import pytest
from conftest import EXAMPLES
from rich.console import Console

import eligibility.render.formats as formats
import eligibility.render.wire as wire
import eligibility.services.batch as batch
from eligibility import evaluate, load_pack
from eligibility.cli import evaluate_cmd, main
from eligibility.errors import EligibilityError, ProfileError, UsageError
from eligibility.render.table import AssessmentTable, error_line, footer
from eligibility.render.wire import Evaluated, decode, encode, failure
from eligibility.rulepack.check import read_and_analyse
from eligibility.services.pack_check import check_pack
from eligibility.services.pack_diff import diff_report
from eligibility.services.request import chosen_pack, input_files, option_ids

TEEN = {"id": "teen", "age_years": 16, "severity": "severe", "topical_response": "inadequate"}
BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken_packs"


def _text(renderable: Any, *, terminal: bool = False) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=80, force_terminal=terminal, color_system=None).print(renderable)
    return buffer.getvalue()


# -- usage errors -----------------------------------------------------------------------


def test_usage_problems_are_usage_errors_where_they_are_found() -> None:
    assert issubclass(UsageError, EligibilityError)
    with pytest.raises(UsageError, match="'no-such' cannot be used:\nno-such: no rule pack"):
        chosen_pack("no-such", None)
    with pytest.raises(UsageError, match=r"nope\.json: no such file or folder"):
        input_files(["nope.json"])
    with pytest.raises(UsageError, match=r"no option 'tralokinumb' \(did you mean 'tralokinumab'"):
        option_ids(load_pack("article-2023"), ["tralokinumb"])
    with pytest.raises(UsageError, match=r"no output format 'tabel' \(did you mean 'table'"):
        formats.output_format("tabel")
    with pytest.raises(UsageError, match=r"nope\.json"):
        diff_report(load_pack("article-2023"), load_pack("us-labels-2026"), ["nope.json"])


def test_main_maps_a_usage_error_from_anywhere_to_exit_2(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def deep(args: object) -> int:
        raise UsageError("what was wrong; what would work")
    monkeypatch.setattr(evaluate_cmd, "run", deep)
    assert main(["evaluate", str(EXAMPLES)]) == 2
    assert capsys.readouterr() == ("", "eligibility: error: what was wrong; what would work\n")


# -- typed views ------------------------------------------------------------------------


def test_table_view_takes_an_assessment_and_fits_the_console() -> None:
    view = AssessmentTable(evaluate(TEEN), "teen.json:1")
    plain, boxed = _text(view), _text(view, terminal=True)
    assert plain.startswith("teen  (teen.json:1)")
    assert "Adbry (tralokinumab)" in plain and "not a candidate" in plain
    assert boxed == plain  # one box style on a terminal and piped (colour is off here)


def test_error_line_and_footer_take_typed_records() -> None:
    record = failure("a.jsonl:3", ProfileError("bad age", field="age_years"), profile_id=None)
    assert _text(error_line(record)) == "a.jsonl:3: error: bad age [field: age_years]\n"
    assert _text(footer(None)) == ""
    assert _text(footer(evaluate(TEEN))).startswith("Rule pack article-2023 1.0.0 (knowledge")


def test_human_views_never_parse_records_back(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a view parsed a JSON record back")
    monkeypatch.setattr(wire.EncodedRecord, "data", refuse)
    monkeypatch.setattr(wire, "decode", refuse)
    monkeypatch.setattr(batch, "decode", refuse)
    files = [str(EXAMPLES), str(EXAMPLES / "invalid")]
    assert main(["evaluate", *files, "--format", "table"]) == 1
    assert main(["explain", *files]) == 1
    out = capsys.readouterr().out
    assert "not a candidate" in out and "[field: age_years]" in out


def test_table_from_worker_processes_is_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(EXAMPLES), str(EXAMPLES / "invalid")]
    main(["evaluate", *files, "--format", "table", "--jobs", "1"])
    one = capsys.readouterr().out
    main(["evaluate", *files, "--format", "table", "--jobs", "2"])
    assert capsys.readouterr().out == one


def test_an_outcome_survives_encoding() -> None:
    evaluated = Evaluated("x.json:1", evaluate(TEEN))
    assert decode(encode(evaluated)) == evaluated
    anonymous = Evaluated("y.json:1", evaluate({"age_years": 3}))
    assert decode(encode(anonymous)) == anonymous
    error = failure("z:1", ProfileError("bad \ud800 text", field="id", suggestion="fix"), "z")
    line = encode(error)
    assert "\\ud800" in line.line and not line.ok
    assert decode(line) == error


# -- the format registry ----------------------------------------------------------------


def test_every_format_a_command_offers_is_registered() -> None:
    from eligibility.cli import explain_cmd
    for name in (*evaluate_cmd.FORMATS, *explain_cmd.FORMATS):
        assert formats.output_format(name).name == name
    with pytest.raises(ValueError, match="already registered"):
        formats.register_format("json", reads="chunks")(formats.output_format("json").write)


def test_a_new_format_is_one_registration(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(formats, "_FORMATS", dict(formats._FORMATS))
    monkeypatch.setattr(evaluate_cmd, "FORMATS", (*evaluate_cmd.FORMATS, "count"))

    @formats.register_format("count", reads="outcomes")
    def count(outcomes: Iterable[Any], out: TextIO, view: formats.View) -> bool:
        statuses = [o.assessment.option("dupilumab").status for o in outcomes
                    if isinstance(o, Evaluated)]
        out.write(f"{statuses.count('candidate')} of {len(statuses)}\n")
        return True

    assert main(["evaluate", str(EXAMPLES / "clinic-batch-all-statuses.jsonl"),
                 "--format", "count"]) == 0
    assert capsys.readouterr().out == "2 of 4\n"


def test_explain_json_keeps_the_evaluate_record_s_words(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "zoe.json"
    path.write_text(json.dumps({**TEEN, "id": "Zoë"}), encoding="utf-8")
    main(["evaluate", str(path), "--format", "json"])
    [record] = json.loads(capsys.readouterr().out)
    main(["explain", str(path), "--format", "json", "--option", "tralokinumab"])
    out = capsys.readouterr().out
    assert '"profile":"Zoë"' in out  # not re-escaped
    [explained] = json.loads(out)
    [option] = [o for o in record["options"] if o["id"] == "tralokinumab"]
    [long_form] = explained["options"]
    assert [c["criterion"] for c in long_form["criteria"]] == [
        r["criterion"] for r in option["reasons"]]
    assert [c["change"] for c in long_form["changes"]] == option["counterfactuals"]


# -- pack checks -------------------------------------------------------------------------


def test_reading_a_pack_runs_no_case_and_the_service_runs_them() -> None:
    static = read_and_analyse(BROKEN / "case_mismatch")
    assert static.ok and static.cases_run == 0
    report = check_pack(BROKEN / "case_mismatch")
    assert [problem.kind for problem in report.problems] == ["case_mismatch"]
    assert report.cases_run == 1
