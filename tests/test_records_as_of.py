"""Every record says the date it was assessed for and the age the decision used (issue 11,
"Ages"): brief and full JSON Lines, JSON, CSV, explain's records, the text views, the
library's ``Assessment`` and the output schema. On main before this, no record carried
either, so a reader could not tell which day a birth_date was read on, nor what age an
"unknown" came from.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from eligibility import evaluate
from eligibility.cli import main
from eligibility.inputs.base import InputRecord
from eligibility.model.assessment import AgeUsed
from eligibility.model.profile import parse_profile
from eligibility.render.brief import BriefRecord
from eligibility.render.pack_texts import join
from eligibility.render.record import OutputRecord
from eligibility.render.wire import EncodedChunk
from eligibility.services.batch import assess_chunk
from eligibility.services.pipeline import Pipeline

JUNE = dt.date(2026, 6, 1)
PROFILES: list[dict[str, Any]] = [
    {"id": "year", "birth_date": "2008", "severity": "severe", "topical_response": "inadequate"},
    {"id": "month", "birth_date": "2008-06", "severity": "moderate"},
    {"id": "day", "birth_date": "2008-06-01", "age_months": 216},
    {"id": "years", "age_years": 17.99999999995},
    {"id": "months", "age_months": 215, "age_years": 18},
    {"id": "none", "severity": "mild"},
]


def _age(profile: dict[str, Any], as_of: dt.date | None = JUNE) -> dict[str, Any] | None:
    age = evaluate(profile, rules="article-2023", as_of=as_of).age_used
    return None if age is None else age.model_dump(mode="json")


def test_the_age_used_is_exact_at_each_end() -> None:
    assert _age(PROFILES[0]) == {
        "from_months": 209, "from_exact": False, "to_months": 221, "to_exact": True,
        "basis": ["birth_date"], "text": "between 17 years 5 months 1 day and 18 years 5 months"}
    # Never rounded up to 18 years: 215.9999999994 months is "215 and a bit".
    assert _age(PROFILES[3]) == {"from_months": 215, "from_exact": False, "to_months": 215,
                                 "to_exact": False, "basis": ["age_years"],
                                 "text": "17.99999999995 years"}
    # 215 completed months beside 18 years: everything from 215 months to 18 years.
    months = _age(PROFILES[4])
    assert months is not None
    assert (months["from_months"], months["from_exact"], months["to_months"],
            months["to_exact"]) == (215, True, 216, True)
    assert months["basis"] == ["age_months", "age_years"]
    day = _age(PROFILES[2])
    assert day is not None and (day["from_months"], day["to_months"], day["from_exact"]) == (216, 216, True)
    assert _age(PROFILES[5]) is None


def test_the_library_assessment_carries_the_date_used() -> None:
    assert evaluate(PROFILES[0], as_of=JUNE).as_of == JUNE
    assert evaluate({"age_years": 30}, as_of=JUNE).as_of == JUNE
    assert evaluate({"age_years": 30}).as_of is None  # none given: the library never guesses
    dated = parse_profile(PROFILES[0]).dated(JUNE)
    assert dated.as_of == JUNE
    assert evaluate(dated).as_of == JUNE  # a profile dated already keeps its day


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    main(list(argv))
    return capsys.readouterr().out


def _batch(tmp_path: Path) -> str:
    path = tmp_path / "ages.jsonl"
    path.write_text("".join(json.dumps(profile) + "\n" for profile in PROFILES))
    return str(path)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_brief_and_full_records_carry_as_of_and_age_and_join_exactly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str) -> None:
    path = _batch(tmp_path)
    common = ["--as-of", "2026-06-01", "--rules", "article-2023", "--format", "jsonl", "--jobs", jobs]
    full = _cli(capsys, "evaluate", path, *common, "--detail", "full").splitlines()
    brief = _cli(capsys, "evaluate", path, *common, "--detail", "brief").splitlines()
    texts = json.loads(_cli(capsys, "rules", "show", "article-2023", "--format", "json"))
    assert len(full) == len(brief) == len(PROFILES)
    for profile, long, short in zip(PROFILES, full, brief, strict=True):
        record = json.loads(long)
        OutputRecord.model_validate(record)
        BriefRecord.model_validate_json(short)
        assert record["as_of"] == "2026-06-01"
        assert record["age_used"] == _age(profile)
        assert list(record)[:4] == ["profile", "source", "as_of", "age_used"]
        joined = join(json.loads(short), texts)
        assert json.dumps(joined, ensure_ascii=False, separators=(",", ":")) == long
        if profile["id"] == "none":
            assert "age_used" not in json.loads(short) and record["age_used"] is None


def test_json_csv_explain_and_text_show_the_date_and_age(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _batch(tmp_path)
    common = ["--as-of", "2026-06-01", "--rules", "article-2023"]
    records = json.loads(_cli(capsys, "evaluate", path, *common, "--format", "json"))
    assert [record["as_of"] for record in records] == ["2026-06-01"] * len(PROFILES)
    rows = list(csv.DictReader(io.StringIO(
        _cli(capsys, "evaluate", path, *common, "--format", "csv").removeprefix("\ufeff"))))
    assert [row["as_of"] for row in rows] == ["2026-06-01"] * len(PROFILES)
    assert rows[0]["age_used"] == "between 17 years 5 months 1 day and 18 years 5 months"
    assert rows[-1]["age_used"] == ""
    explained = [json.loads(line) for line in
                 _cli(capsys, "explain", path, *common, "--format", "jsonl").splitlines()]
    assert [item["age_used"] for item in explained] == [_age(profile) for profile in PROFILES]
    assert explained[0]["as_of"] == "2026-06-01"
    single = tmp_path / "one.json"
    single.write_text(json.dumps(PROFILES[0]))
    for command in ("evaluate", "explain"):
        text = " ".join(_cli(capsys, command, str(single), *common, "--format", "text").split())
        assert ("Age used: between 17 years 5 months 1 day and 18 years 5 months (from birth "
                "date).") in text
        assert "Assessed as of 2026-06-01" in text
    overview = _cli(capsys, "evaluate", path, *common, "--format", "text")
    assert "Assessed as of 2026-06-01" in overview


def test_without_as_of_the_record_names_today(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    before = dt.date.today().isoformat()
    out = _cli(capsys, "evaluate", _batch(tmp_path), "--rules", "article-2023", "--format", "jsonl")
    after = dt.date.today().isoformat()
    dates = {record["as_of"] for record in map(json.loads, out.splitlines())
             if "error" not in record}
    assert dates and dates <= {before, after}


@pytest.mark.parametrize("detail", ["brief", "full"])
def test_the_pipeline_writes_the_date_and_age_as_the_per_record_path(detail: str) -> None:
    records = [InputRecord(f"x.jsonl:{n}", payload=profile)
               for n, profile in enumerate(PROFILES * 3, start=1)]
    records.append(InputRecord("x.jsonl:99", payload={"birth_date": "2027"}))
    for as_of in (JUNE, dt.date(2030, 2, 28)):
        fast = Pipeline("us-labels-2026", detail, None, as_of).encode(records)  # type: ignore[arg-type]
        slow = EncodedChunk.of(assess_chunk(records, "us-labels-2026", None, detail, as_of))  # type: ignore[arg-type]
        assert fast.data == slow.data
        assert f'"as_of":"{as_of}"'.encode() in fast.data


def test_the_output_schema_describes_both() -> None:
    for detail in ("brief", "full"):
        out = io.StringIO()
        with redirect_stdout(out):
            assert main(["schema", "--output", "--detail", detail]) == 0
        schema = out.getvalue()
        assert '"as_of"' in schema and '"from_months"' in schema and '"to_exact"' in schema
    assert set(AgeUsed.model_fields) == {"from_months", "from_exact", "to_months", "to_exact",
                                         "basis", "text"}
