"""Text that reaches a terminal or a JSON reader (issue 12); each test failed before its fix.

Input text (JSON keys, ids, file names, list entries) is shown with every control,
bidirectional and other format character as a visible escape; rich markup in it is
text, never style; and every byte written as JSON Lines is valid UTF-8 JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import RULES
from hypothesis import given
from hypothesis import strategies as st

from eligibility.cli import main
from eligibility.safe_text import clip, visible

HOSTILE = ["\x1b[2J\x1b[H", "\x9b2J", "\u202etxt.exe", "a\u2066b\u2069", "\u200f", "\ufeff", "x\u2028y",
           "\x00", "\x7f", "\ud800"]


@pytest.mark.parametrize("text", HOSTILE)
def test_visible_escapes_every_control_and_format_character(text: str) -> None:
    shown = visible(text)
    assert all(unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Zl", "Zp"} for char in shown)
    assert "\\" in shown


@pytest.mark.parametrize("text", ["plain", "Zoë Ünal", "山田 太郎", "café 👩‍⚕", "tab-free a b", "[/]"])
def test_visible_leaves_ordinary_text_alone(text: str) -> None:
    expected = text.replace("\u200d", "\\u200d")  # a zero-width joiner is a format character
    assert visible(text) == expected


@given(st.text())
def test_visible_output_is_always_inert_and_utf8(text: str) -> None:
    shown = visible(text)
    shown.encode("utf-8")
    assert all(unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Zl", "Zp"} for char in shown)
    assert visible(shown) == shown


def test_clip_bounds_an_echo_with_an_ellipsis() -> None:
    assert clip("k" * 65_000) == "k" * 40 + "…"
    assert clip("short") == "short"
    assert clip("\x1b" * 100).startswith("\\x1b")


# -- terminals ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # no wrapping inside the texts looked for


def _table(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _assert_inert(out: str) -> None:
    bad = [char for char in out if char not in "\n" and unicodedata.category(char) in
           {"Cc", "Cf", "Cs", "Zl", "Zp"}]
    assert not bad, bad


@pytest.mark.parametrize("command", [["evaluate", "--format", "table"], ["explain"]])
def test_escape_sequences_in_keys_ids_and_file_names_are_shown_escaped(
        command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p\x1b[31m\u202e.jsonl"
    path.write_text(json.dumps({"\x1b[2J\x1b[H": 1}) + "\n"
                    + json.dumps({"id": "abc\u202edef\x9b", "age_years": 30}) + "\n")
    code, out = _table(capsys, command[0], str(path), *command[1:])
    assert code == 1
    _assert_inert(out)
    assert "\\x1b[2J" in out and "abc\\u202edef\\x9b" in out and "p\\x1b[31m\\u202e.jsonl" in out


def test_a_usage_error_naming_a_crafted_path_is_shown_escaped(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _table(capsys, "evaluate", "missing\x1b[2J.json")
    assert code == 2
    _assert_inert(out)
    assert "missing\\x1b[2J.json" in out


@pytest.fixture
def picky_pack(tmp_path: Path) -> Path:
    """A pack whose allergen immunotherapy wants two conditions, so one is shown as the why
    (a free-text list the rule counts; allergies are read by category)."""
    pack = tmp_path / "picky"
    shutil.copytree(RULES / "article-2023", pack)
    rule = pack / "options" / "allergen_immunotherapy.toml"
    test = 'test = { field = "allergies", includes = "environmental" }'
    assert test in rule.read_text()
    rule.write_text(rule.read_text().replace(test, 'test = { field = "conditions", min_items = 2 }'))
    return pack


@pytest.mark.parametrize("command", [["evaluate", "--format", "table"], ["explain"]])
def test_markup_in_values_is_text_in_every_view(command: list[str], picky_pack: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    base = {"age_years": 30, "severity": "severe", "topical_response": "inadequate",
            "allergy_eczema_link": True}
    lines = [json.dumps({**base, "id": name, "conditions": [allergy]}) + "\n"
             for name, allergy in (("[a]", "[/]"), ("[bold]b", "[bold red]x"), ("c", "ok"))]
    # A batch's overview shows ids, one patient's table its values: look at both.
    batches = [lines] + ([[line] for line in lines] if command[0] == "evaluate" else [])
    out = ""
    for number, batch in enumerate(batches):
        path = tmp_path / f"m{number}.jsonl"
        path.write_text("".join(batch))
        code, shown = _table(capsys, command[0], str(path), *command[1:], "--rules",
                             str(picky_pack))
        assert code == 0
        out += shown
    assert "[a]" in out and "[bold]b" in out
    assert "is [/]" in out or "conditions [/]" in out
    assert "[bold red]x" in out
    assert out.count("Allergy shots") >= 3  # every record after the markup is still shown


def test_markup_in_values_does_not_restyle_a_colour_table(picky_pack: Path) -> None:
    from rich.console import Console

    from eligibility import evaluate
    from eligibility.render.table import AssessmentTable
    payload = {"id": "[bold red]x", "age_years": 30, "severity": "severe",
               "topical_response": "inadequate", "allergy_eczema_link": True,
               "conditions": ["[bold red]x"]}
    assessment = evaluate(payload, rules=picky_pack)
    console = Console(force_terminal=True, color_system="truecolor", width=120)
    with console.capture() as captured:
        console.print(AssessmentTable(assessment, "m:1"))
    assert captured.get().count("[bold red]x") == 2  # the title and the why-not cell


# -- JSON readers --------------------------------------------------------------------------


def _assert_strict_json_lines(data: bytes) -> list[dict]:
    text = data.decode("utf-8", errors="strict")
    records = []
    for line in text.splitlines():
        record = json.loads(line)
        json.dumps(record, ensure_ascii=False).encode("utf-8", errors="strict")  # no lone surrogates
        records.append(record)
    return records


def test_every_byte_written_is_valid_utf8_json(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess
    import sys
    path = tmp_path / "s.jsonl"
    path.write_text('{"id":"ok1"}\n{"id":"\\ud800"}\n{"\\ud800x":1}\n{"id":"a\\udc80b", "age_years": "9"}\n'
                    '{"id": ["\\ud800"]}\n{"allergies": ["\\udfff"]}\n{"id":"ok2"}\n')
    odd = os.fsdecode(bytes(tmp_path) + b"/q\xff.jsonl")
    with open(odd, "w") as handle:
        handle.write('{"\\ud800": 1}\n')
    done = subprocess.run([sys.executable, "-m", "eligibility", "evaluate", str(path), odd,
                           "--format", "jsonl"], capture_output=True, check=False)
    assert done.returncode == 1, done.stderr
    records = _assert_strict_json_lines(done.stdout)
    assert [("error" in r) for r in records] == [False, True, True, True, True, True, False, True]
    assert records[-2]["profile"] == "ok2"


def test_rules_diff_shows_profile_text_escaped(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "d\x1b[2J.jsonl"
    path.write_text(json.dumps({"\x1b]0;title\x07": 1}) + "\n"
                    + json.dumps({"id": "t\u202e", "age_years": 16, "severity": "severe",
                                  "topical_response": "inadequate"}) + "\n")
    code, out = _table(capsys, "rules", "diff", "article-2023", "us-labels-2026", str(path))
    assert code == 1
    _assert_inert(out)
    assert "d\\x1b[2J.jsonl:1: error" in out and "\\x1b]0;title\\x07" in out
