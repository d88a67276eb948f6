"""``rules check``: the shipped packs pass; each purpose-broken pack is caught where it breaks.

One fixture per kind of problem under ``tests/fixtures/broken_packs/<kind>/``; each test
asserts the report names the kind, the file and the rule id, and that nothing else is
reported (a check that cried wolf on every pack would pass a weaker test).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eligibility import available_packs, load_pack
from eligibility.cli import main
from eligibility.rulepack import RulePack
from eligibility.services.pack_check import check_pack

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken_packs"

#: kind -> (file the problem is in, rule id it names, a phrase the message must contain)
PLANTED = {
    "schema_error": ("options/alpha.toml", "alpha.age", "evidence"),
    "unknown_key": ("options/alpha.toml", "alpha.age", "did you mean 'rationale'"),
    "duplicate_id": ("options/alpha.toml", "alpha.age", "id used 2 times"),
    "unknown_field": ("options/alpha.toml", "alpha.severity_typo", "did you mean 'severity'"),
    "never_met": ("options/alpha.toml", "alpha.age", "can never be met"),
    "always_met": ("options/alpha.toml", "alpha.topical", "decides nothing"),
    "contradiction": ("options/alpha.toml", "alpha.child", "contradicts rule 'alpha.adult'"),
    "unreachable": ("options/alpha.toml", "alpha.topical_failed", "can never be a candidate"),
    "out_of_range": ("options/alpha.toml", "alpha.weight", "outside the range"),
    "case_mismatch": ("cases/alpha.toml", "alpha.age", "expected candidate"),
}
KIND_OF = {"schema_error": "schema", "unknown_key": "unknown_key", "unknown_field": "unknown_field",
           "out_of_range": "out_of_range", "duplicate_id": "duplicate_id"}


def test_every_kind_has_a_fixture_and_every_fixture_a_kind() -> None:
    assert sorted(p.name for p in BROKEN.iterdir() if p.is_dir()) == sorted(PLANTED)


@pytest.mark.parametrize("pack", available_packs(), ids=lambda pack: pack.name)
def test_shipped_packs_pass(pack: RulePack) -> None:
    report = check_pack(pack.path)
    assert report.ok, [problem.line() for problem in report.problems]
    assert report.cases_run == len(pack.cases) > 0


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_planted_problem_is_reported_with_file_and_rule(kind: str) -> None:
    file, rule, phrase = PLANTED[kind]
    report = check_pack(BROKEN / kind)
    assert not report.ok
    assert len(report.problems) == 1, [problem.line() for problem in report.problems]
    problem = report.problems[0]
    assert problem.kind == KIND_OF.get(kind, kind)
    assert problem.file == f"{kind}/{file}"
    assert problem.rule == rule
    line = problem.line()
    assert f"{kind}/{file}" in line and f"'{rule}'" in line and phrase in line
    assert "(fix: " in line


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_cli_check_fails_on_each_broken_pack(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    file, rule, _ = PLANTED[kind]
    assert main(["rules", "check", str(BROKEN / kind)]) == 1
    out = capsys.readouterr().out
    assert f"{kind}/{file}: rule '{rule}'" in out
    assert "1 problem" in out


def test_cli_check_passes_on_shipped_packs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check"]) == 0
    out = capsys.readouterr().out
    assert "article-2023: ok" in out and "us-labels-2026: ok" in out


def test_check_of_missing_pack_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", "us-labels-2025"]) == 2
    assert "did you mean 'us-labels-2026'" in capsys.readouterr().err


def test_rules_test_reports_failures_like_opa_test(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "test", str(BROKEN / "case_mismatch")]) == 1
    out = capsys.readouterr().out
    assert "FAIL: broken-case-mismatch: case_mismatch/cases/alpha.toml: child-10" in out
    assert out.rstrip().endswith("FAIL: 0/1")
    assert main(["rules", "test", "-v", "--rules", "us-labels-2026"]) == 0
    out = capsys.readouterr().out
    assert "PASS: us-labels-2026: us-labels-2026/cases/labels.toml: teen-13-weighing-35-kg" in out
    cases = len(load_pack("us-labels-2026").cases)
    assert cases >= 20 and out.rstrip().endswith(f"PASS: {cases}/{cases}")


def test_a_pack_with_several_problems_reports_them_all(tmp_path: Path) -> None:
    """A misspelt shared rule id and a contradiction in one pack: both found, no crash."""
    pack = tmp_path / "several"
    shutil.copytree(BROKEN / "contradiction", pack)
    option = pack / "options" / "alpha.toml"
    option.write_text(option.read_text().replace('summary = "A made-up option."',
                                                 'summary = "A made-up option."\n'
                                                 'uses = ["general.severe"]'))
    report = check_pack(pack)
    lines = [problem.line() for problem in report.problems]
    assert any("uses unknown rule 'general.severe'" in line for line in lines), lines
    assert any("rule 'alpha.child': contradicts rule 'alpha.adult'" in line for line in lines)
    assert report.cases_run == 0
