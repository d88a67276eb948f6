"""``--detail brief``: what was decided, by id; joined with the pack's texts it is the full record.

The join is the proof that a brief record loses nothing: on every profile the kit draws,
for each shipped pack and with an option filter, ``join(brief, texts)`` serialises to the
very bytes of the full record, the texts being what ``rules show --format json`` prints.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import Profile
from eligibility.cli import main
from eligibility.engine.evaluation import evaluator_for
from eligibility.render.brief import BriefRecord
from eligibility.render.pack_texts import join
from eligibility.render.record import OutputRecord
from eligibility.render.wire import encode
from eligibility.services.batch import Evaluated, only
from eligibility.services.records import brief_writer
from eligibility.testing import profiles

PACKS = ("article-2023", "us-labels-2026")
FILTERS: tuple[tuple[str, ...] | None, ...] = (None, ("tralokinumab", "lebrikizumab"))


def _texts(pack: str, options: tuple[str, ...] | None) -> dict[str, Any]:
    argv = ["rules", "show", pack, "--format", "json"]
    for option in options or ():
        argv += ["--option", option]
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(argv) == 0
    texts: dict[str, Any] = json.loads(out.getvalue())
    return texts


TEXTS = {(pack, options): _texts(pack, options) for pack in PACKS for options in FILTERS}


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("options", FILTERS, ids=["all", "two-options"])
@pytest.mark.parametrize("pack", PACKS)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_brief_joined_with_the_pack_texts_is_the_full_record(pack: str, options: tuple[str, ...] | None,
                                                             data: st.DataObject) -> None:
    profile: Profile = data.draw(profiles(rules=pack))
    evaluator = evaluator_for(pack)
    outcome = Evaluated("dir/ünï \"q\".jsonl:7", evaluator.evaluate(profile))
    if options is not None:
        outcome = only(outcome, options)
    full = encode(outcome).line
    brief = encode(outcome, brief_writer(evaluator, options)).line
    BriefRecord.model_validate_json(brief)  # the brief schema describes it
    assert _dumps(join(json.loads(brief), TEXTS[pack, options])) == full
    assert len(brief) < len(full) / 3


def test_the_join_refuses_another_packs_texts() -> None:
    evaluator = evaluator_for("article-2023")
    brief = encode(Evaluated("x:1", evaluator.evaluate({"age_years": 30})), brief_writer(evaluator)).line
    with pytest.raises(ValueError, match="texts are of"):
        join(json.loads(brief), TEXTS["us-labels-2026", None])


def _evaluate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["evaluate", "examples/clinic-batch-all-statuses.jsonl", "--rules", "article-2023", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_jsonl_is_brief_by_default_and_full_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    code, brief, _ = _evaluate(capsys, "--format", "jsonl")
    assert code == 0
    assert _evaluate(capsys, "--format", "jsonl", "--detail", "brief")[1] == brief
    code, full, _ = _evaluate(capsys, "--format", "jsonl", "--detail", "full")
    assert code == 0
    texts = TEXTS["article-2023", None]
    for short, long in zip(brief.splitlines(), full.splitlines(), strict=True):
        OutputRecord.model_validate_json(long)
        assert _dumps(join(json.loads(short), texts)) == long


def test_json_is_full_by_default_and_brief_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    full = json.loads(_evaluate(capsys, "--format", "json")[1])
    assert "reasons" in full[0]["options"][0]
    brief = json.loads(_evaluate(capsys, "--format", "json", "--detail", "brief")[1])
    assert [BriefRecord.model_validate(item).profile for item in brief] == [item["profile"] for item in full]


@pytest.mark.parametrize(("fmt", "detail"), [("csv", "full"), ("text", "brief")])
def test_a_detail_the_format_has_not_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                                      fmt: str, detail: str) -> None:
    code, out, err = _evaluate(capsys, "--format", fmt, "--detail", detail)
    assert code == 2 and out == ""
    assert f"--format {fmt} has one level of detail" in err


def test_schema_output_describes_both_records(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--output"]) == 0
    either = json.loads(capsys.readouterr().out)
    assert {"BriefRecord", "OutputRecord", "ErrorRecord"} <= set(either["$defs"])
    assert main(["schema", "--output", "--detail", "brief"]) == 0
    brief = json.loads(capsys.readouterr().out)
    assert "BriefRecord" in brief["$defs"] and "OutputRecord" not in brief["$defs"]
    assert main(["schema", "--output", "--detail", "full"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert "OutputRecord" in full["$defs"] and "BriefRecord" not in full["$defs"]
    assert main(["schema", "--texts"]) == 0
    assert "CriterionText" in json.loads(capsys.readouterr().out)["$defs"]
