"""``--as-of DATE`` on the command line: the date the assessment is for (issue 11, "Ages").

On main before this, ``--as-of`` only picked a pack (and argparse refused it beside
``--rules``), never reached the profiles, so a ``birth_date`` failed with "birth_date
needs the date of the assessment" whatever was given; without ``--as-of`` it failed too.
Now the CLI passes the date (``--as-of``, else today, read in the CLI alone) to every
path: one process and ``--jobs N``, the fast pipeline and the per-record path, brief and
full records, every input format, and ``explain``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from eligibility import evaluate
from eligibility.cli import main

JUNE = dt.date(2026, 6, 1)
BORN_2008 = {"id": "a", "birth_date": "2008", "severity": "severe",
             "topical_response": "inadequate", "systemic_response": "inadequate"}
#: Born "2008", on 2026-06-01: 17 years 5 months 1 day (born 31 December) to 18 years
#: 5 months (born 1 January), so "18 years or older" is unknown.
SPAN = "between 17 years 5 months 1 day and 18 years 5 months"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]], str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines() if line], captured.err


def _profiles(tmp_path: Path, *profiles: dict[str, Any]) -> str:
    path = tmp_path / "profiles.jsonl"
    path.write_text("".join(json.dumps(profile) + "\n" for profile in profiles))
    return str(path)


def _adult(record: dict[str, Any]) -> dict[str, Any]:
    """The tralokinumab 18-or-older criterion of a brief or full record."""
    if "criteria" in record:
        return dict(record["criteria"]["tralokinumab.adult"])
    (option,) = [option for option in record["options"] if option["id"] == "tralokinumab"]
    (reason,) = [r for r in option["reasons"] if r["criterion"] == "tralokinumab.adult"]
    return dict(reason)


@pytest.mark.parametrize("command", ["evaluate", "explain"])
def test_as_of_goes_with_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               command: str) -> None:
    path = _profiles(tmp_path, BORN_2008)
    code, records, err = _run(capsys, command, path, "--rules", "article-2023",
                              "--as-of", "2026-06-01", "--format", "jsonl")
    assert code == 0, err
    (record,) = records
    assert "error" not in record
    if command == "evaluate":
        assert _adult(record)["outcome"] == "unknown"
        assert _adult(record)["patient_value"] == SPAN


def test_as_of_without_rules_still_picks_the_pack_by_date(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _profiles(tmp_path, {"age_years": 30})
    _, (early,), _ = _run(capsys, "evaluate", path, "--as-of", "2026-06-01", "--format", "jsonl")
    _, (late,), _ = _run(capsys, "evaluate", path, "--as-of", "2026-07-01", "--format", "jsonl")
    assert early["rule_pack"]["name"] == "article-2023"
    assert late["rule_pack"]["name"] == "us-labels-2026"
    # With --rules, --as-of is the assessment date alone: a date before the pack's own
    # knowledge is no reason to refuse it.
    code, (chosen,), err = _run(capsys, "evaluate", path, "--rules", "us-labels-2026",
                                "--as-of", "2024-01-01", "--format", "jsonl")
    assert code == 0, err
    assert chosen["rule_pack"]["name"] == "us-labels-2026"


@pytest.mark.parametrize("detail", ["brief", "full"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_birth_date_is_read_on_as_of_on_every_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], detail: str, jobs: str) -> None:
    # Many copies (the pipeline's memo), one other profile, and a bad one (per-record path).
    profiles = [BORN_2008] * 300 + [{**BORN_2008, "id": "b", "birth_date": "2008-06-01"},
                                    {**BORN_2008, "id": "c", "birth_date": "2027"}]
    path = _profiles(tmp_path, *profiles)
    code, records, _ = _run(capsys, "evaluate", path, "--as-of", "2026-06-01", "--rules",
                            "article-2023", "--format", "jsonl", "--detail", detail,
                            "--jobs", jobs)
    assert code == 1  # the one born after the date
    assert [_adult(record)["outcome"] for record in records[:301]] == ["unknown"] * 300 + ["met"]
    assert _adult(records[0])["patient_value"] == SPAN
    assert "after the assessment date 2026-06-01" in records[-1]["error"]["message"]


def test_every_input_format_and_explain_reach_the_date(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    expected = evaluate(BORN_2008, rules="article-2023", as_of=JUNE)
    wanted = {option.id: option.status for option in expected.options}
    single = tmp_path / "one.json"
    single.write_text(json.dumps(BORN_2008))
    table = tmp_path / "table.csv"
    table.write_text(",".join(BORN_2008) + "\n" + ",".join(BORN_2008.values()) + "\n")
    for path in (str(single), str(table)):
        code = main(["evaluate", path, "--as-of", "2026-06-01", "--rules", "article-2023",
                     "--format", "json"])
        data = json.loads(capsys.readouterr().out)
        (record,) = data if isinstance(data, list) else [data]
        assert code == 0
        assert {option["id"]: option["status"] for option in record["options"]} == wanted
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(BORN_2008).encode())))
    code, (record,), err = _run(capsys, "evaluate", "-", "--as-of", "2026-06-01", "--rules",
                                "article-2023", "--format", "jsonl", "--detail", "full")
    assert code == 0, err
    assert _adult(record)["patient_value"] == SPAN
    code, (explained,), err = _run(capsys, "explain", str(single), "--as-of", "2026-06-01",
                                   "--rules", "article-2023", "--format", "jsonl")
    assert code == 0, err
    assert SPAN in json.dumps(explained)
    main(["explain", str(single), "--as-of", "2026-06-01", "--rules", "article-2023"])
    assert f"age {SPAN}" in capsys.readouterr().out


def test_without_as_of_the_cli_assesses_on_today(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = _profiles(tmp_path, {"id": "t", "birth_date": "2010-03-15"})
    before = dt.date.today()
    code, (record,), err = _run(capsys, "evaluate", path, "--rules", "article-2023",
                                "--format", "jsonl")
    after = dt.date.today()
    assert code == 0, err
    texts = {_adult(json.loads(json.dumps({"options": [evaluate(
        {"birth_date": "2010-03-15"}, rules="article-2023", as_of=day).option("tralokinumab")
        .model_dump(mode="json")]}))) ["patient_value"] for day in (before, after)}
    assert _adult(record)["patient_value"] in texts


def test_as_of_help_says_what_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("evaluate", "explain"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = " ".join(capsys.readouterr().out.split())
        assert "the date the assessment is for" in out
        assert "default: today" in out
