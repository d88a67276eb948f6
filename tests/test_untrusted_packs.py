"""A pack given by path is untrusted input: each hostile file is refused, fast, by name.

Before these limits: deep nesting gave a ``RecursionError`` traceback, a symlink to
``/dev/zero`` grew memory until ``MemoryError``, a FIFO hung for ever and a 30 MB cases
file parsed for 25 s. Now each is a ``RulePackError`` naming the file, exit 2 from the
command line, before anything large is read. The tests that could hang or eat memory on a
regression run the command in a child process with a timeout and a memory cap, so a
regression fails instead of stopping the suite.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from built_packs import write_pack

from eligibility.cli import main
from eligibility.errors import RulePackError
from eligibility.rulepack import files
from eligibility.rulepack.loader import PackReader, load_pack
from eligibility.services.pack_check import check_pack

ROOT = Path(__file__).resolve().parents[1]
SOUND = ROOT / "rules" / "article-2023"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of a shipped pack, sound until a test damages it."""
    folder = tmp_path / "copied"
    shutil.copytree(SOUND, folder)
    return folder


def refusal(folder: Path) -> str:
    """The message of the ``RulePackError`` loading ``folder`` raises (it must raise)."""
    with pytest.raises(RulePackError) as caught:
        PackReader(folder.resolve()).read()
    return str(caught.value)


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``eligibility ARGS`` in a child process, stopped after ``timeout`` s, at most 1 GiB."""
    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    return subprocess.run([sys.executable, "-m", "eligibility", *args], capture_output=True,
                          text=True, timeout=timeout, preexec_fn=cap_memory, check=False,
                          cwd=ROOT)


def assert_refused_by_cli(folder: Path, phrase: str) -> None:
    """``rules check`` and ``evaluate --rules`` both exit 2 with one short error naming it."""
    for args in (["rules", "check", str(folder)],
                 ["evaluate", str(ROOT / "examples"), "--rules", str(folder)]):
        result = run_cli(*args)
        assert result.returncode == 2, (args, result.stderr[-2000:])
        assert phrase in result.stderr, result.stderr[-2000:]
        assert "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) <= 3, result.stderr[-2000:]
        assert result.stdout == ""


# -- nesting ------------------------------------------------------------------------


def test_deep_brackets_in_pack_toml_are_refused_without_a_traceback(pack: Path) -> None:
    with (pack / "pack.toml").open("a", encoding="utf-8") as handle:
        handle.write("x = " + "[" * 5000 + "]" * 5000 + "\n")
    message = refusal(pack)
    assert message.startswith("copied/pack.toml: ")
    assert f"nested more than {files.MAX_DEPTH} levels deep" in message
    assert_refused_by_cli(pack, "copied/pack.toml")


@pytest.mark.parametrize("text", [
    "x = " + "{ y = " * 40 + "1" + " }" * 40,       # inline tables
    "x" + ".x" * 40 + " = 1",                        # a dotted key (parsing it is quadratic)
    "[" + "x." * 40 + "x]\ny = 1",                   # a table header
], ids=["inline-tables", "dotted-key", "table-header"])
def test_every_kind_of_nesting_counts(pack: Path, text: str) -> None:
    (pack / "options" / "dupilumab.toml").write_text(text + "\n", encoding="utf-8")
    message = refusal(pack)
    assert "copied/options/dupilumab.toml: nested more than" in message


def test_nesting_at_the_limit_is_read_and_one_deeper_is_refused(pack: Path) -> None:
    """Depth counts the file itself as 1: ``x = [[…]]`` with n brackets is n + 1 deep."""
    def nested(depth: int) -> str:
        inner = depth - 1
        return "x = " + "[" * inner + "]" * inner + "\n"
    path = pack / "pack.toml"
    original = path.read_text(encoding="utf-8")
    path.write_text(nested(files.MAX_DEPTH) + original, encoding="utf-8")
    assert "unknown table 'x'" in refusal(pack)      # read and validated: not a depth problem
    path.write_text(nested(files.MAX_DEPTH + 1) + original, encoding="utf-8")
    assert "nested more than" in refusal(pack)


def test_brackets_in_strings_and_comments_are_not_nesting(pack: Path) -> None:
    text = (pack / "pack.toml").read_text(encoding="utf-8")
    deep = "[{" * 50
    text = text.replace('title = "', f'# {deep}\ntitle = "{deep} \\" ', 1)
    text += f"\n# {deep}\n" + "[[notes]]\n" + f"id = 'general.x'\ntext = '''{deep}'''\n"
    text += 'source = { document = "article", section = """a\n' + deep + '""" }\n'
    (pack / "pack.toml").write_text(text, encoding="utf-8")
    pack_read = PackReader(pack.resolve()).read()
    assert pack_read.notes[-1].text == deep


def test_the_parser_running_out_of_stack_is_still_a_clear_error(
        pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the pre-scan ever let a deep file through, the parser's RecursionError is caught."""
    monkeypatch.setattr(files, "MAX_DEPTH", 10**6)
    with (pack / "pack.toml").open("a", encoding="utf-8") as handle:
        handle.write("x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert "copied/pack.toml: nested too deeply to read" in refusal(pack)


# -- what kind of file ----------------------------------------------------------------


def test_a_symlink_to_dev_zero_is_refused_before_reading(pack: Path) -> None:
    option = pack / "options" / "dupilumab.toml"
    option.unlink()
    option.symlink_to("/dev/zero")
    # The child process first: on a regression it is stopped, the suite is not.
    assert_refused_by_cli(pack, "copied/options/dupilumab.toml: not a regular file")
    assert "copied/options/dupilumab.toml: not a regular file" in refusal(pack)


@pytest.mark.parametrize("sub", ["options", "cases"])
def test_a_fifo_is_refused_instead_of_hanging(pack: Path, sub: str) -> None:
    os.mkfifo(pack / sub / "waiting.toml")
    assert_refused_by_cli(pack, f"copied/{sub}/waiting.toml")
    assert f"copied/{sub}/waiting.toml: not a regular file (a FIFO)" in refusal(pack)


def test_a_fifo_as_pack_toml_is_refused_instead_of_hanging(pack: Path) -> None:
    (pack / "pack.toml").unlink()
    os.mkfifo(pack / "pack.toml")
    assert_refused_by_cli(pack, "copied/pack.toml: not a regular file (a FIFO)")


def test_a_symlink_out_of_the_pack_is_refused(pack: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.toml"
    shutil.copy(pack / "options" / "dupilumab.toml", outside)
    (pack / "options" / "dupilumab.toml").unlink()
    (pack / "options" / "dupilumab.toml").symlink_to(outside)
    message = refusal(pack)
    assert "copied/options/dupilumab.toml: a link to somewhere outside the pack folder" in message


def test_a_folder_linked_out_of_the_pack_is_refused(pack: Path, tmp_path: Path) -> None:
    shutil.move(pack / "cases", tmp_path / "cases-elsewhere")
    (pack / "cases").symlink_to(tmp_path / "cases-elsewhere")
    assert "copied/cases: a link to somewhere outside the pack folder" in refusal(pack)


def test_a_symlink_inside_the_pack_is_followed(pack: Path) -> None:
    (pack / "spare").mkdir()
    shutil.move(pack / "options" / "dupilumab.toml", pack / "spare" / "dupilumab.toml")
    (pack / "options" / "dupilumab.toml").symlink_to("../spare/dupilumab.toml")
    assert "dupilumab" in PackReader(pack.resolve()).read().option_ids


@pytest.mark.parametrize("target", ["missing.toml", "loop.toml"])
def test_dangling_and_looping_links_are_refused(pack: Path, target: str) -> None:
    (pack / "cases" / "loop.toml").symlink_to("loop.toml")
    (pack / "cases" / "broken.toml").symlink_to(target)
    assert "copied/cases/broken.toml: cannot be read" in refusal(pack)


def test_a_folder_named_like_a_pack_file_is_refused(pack: Path) -> None:
    (pack / "cases" / "folder.toml").mkdir()
    assert "copied/cases/folder.toml: not a regular file (a folder)" in refusal(pack)


def test_unprintable_characters_in_a_file_name_are_refused_and_shown_escaped(pack: Path) -> None:
    shutil.copy(pack / "cases" / "unknowns.toml", pack / "cases" / "\x1b[2Jx.toml")
    message = refusal(pack)
    assert "\x1b" not in message
    assert "copied/cases/'\\x1b[2Jx.toml': a file name with unprintable characters" in message


# -- sizes ----------------------------------------------------------------------------


def test_a_huge_cases_file_is_refused_before_it_is_read(pack: Path) -> None:
    huge = pack / "cases" / "huge.toml"
    with huge.open("wb") as handle:
        handle.truncate(30_000_000)                  # sparse: 30 MB without writing them
    message = refusal(pack)
    assert ("copied/cases/huge.toml: 30000000 bytes, more than the "
            f"{files.MAX_FILE_BYTES} bytes a pack file may hold") in message
    assert_refused_by_cli(pack, "copied/cases/huge.toml: 30000000 bytes")


def test_a_file_at_the_size_limit_is_read_and_one_byte_more_is_refused(pack: Path) -> None:
    case_file = pack / "cases" / "unknowns.toml"
    text = case_file.read_text(encoding="utf-8")
    padding = files.MAX_FILE_BYTES - len(text.encode()) - 1
    case_file.write_text(text + "#" * padding + "\n", encoding="utf-8")
    assert case_file.stat().st_size == files.MAX_FILE_BYTES
    assert len(PackReader(pack.resolve()).read().cases) > 0
    case_file.write_text(text + "#" * (padding + 1) + "\n", encoding="utf-8")
    assert "more than the" in refusal(pack)


def test_a_pack_larger_than_the_pack_limit_is_refused(pack: Path) -> None:
    text = (pack / "cases" / "unknowns.toml").read_text(encoding="utf-8")
    count = files.MAX_PACK_BYTES // files.MAX_FILE_BYTES + 1
    for index in range(count):
        renamed = text.replace('name = "', f'name = "copy{index}-')
        filler = "#" * (files.MAX_FILE_BYTES - len(renamed.encode()) - 1) + "\n"
        (pack / "cases" / f"copy{index}.toml").write_text(renamed + filler, encoding="utf-8")
    message = refusal(pack)
    assert "copied: the pack's files hold" in message
    assert f"more than the {files.MAX_PACK_BYTES} bytes a pack may hold" in message


def test_too_many_files_in_a_folder_are_refused(pack: Path) -> None:
    for index in range(files.MAX_FILES_PER_FOLDER + 1 - len(list((pack / "cases").iterdir()))):
        (pack / "cases" / f"empty{index:03d}.toml").write_text("", encoding="utf-8")
    message = refusal(pack)
    assert (f"copied/cases: more than {files.MAX_FILES_PER_FOLDER} .toml files") in message


def test_a_pack_folder_given_by_path_with_an_unreadable_pack_toml_names_it(pack: Path) -> None:
    """Not 'no rule pack by that name': the folder is there, its pack.toml is the problem."""
    (pack / "pack.toml").unlink()
    (pack / "pack.toml").mkdir()
    with pytest.raises(RulePackError, match=r"copied/pack\.toml: not a regular file"):
        load_pack(pack)


def test_rules_check_reports_an_unreadable_pack_as_a_usage_error(
        pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (pack / "options" / "folder.toml").mkdir()
    with pytest.raises(RulePackError):
        check_pack(pack)
    assert main(["rules", "check", str(pack)]) == 2
    assert "copied/options/folder.toml: not a regular file (a folder)" in capsys.readouterr().err


def test_the_shipped_packs_are_well_inside_every_limit() -> None:
    for folder in sorted((ROOT / "rules").iterdir()):
        sizes = [path.stat().st_size for path in folder.rglob("*.toml")]
        assert max(sizes) * 10 < files.MAX_FILE_BYTES and sum(sizes) * 10 < files.MAX_PACK_BYTES


def test_an_option_at_the_criteria_limit_loads_and_one_more_is_refused(tmp_path: Path) -> None:
    """``rules check`` compares an option's criteria pairwise: 64 options of 64 took 21 s."""
    tests = [f"{{ field = \"conditions\", min_items = {count} }}" for count in range(1, 40)]
    folder = write_pack(tmp_path / "at", {"a": tests[:files.MAX_CRITERIA_PER_OPTION]}, 1)
    assert len(load_pack(folder).options[0].criteria) == files.MAX_CRITERIA_PER_OPTION
    folder = write_pack(tmp_path / "over", {"a": tests[:files.MAX_CRITERIA_PER_OPTION + 1]}, 1)
    assert refusal(folder) == (f"over/options/a.toml: option 'a' has "
                               f"{files.MAX_CRITERIA_PER_OPTION + 1} criteria, more than the "
                               f"{files.MAX_CRITERIA_PER_OPTION} an option may have")
    with pytest.raises(RulePackError):
        check_pack(folder)


# -- a file changed between the survey and the read --------------------------------------


def test_a_file_swapped_for_a_fifo_after_the_survey_is_refused_without_blocking(
        pack: Path) -> None:
    surveyed = files.PackFiles(pack.resolve())
    case = pack / "cases" / "unknowns.toml"
    case.unlink()
    os.mkfifo(case)
    outcome: list[str] = []

    def read() -> None:
        try:
            surveyed.read("cases/unknowns.toml")
        except RulePackError as error:
            outcome.append(str(error))
    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(30)
    if worker.is_alive():                            # a regression: release it, then fail
        with case.open("wb"):
            pass
        worker.join(5)
        pytest.fail("opening the FIFO blocked")
    assert outcome == ["copied/cases/unknowns.toml: not a regular file (a FIFO); a pack "
                       "holds regular files only"]


def test_a_file_swapped_for_a_link_after_the_survey_is_refused(pack: Path) -> None:
    surveyed = files.PackFiles(pack.resolve())
    case = pack / "cases" / "unknowns.toml"
    case.unlink()
    case.symlink_to("/dev/zero")
    with pytest.raises(RulePackError, match=r"copied/cases/unknowns\.toml: cannot be read"):
        surveyed.read("cases/unknowns.toml")


def test_files_grown_after_the_survey_are_refused(pack: Path) -> None:
    surveyed = files.PackFiles(pack.resolve())
    with (pack / "cases" / "unknowns.toml").open("a", encoding="utf-8") as handle:
        handle.write("#" * files.MAX_FILE_BYTES + "\n")
    with pytest.raises(RulePackError, match="bytes, more than the"):
        surveyed.read("cases/unknowns.toml")
    count = files.MAX_PACK_BYTES // files.MAX_FILE_BYTES + 1
    names = [rel for rel in surveyed.members["cases"] + surveyed.members["options"]
             if rel != "cases/unknowns.toml"]
    for rel in names[:count]:
        with (pack / rel).open("a", encoding="utf-8") as handle:
            handle.write("#" * (files.MAX_FILE_BYTES - (pack / rel).stat().st_size - 1) + "\n")
    with pytest.raises(RulePackError, match="the pack's files hold more than"):
        for rel in names[:count]:
            surveyed.read(rel)


@pytest.mark.parametrize("opening", ['x = "', "x = '''", 'x = """'])
def test_an_unterminated_string_is_scanned_in_linear_time(opening: str) -> None:
    # 'x = "' + '\\"' * n was rescanned from every quote: 40 KB took 35 s, 256 KiB hours.
    # A generous bound in a subprocess, not a timing: linear takes milliseconds.
    script = (
        "import tomllib\n"
        "from eligibility.rulepack.files import MAX_FILE_BYTES, parse_toml\n"
        f"data = ({opening!r} + '\\\\\"' * (MAX_FILE_BYTES // 2 - 4)).encode()\n"
        "try:\n"
        "    parse_toml(data, 'f')\n"
        "except tomllib.TOMLDecodeError:\n"
        "    print('refused')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=20, check=True)
    assert done.stdout.strip() == "refused"


@pytest.mark.parametrize("damage", [("min_value = 40", "min_value = inf"),
                                    ("min_value = 40", "min_value = nan"),
                                    ("min_value = 40", "min_value = 40 }\nhuge = " + "1" * 5000
                                     + "\n#")])
def test_numbers_no_threshold_can_be_are_pack_problems(
        pack: Path, damage: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    rule = pack / "options" / "lebrikizumab.toml"
    rule.write_text(rule.read_text().replace(*damage), encoding="utf-8")
    assert "copied/options/lebrikizumab.toml" in refusal(pack)
    report = check_pack(pack)
    assert any("lebrikizumab.toml" in problem.line() for problem in report.problems)
    teen = Path(__file__).parent.parent / "examples" / "teen-16-not-candidate-tralokinumab.json"
    assert main(["evaluate", str(teen), "--rules", str(pack)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_second_file_defining_an_option_is_reported_naming_both(pack: Path) -> None:
    shutil.copy(pack / "options" / "tralokinumab.toml", pack / "options" / "tralokinumab2.toml")
    message = refusal(pack)
    assert ("copied/options/tralokinumab2.toml: option 'tralokinumab' must be in "
            "options/tralokinumab.toml; rename the file") in message
    assert ("copied/options/tralokinumab2.toml: option 'tralokinumab' is already defined in "
            "copied/options/tralokinumab.toml") in message
