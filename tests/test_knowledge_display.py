"""Issue 11, knowledge display: trial options read as trials, stale knowledge is said,
fields no rule reads are named, sources can be found, and a user's default pack is theirs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eligibility import evaluate
from eligibility.cli import main
from eligibility.engine.evaluation import Evaluator
from eligibility.errors import RulePackError
from eligibility.render.record import output_schema

TRIAL_ADULT = {"id": "adult", "age_years": 30, "severity": "severe",
               "topical_response": "inadequate", "weight_kg": 70}
UNREAD = {**TRIAL_ADULT, "conditions": ["asthma"], "systemic_response": "inadequate"}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _profile(tmp_path: Path, data: dict[str, object]) -> str:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(data) + "\n", encoding="utf-8")
    return str(path)


# -- 1. trial options -----------------------------------------------------------------


def test_records_keep_status_and_add_trial_status_text() -> None:
    options = {o.id: o for o in evaluate(TRIAL_ADULT, rules="article-2023").options}
    assert options["nemolizumab"].status == "candidate"
    assert options["nemolizumab"].status_text == "may be eligible for a clinical trial"
    assert options["dupilumab"].status_text == "candidate"
    infant = evaluate({**TRIAL_ADULT, "age_years": None, "age_months": 3}, rules="article-2023")
    assert infant.option("nemolizumab").status_text == "not eligible for the trials"
    assert infant.option("dupilumab").status_text == "not a candidate"


def test_table_and_explain_say_trial_not_candidate(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    path = _profile(tmp_path, TRIAL_ADULT)
    code, out, _ = _run(capsys, "evaluate", path, "--format", "table", "--rules", "article-2023")
    assert code == 0
    row = next(line for line in out.splitlines() if line.strip().startswith("Nemolizumab"))
    assert "trial: may be eligible" in row and " candidate " not in row
    assert "may be eligible for a clinical trial" in " ".join(out.split())  # the legend
    code, out, _ = _run(capsys, "explain", path, "--rules", "article-2023",
                        "--option", "nemolizumab")
    assert "Nemolizumab (in clinical trials): trial: may be eligible" in out


def test_schema_documents_status_text() -> None:
    text = json.dumps(output_schema())
    assert "status_text" in text and "may be eligible for a clinical trial" in text


# -- 2. stale knowledge ---------------------------------------------------------------


def test_assessment_and_record_name_the_newer_pack(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    old = evaluate(TRIAL_ADULT, rules="article-2023").rule_pack
    assert old.newer is not None
    assert (old.newer.name, str(old.newer.as_of)) == ("us-labels-2026", "2026-06-30")
    assert evaluate(TRIAL_ADULT, rules="us-labels-2026").rule_pack.newer is None
    _, out, _ = _run(capsys, "evaluate", _profile(tmp_path, TRIAL_ADULT), "--format", "jsonl",
                     "--detail", "full", "--rules", "article-2023")
    record = json.loads(out)
    assert record["rule_pack"]["newer"] == {"name": "us-labels-2026", "as_of": "2026-06-30"}
    _, out, _ = _run(capsys, "evaluate", _profile(tmp_path, TRIAL_ADULT), "--format", "jsonl",
                     "--detail", "full", "--rules", "us-labels-2026")
    assert json.loads(out)["rule_pack"]["newer"] is None


@pytest.mark.parametrize("command", [("evaluate", "--format", "table"), ("explain",)])
def test_tables_and_explain_say_newer_knowledge_ships(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, command: tuple[str, ...]) -> None:
    path = _profile(tmp_path, TRIAL_ADULT)
    _, out, _ = _run(capsys, command[0], path, *command[1:], "--rules", "article-2023")
    text = " ".join(out.split())
    assert ("Newer knowledge ships: rule pack us-labels-2026 (knowledge as of 2026-06-30); "
            "these answers use article-2023 (as of 2023-01-01)") in text
    _, out, _ = _run(capsys, command[0], path, *command[1:], "--rules", "us-labels-2026")
    assert "Newer knowledge" not in out


def test_environment_variable_sets_the_default(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    monkeypatch.setenv("ELIGIBILITY_RULES", "us-labels-2026")
    assert evaluate(TRIAL_ADULT).rule_pack.name == "us-labels-2026"
    assert Evaluator().pack.name == "us-labels-2026"
    assert evaluate(TRIAL_ADULT, rules="article-2023").rule_pack.name == "article-2023"
    code, out, err = _run(capsys, "evaluate", _profile(tmp_path, TRIAL_ADULT), "--format", "jsonl")
    assert code == 0 and json.loads(out)["rule_pack"]["name"] == "us-labels-2026"
    monkeypatch.setenv("ELIGIBILITY_RULES", "no-such-pack")
    with pytest.raises(RulePackError, match="environment variable ELIGIBILITY_RULES"):
        evaluate(TRIAL_ADULT)
    code, out, err = _run(capsys, "evaluate", _profile(tmp_path, TRIAL_ADULT))
    assert code == 2 and "ELIGIBILITY_RULES" in err and "no-such-pack" in err
    assert "Traceback" not in err


def test_a_default_the_user_set_is_said_to_be_theirs_even_when_it_is_the_shipped_one(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    monkeypatch.setenv("ELIGIBILITY_RULES", "article-2023")
    code, _, err = _run(capsys, "evaluate", _profile(tmp_path, TRIAL_ADULT), "--format", "jsonl")
    assert code == 0 and "set in the environment variable ELIGIBILITY_RULES" in err
    monkeypatch.delenv("ELIGIBILITY_RULES")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    code, _, err = _run(capsys, "evaluate", _profile(tmp_path, TRIAL_ADULT), "--format", "jsonl")
    assert code == 0 and "newer pack ships" in err and "set in" not in err


def test_config_file_sets_the_default(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "xdg" / "eligibility" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[defaults]\nrules = "us-labels-2026"\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert evaluate(TRIAL_ADULT).rule_pack.name == "us-labels-2026"
    code, out, _ = _run(capsys, "evaluate", _profile(tmp_path, TRIAL_ADULT), "--format", "jsonl")
    assert json.loads(out)["rule_pack"]["name"] == "us-labels-2026"
    monkeypatch.setenv("ELIGIBILITY_RULES", "article-2023")  # the variable wins
    assert evaluate(TRIAL_ADULT).rule_pack.name == "article-2023"
    monkeypatch.delenv("ELIGIBILITY_RULES")
    for bad, says in (('[defaults]\nrules = 3\n', "[defaults] rules must be"),
                      ('[defaults\n', "not valid TOML"),
                      ('[defaults]\nrules = "nope"\n', "nope: no rule pack")):
        config.write_text(bad, encoding="utf-8")
        with pytest.raises(RulePackError, match=r"config\.toml") as caught:
            evaluate(TRIAL_ADULT)
        assert says in str(caught.value)
        code, _, err = _run(capsys, "evaluate", _profile(tmp_path, TRIAL_ADULT))
        assert code == 2 and str(config) in err and says in err


def test_a_relative_path_in_the_config_file_is_relative_to_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    from tests.conftest import RULES
    config = tmp_path / "eligibility" / "config.toml"
    shutil.copytree(RULES / "us-labels-2026", config.parent / "mine")
    config.write_text('[defaults]\nrules = "./mine"\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path.parent)
    pack = evaluate(TRIAL_ADULT).rule_pack
    assert pack.origin == "folder" and pack.folder == str(config.parent / "mine")


# -- 3. fields no rule reads ----------------------------------------------------------


def test_given_fields_no_rule_reads_are_named(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    assert evaluate(UNREAD, rules="article-2023").not_considered == (
        "systemic_response", "conditions")
    assert evaluate(TRIAL_ADULT, rules="article-2023").not_considered == ()
    assert evaluate({**UNREAD, "conditions": None}, rules="article-2023").not_considered == (
        "systemic_response",)
    path = _profile(tmp_path, UNREAD)
    _, out, _ = _run(capsys, "evaluate", path, "--format", "jsonl", "--rules", "article-2023")
    assert json.loads(out)["not_considered"] == ["systemic_response", "conditions"]
    for command in (("evaluate", "--format", "table"), ("explain",)):
        _, out, _ = _run(capsys, command[0], path, *command[1:], "--rules", "article-2023")
        assert ("Not considered (no rule of article-2023 reads them): systemic_response, "
                "conditions.") in " ".join(out.split())


# -- 4. sources -----------------------------------------------------------------------


def test_rules_show_lists_the_sources(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "rules", "show", "article-2023")
    text = " ".join(out.split())
    assert code == 0 and "Sources (article-2023)" in text
    assert "arcadia-trials" in text and "NCT03985943" in text
    assert "not shipped with this tool" in text


def test_explain_names_the_cited_source_and_where_to_read_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _profile(tmp_path, TRIAL_ADULT)
    _, out, _ = _run(capsys, "explain", path, "--rules", "article-2023", "--option", "nemolizumab")
    text = " ".join(out.split())
    assert "Source: ARCADIA 1 and ARCADIA 2" in text
    assert "[arcadia-trials] ARCADIA 1 and ARCADIA 2" in text and "NCT03985943" in text
