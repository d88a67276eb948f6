"""Output that cannot be written, streams that are closed, an engine that cannot load:
each is one line on stderr and its own exit status, never a traceback and never 1
(which means "some input was invalid"). Run as real processes: the failures are the
process's own file descriptors.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLES

from eligibility.render.json_lines import write_json_array
from eligibility.render.wire import EncodedRecord

PATIENT = str(EXAMPLES / "teen-16-not-candidate-tralokinumab.json")
#: Every command that writes to stdout, each with a pack named (no note on stderr).
COMMANDS = {
    "evaluate-jsonl": ["evaluate", str(EXAMPLES), "--format", "jsonl", "--rules", "article-2023"],
    "evaluate-json": ["evaluate", str(EXAMPLES), "--format", "json", "--rules", "article-2023"],
    "evaluate-table": ["evaluate", str(EXAMPLES), "--format", "table", "--rules", "article-2023"],
    "explain": ["explain", PATIENT, "--rules", "article-2023"],
    "rules-show": ["rules", "show", "article-2023"],
    "rules-table": ["rules", "table", "article-2023"],
    "rules-diff": ["rules", "diff", "article-2023", "us-labels-2026"],
    "schema": ["schema"],
}
NO_SPACE = b"eligibility: error: cannot write the output: No space left on device\n"


def _run(argv: list[str], *, stdout: object = subprocess.PIPE, stdin: object = subprocess.DEVNULL,
         env: dict[str, str] | None = None,
         preexec_fn: Callable[[], None] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "eligibility", *argv], stdout=stdout,
                          stdin=stdin, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
                          preexec_fn=preexec_fn, timeout=120, check=False)


@pytest.mark.parametrize("name", COMMANDS)
def test_a_full_disk_is_one_line_and_exit_3(name: str) -> None:
    with open("/dev/full", "wb") as full:
        result = _run(COMMANDS[name], stdout=full)
    assert (result.returncode, result.stderr) == (3, NO_SPACE)


@pytest.mark.parametrize("argv", [COMMANDS["evaluate-jsonl"], ["--help"]])
def test_a_closed_stdout_is_one_line_and_exit_3(argv: list[str]) -> None:
    result = _run(argv, preexec_fn=lambda: os.close(1))
    assert result.returncode == 3
    assert result.stderr == b"eligibility: error: cannot write the output: standard output is closed\n"


@pytest.mark.parametrize("argv", [["evaluate", "-", "--rules", "article-2023"],
                                  ["evaluate", "-", "--rules", "article-2023", "--jobs", "2"],
                                  ["explain", "-", "--rules", "article-2023"]])
def test_reading_a_closed_stdin_is_one_line_and_exit_3(argv: list[str]) -> None:
    result = _run(argv, stdin=None, preexec_fn=lambda: os.close(0))
    assert result.returncode == 3
    assert result.stderr == b"eligibility: error: cannot read standard input (-): it is closed\n"


def test_a_closed_stdin_does_not_matter_when_it_is_not_read() -> None:
    result = _run(COMMANDS["evaluate-jsonl"], stdin=None, preexec_fn=lambda: os.close(0))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(b"\n") > 5


@pytest.mark.parametrize("name", ["explain", "rules-show", "rules-table", "rules-diff",
                                  "evaluate-table"])
def test_a_stdout_that_is_not_utf8_gets_escapes_never_a_crash(name: str) -> None:
    result = _run(COMMANDS[name], env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(b"\n") <= 1, result.stderr  # at most evaluate's summary line
    result.stdout.decode("ascii")  # every byte written is what the stream asked for
    if name != "evaluate-table":  # rich draws its tables in ASCII for such a stream
        assert b"\\u" in result.stdout  # a dash or an arrow, escaped rather than lost


@pytest.mark.parametrize("name", ["evaluate-jsonl", "evaluate-table"])
def test_a_reader_going_away_stops_quietly_with_141(name: str, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"  # far more output than a pipe holds
    big.write_bytes(b'{"id": "p", "age_years": 30}\n' * 2_000)
    argv = [*COMMANDS[name][:1], str(big), *COMMANDS[name][2:]]
    process = subprocess.Popen([sys.executable, "-m", "eligibility", *argv],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(100)  # `| head -c 100`
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=120) == 141
    assert err == b""


def _records_then_ctrl_c(count: int) -> Iterator[EncodedRecord]:
    for number in range(count):
        yield EncodedRecord(json.dumps({"profile": f"p{number}"}), ok=True)
    raise KeyboardInterrupt


@pytest.mark.parametrize("count", [0, 1, 3])
def test_an_interrupted_json_array_is_still_closed(count: int) -> None:
    out = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        write_json_array(_records_then_ctrl_c(count), out)
    assert [item["profile"] for item in json.loads(out.getvalue())] == [
        f"p{number}" for number in range(count)]
    # As a process: tests/test_batch.py::test_ctrl_c_stops_cleanly_with_complete_records...


def test_an_engine_that_cannot_be_imported_is_one_line_naming_the_fix(tmp_path: Path) -> None:
    # What a durable-rules wheel built on Python 3.13 without the README's CPPFLAGS does.
    (tmp_path / "durable_rules_engine.py").write_text(
        'raise ImportError("durable_rules_engine.cpython-313-x86_64-linux-gnu.so: '
        'undefined symbol: PyEval_CallObject", name="durable_rules_engine")\n')
    env = {"PYTHONPATH": str(tmp_path)}
    result = _run(COMMANDS["evaluate-jsonl"], env=env)
    assert result.returncode == 4
    assert result.stdout == b""
    line = result.stderr.decode()
    assert line.count("\n") == 1 and line.startswith("eligibility: error: the rule engine")
    assert "undefined symbol: PyEval_CallObject" in line
    assert f"{sys.executable} -m pip cache remove durable_rules && " in line
    assert (f"CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject {sys.executable} -m pip install "
            "--no-cache-dir --force-reinstall durable-rules==2.0.28") in line
    # The library still imports, and says the same when asked to evaluate.
    library = subprocess.run(
        [sys.executable, "-c", "import eligibility\ntry:\n eligibility.evaluate({})\n"
         "except eligibility.EligibilityError as error:\n print(type(error).__name__)"],
        capture_output=True, env={**os.environ, **env}, timeout=120, check=False)
    assert library.stdout == b"EngineUnavailableError\n", library.stderr


def test_every_install_command_in_the_readme_carries_the_flag_and_names_the_prerequisites(
) -> None:
    """The README's own commands (install, Developing) build durable-rules the way the
    one-line fix does, so following them never caches a broken wheel on Python 3.13."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    text = " ".join(readme.split())  # commands may wrap in prose
    flag = "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject"
    before = re.findall(r"(\S+) (?:\S*python\S* -m )?pip install", text)
    assert len(before) >= 4, before  # quick start, the fix, the extras, Developing
    assert set(before) == {flag}, before
    developing = readme.split("## Developing", 1)[1].split("\n## ", 1)[0]
    assert f"{flag} pip install -e" in developing
    assert "a C compiler and the Python headers" in readme


def _file_size_limit(size: int) -> Callable[[], None]:
    def limit() -> None:
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("format_", ["jsonl", "json", "csv"])
def test_an_output_file_that_cannot_be_written_is_one_line_and_exit_3(
        jobs: str, format_: str, tmp_path: Path) -> None:
    """``-o FILE`` fails as stdout does: one line naming the file, exit 3, nothing left.
    Before: a traceback and exit 1, which means "some input was invalid"."""
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps({"id": f"p{n}", "age_years": n % 90}) + "\n"
                             for n in range(3000)))
    argv = ["evaluate", str(batch), "--format", format_, "--rules", "article-2023",
            "--jobs", jobs, "-o"]
    full = _run([*argv, "/dev/full"])
    assert (full.returncode, full.stderr) == (
        3, b"eligibility: error: cannot write the output to /dev/full: No space left on device\n")
    target = tmp_path / "out"
    large = _run([*argv, str(target)], preexec_fn=_file_size_limit(100_000))
    assert large.returncode == 3
    assert large.stderr.decode() == (f"eligibility: {target} was not written\n"
                                     f"eligibility: error: cannot write the output to {target}: "
                                     "File too large\n")
    assert os.listdir(tmp_path) == ["batch.jsonl"]  # no partial file left
