"""Pack text is plain text: a control or format character is refused at load, by file and
key, and what the ``rules`` commands print passes through ``safe_text.visible``.

Before: an escape sequence in a rationale, a right-to-left override in a title or a
carriage return in a key loaded without a word and was printed raw by ``rules show``,
``explain`` and the overview (a crafted pack could clear a clinician's screen).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eligibility.errors import RulePackError
from eligibility.rulepack.loader import PackReader

ROOT = Path(__file__).resolve().parents[1]
SOUND = ROOT / "rules" / "article-2023"
TRALOKINUMAB = 'rationale = "Unlike dupilumab, the approval covers adults only."'


def _copy(tmp_path: Path, name: str = "copied") -> Path:
    folder = tmp_path / name
    shutil.copytree(SOUND, folder)
    return folder


def _edit(folder: Path, rel: str, old: str, new: str) -> None:
    path = folder / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _refusal(folder: Path) -> str:
    with pytest.raises(RulePackError) as caught:
        PackReader(folder.resolve()).read()
    return str(caught.value)


@pytest.mark.parametrize(("written", "shown"), [
    ("\\u001b[2J", "\\x1b"),        # ESC: clears a terminal
    ("\\u202e", "\\u202e"),         # right-to-left override
    ("\\u200b", "\\u200b"),         # zero-width space
    ("\\r", "\\x0d"),               # a lone carriage return overwrites the line
    ("\\u0085", "\\x85"),           # a C1 control (next line)
    ("\\u2028", "\\u2028"),         # line separator
])
def test_a_hidden_character_in_a_value_is_refused_naming_file_and_key(
        tmp_path: Path, written: str, shown: str) -> None:
    folder = _copy(tmp_path)
    _edit(folder, "options/tralokinumab.toml", TRALOKINUMAB,
          f'rationale = "Unlike dupilumab,{written} adults only."')
    message = _refusal(folder)
    assert "copied/options/tralokinumab.toml: 'criteria[0].rationale' holds a control or " \
           f"format character ({shown}" in message
    assert "\x1b" not in message and "\u202e" not in message and "\r" not in message


def test_a_hidden_character_in_a_key_is_refused_and_shown_escaped(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, "options/tralokinumab.toml", TRALOKINUMAB,
          f'{TRALOKINUMAB}\n"note\\u001b[31m" = "red"')
    message = _refusal(folder)
    assert "copied/options/tralokinumab.toml: the key note\\x1b[31m holds a control" in message
    assert "\x1b" not in message


def test_line_breaks_in_a_multi_line_string_are_text(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, "options/tralokinumab.toml", TRALOKINUMAB,
          'rationale = """Unlike dupilumab,\r\nthe approval covers\nadults only."""')
    pack = PackReader(folder.resolve()).read()
    assert any("covers\nadults" in criterion.rationale for criterion in pack.all_criteria())


def test_a_worked_case_may_hold_hidden_characters_in_its_patient_input(tmp_path: Path) -> None:
    # Worked cases pin how the aid reads what real records hold ("none" + WORD JOINER);
    # that input is not knowledge shown as text, so only it is exempt.
    shipped = PackReader(SOUND.resolve()).read()
    assert any("\u2060" in json.dumps(dict(case.profile), ensure_ascii=False)
               for case in shipped.cases)
    folder = _copy(tmp_path)
    cases = folder / "cases" / "allergen_immunotherapy.toml"
    text = cases.read_text(encoding="utf-8")
    first = text.index('description = "') + len('description = "')
    cases.write_text(text[:first] + "\\u2060" + text[first:], encoding="utf-8")
    assert "holds a control or format character (\\u2060" in _refusal(folder)


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "eligibility", *args], capture_output=True,
                          timeout=120, check=False, env={**os.environ, **(env or {})})


def test_rules_commands_print_a_pack_folder_name_escaped(tmp_path: Path) -> None:
    """A folder name is not pack text the loader can refuse: every rules view escapes it."""
    folder = _copy(tmp_path, "evil\x1b]0;x\x07\x1b[2J")
    broken = _copy(tmp_path, "bad\x1b[2J")
    _edit(broken, "options/tralokinumab.toml", TRALOKINUMAB, 'rationale = 3')
    outputs = {
        "show": _run("rules", "show", str(folder)),
        "table": _run("rules", "table", str(folder)),
        "csv": _run("rules", "table", str(folder), "--format", "csv"),
        "check": _run("rules", "check", str(broken)),
        "diff": _run("rules", "diff", str(folder), "us-labels-2026"),
        "diff-json": _run("rules", "diff", str(folder), "us-labels-2026", "--format", "json"),
    }
    for name, result in outputs.items():
        assert result.returncode in (0, 1), (name, result.stderr)
        for hidden in (b"\x1b", b"\x07"):
            assert hidden not in result.stdout, name
            assert hidden not in result.stderr, name
    assert b"bad\\x1b[2J/options/tralokinumab.toml" in outputs["check"].stdout
    assert outputs["csv"].stdout.count(b"\n") > 1  # line breaks stay line breaks


def test_json_output_is_the_same_utf8_bytes_whatever_stdout_encodes() -> None:
    """JSON is written as UTF-8 bytes: an ASCII or Latin-1 stdout (``PYTHONIOENCODING``)
    changes nothing (before: ``\\u2192``-style escapes or ``\\xe9``, which is not JSON)."""
    commands = [
        ["rules", "diff", "article-2023", "us-labels-2026", "--format", "json"],
        ["evaluate", str(ROOT / "examples"), "--format", "json", "--rules", "article-2023"],
        ["explain", str(ROOT / "examples" / "teen-16-not-candidate-tralokinumab.json"),
         "--format", "json", "--rules", "article-2023"],
        ["explain", str(ROOT / "examples" / "teen-16-not-candidate-tralokinumab.json"),
         "--format", "jsonl", "--rules", "article-2023"],
    ]
    for argv in commands:
        utf8 = _run(*argv, env={"PYTHONIOENCODING": "utf-8"})
        assert utf8.returncode == 0, utf8.stderr
        for encoding in ("ascii", "latin-1"):
            other = _run(*argv, env={"PYTHONIOENCODING": encoding})
            assert other.returncode == 0, other.stderr
            assert other.stdout == utf8.stdout, (argv, encoding)
        json.loads(utf8.stdout.decode("utf-8")) if argv[-3:] != ["jsonl", "--rules",
                                                                   "article-2023"] else None
    assert "→".encode() in _run(*commands[0]).stdout or b"\\u2192" not in _run(*commands[0]).stdout
