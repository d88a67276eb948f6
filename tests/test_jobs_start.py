"""How ``--jobs`` workers start, forked or spawned: with the pack by value, each saying it
is ready with the pack's digest; a worker that cannot start is one error, said once,
never started again; ``--jobs N`` starts N - 1 workers (this process decides too); and
an input of one chunk starts no worker at all.

Before: each worker read the pack from its folder by path (a pack edited or removed
during a run was what the workers decided with, or their traceback), a worker that
failed while starting printed its traceback to the run's stderr, and a one-profile
``--jobs 4`` run started four processes for nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eligibility.cli import main
from eligibility.errors import WorkerError
from eligibility.inputs.reader import PAUSE, InputRecord
from eligibility.rulepack.loader import load_pack
from eligibility.rulepack.model import RulePack
from eligibility.services import batch, pool, processes
from eligibility.services.batch import CHUNK, assess_chunks
from eligibility.services.pipeline import Pipeline
from eligibility.services.processes import WorkerProcess

ROOT = Path(__file__).resolve().parents[1]
PROFILE = {"age_years": 30, "severity": "severe", "topical_response": "inadequate"}


def _records(count: int) -> list[InputRecord]:
    return [InputRecord(f"f:{n}", {**PROFILE, "id": f"p{n}", "age_years": 2 + n % 60})
            for n in range(count)]


def _bytes(records: list[InputRecord], rules: str | RulePack, jobs: int) -> bytes:
    return b"".join(chunk.data for chunk in assess_chunks(records, rules=rules, jobs=jobs,
                                                          detail="brief"))


@pytest.fixture(params=["fork", "spawn"])
def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with workers forked (a process with no other thread) and spawned
    (any other process)."""
    assert threading.active_count() == 1  # else "fork" below would not be what runs
    monkeypatch.setattr(pool, "can_fork", lambda: request.param == "fork")
    return str(request.param)


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, start: str) -> list[WorkerProcess]:
    """Every worker process started, however it started."""
    made: list[WorkerProcess] = []
    for kind in (processes.Spawned, processes.Forked):
        def recording(self: WorkerProcess, *args: Any, real: Any = kind.__init__,
                      **kwargs: Any) -> None:
            real(self, *args, **kwargs)
            made.append(self)
        monkeypatch.setattr(kind, "__init__", recording)
    return made


def _ended(process: WorkerProcess) -> bool:
    try:
        process.wait(0)
    except subprocess.TimeoutExpired:
        return False
    return True


def test_a_pack_removed_after_it_was_read_is_still_what_the_workers_decide_with(
        tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(ROOT / "rules" / "article-2023", folder)
    pack = load_pack(folder)
    records = _records(3 * CHUNK)
    serial = _bytes(records, pack, 1)
    shutil.rmtree(folder)  # as an edit in the middle of a run would: nothing is read again
    assert _bytes(records, pack, 3) == serial
    digests = {json.loads(line)["rule_pack"]["digest"] for line in serial.splitlines()}
    assert digests == {pack.digest}


def _broken_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    import eligibility.services.pipeline as made_here
    monkeypatch.setattr(made_here, "Pipeline", None)


def _exits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processes, "BOOTSTRAP", "raise SystemExit(7)")
    monkeypatch.setattr(pool, "can_fork", lambda: False)  # a fork runs no bootstrap


@pytest.mark.parametrize(("breaking", "said"), [
    # The pipeline cannot be made (what a broken engine or pack would do in a worker).
    (_broken_pipeline,
     "a --jobs worker process could not start: TypeError: 'NoneType' object is not callable"),
    # The process ends before it says anything.
    (_exits, "a --jobs worker process exited with status 7 while starting; nothing was "
             "evaluated"),
])
def test_a_worker_that_cannot_start_is_said_once_and_never_started_again(
        breaking: Any, said: str, started: list[WorkerProcess],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capfd: pytest.CaptureFixture[str]) -> None:
    if breaking is _broken_pipeline:  # spawned, the worker's own import is what breaks
        monkeypatch.setattr(processes, "BOOTSTRAP", (
            "import sys; sys.path[:] = sys.argv[1:]; import eligibility.services.pipeline "
            "as p; p.Pipeline = None; from eligibility.services.worker import main; main()"))
    breaking(monkeypatch)
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps({**PROFILE, "id": f"p{n}"}) + "\n" for n in range(400)))
    assert main(["evaluate", str(path), "--format", "jsonl", "--rules", "article-2023",
                 "--jobs", "4"]) == 4
    out, err = capfd.readouterr()
    assert out == ""
    assert err == f"eligibility: error: {said}\n"  # one line: no worker's traceback
    # Never started again: at most the three workers asked for. Fewer when the first is
    # gone before the pack reaches it (its pipe breaks) and the run stops before the next.
    assert 1 <= len(started) <= 3
    assert all(_ended(process) for process in started)


def test_a_worker_holding_another_pack_stops_the_run_before_any_chunk(
        started: list[WorkerProcess], monkeypatch: pytest.MonkeyPatch) -> None:
    import eligibility.services.pipeline as made_here
    monkeypatch.setattr(made_here.Pipeline, "digest", "sha256:other")  # what a fork holds
    monkeypatch.setattr(processes, "BOOTSTRAP", (
        "import sys; sys.path[:] = sys.argv[1:]; import eligibility.services.pipeline as p; "
        "p.Pipeline.digest = 'sha256:other'; from eligibility.services.worker import main; "
        "main()"))
    with pytest.raises(WorkerError, match=r"holds another rule pack \(sha256:other\)"):
        _bytes(_records(3 * CHUNK + 1), "article-2023", 3)
    assert len(started) == 2
    assert all(_ended(process) for process in started)


@pytest.mark.parametrize("count", [0, 1, CHUNK])
def test_an_input_of_one_chunk_starts_no_worker(count: int,
                                                started: list[WorkerProcess]) -> None:
    records = _records(count)
    assert _bytes(records, "article-2023", 4) == _bytes(records, "article-2023", 1)
    assert started == []


@pytest.mark.parametrize("jobs", [2, 3])
def test_more_than_one_chunk_starts_one_worker_fewer_than_jobs(
        jobs: int, started: list[WorkerProcess]) -> None:
    records = _records(5 * CHUNK + 1)
    assert _bytes(records, "article-2023", jobs) == _bytes(records, "article-2023", 1)
    assert len(started) == jobs - 1
    assert all(_ended(process) for process in started)


def test_a_pause_after_the_first_chunk_starts_the_workers(
        started: list[WorkerProcess]) -> None:
    """A stream that pauses may go on: the run cannot know it is one chunk."""
    def stream() -> Iterator[InputRecord]:
        yield from _records(3)
        yield PAUSE
    chunks = list(assess_chunks(stream(), rules="article-2023", jobs=3))
    assert sum(len(chunk.oks) for chunk in chunks) == 3
    assert len(started) == 2
    assert batch.CHUNK == CHUNK


def test_a_worker_that_fails_while_deciding_says_why_and_the_run_names_its_records(
        started: list[WorkerProcess], start: str, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """A fault no record explains (here: ``encode`` itself raising) ends the run with exit
    4 and the records the worker held; the worker first says why in one line, no
    traceback. Before, a forked worker said nothing and a spawned one printed its
    traceback."""
    parent = os.getpid()
    real = Pipeline.encode

    def failing(self: Pipeline, records: Any) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("boom\nsecond line")
        return real(self, records)
    monkeypatch.setattr(Pipeline, "encode", failing)
    monkeypatch.setattr(processes, "BOOTSTRAP", (
        "import sys; sys.path[:] = sys.argv[1:]; import eligibility.services.pipeline as p; "
        "p.Pipeline.encode = lambda self, records: "
        "(_ for _ in ()).throw(RuntimeError('boom\\nsecond line')); "
        "from eligibility.services.worker import main; main()"))
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps({**PROFILE, "id": f"p{n}"}) + "\n"
                            for n in range(4 * CHUNK)))
    assert main(["evaluate", str(path), "--format", "jsonl", "--rules", "article-2023",
                 "--jobs", "2", "-o", str(tmp_path / "out.jsonl")]) == 4
    _, err = capfd.readouterr()
    lines = err.splitlines()
    assert lines[0] == "eligibility: a --jobs worker process stopped: RuntimeError: boom"
    assert re.fullmatch(r"eligibility: error: a --jobs worker process exited with status "
                        r"\d+ while evaluating .*batch\.jsonl:\d+ to .*:\d+; the output is "
                        r"incomplete", lines[-1]), lines[-1]
    assert lines[1].endswith("out.jsonl was not written")  # the output is left as it was
    assert "Traceback" not in err
    assert len(lines) == 3, err
    assert all(_ended(process) for process in started)


_FAILING_THREAD = {
    # The thread that sends results: a result it cannot send (not the parent gone).
    "sends": ("real = worker.send\n"
              "def send(stream, item):\n"
              "    if not isinstance(item, tuple):\n"
              "        raise MemoryError('simulated')\n"
              "    return real(stream, item)\n"
              "worker.send = send\n", "MemoryError: simulated"),
    # The thread that reads chunks: a frame it cannot read (not the end of input).
    "reads": ("import pickle\n"
              "def receive(stream):\n"
              "    raise pickle.UnpicklingError('simulated')\n"
              "worker.receive = receive\n", "UnpicklingError: simulated"),
}


@pytest.mark.parametrize("thread", sorted(_FAILING_THREAD))
def test_a_worker_thread_that_fails_ends_the_run_instead_of_hanging_it(
        thread: str, tmp_path: Path) -> None:
    """Before, a fault in a forked worker's sending thread left the parent waiting for
    an answer for ever (and a fault reading a frame read as a normal exit, status 0)."""
    patch, said = _FAILING_THREAD[thread]
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps({**PROFILE, "id": f"p{n}"}) + "\n"
                            for n in range(6 * CHUNK)))
    # Patched after every import: the worker's own uses change, not the parent's.
    script = ("import sys\nfrom eligibility.cli import main\n"
              "import eligibility.services.worker_handle\n"
              "from eligibility.services import worker\n" + patch +
              f"sys.exit(main(['evaluate', {str(path)!r}, '--format', 'jsonl', '--jobs', '2', "
              f"'--rules', 'article-2023', '-o', {str(tmp_path / 'out.jsonl')!r}]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 4, done.stderr
    lines = done.stderr.splitlines()
    assert f"eligibility: a --jobs worker process stopped: {said}" in lines
    assert re.fullmatch(r"eligibility: error: a --jobs worker process exited with status 70 "
                        r"while evaluating .*; the output is incomplete", lines[-1]), lines
    assert "Traceback" not in done.stderr


def test_a_ctrl_c_while_a_worker_is_forked_leaves_no_process_and_no_descriptor(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, a Ctrl-C arriving as the fork returned raised before the worker was known
    to the run: the worker and four pipe ends were left behind."""
    monkeypatch.setattr(pool, "can_fork", lambda: True)
    real = os.fork
    children: list[int] = []

    def fork() -> int:
        pid = real()
        if pid:
            children.append(pid)
            # To this thread: a process-wide signal could land on another thread of the
            # test process, which forks only when it has one thread in real runs.
            signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        return pid
    monkeypatch.setattr(os, "fork", fork)
    before = set(os.listdir("/proc/self/fd"))
    with pytest.raises(KeyboardInterrupt):
        _bytes(_records(6 * CHUNK), "article-2023", 2)
    assert len(children) == 1
    with pytest.raises(ChildProcessError):  # reaped: no longer this process's child
        os.waitpid(children[0], os.WNOHANG)
    assert set(os.listdir("/proc/self/fd")) == before


def test_a_worker_gone_before_a_chunk_reaches_it_is_named_by_the_records_it_held(
        start: str) -> None:
    from eligibility.rulepack.identity import identified
    from eligibility.services.worker_handle import WorkerHandle

    pack = identified(load_pack("article-2023"))
    handle = WorkerHandle(pack, None, "brief", None, fork=start == "fork")
    try:
        handle.ready(pack.digest)
        records = _records(2 * CHUNK)
        handle.submit(records[:CHUNK])
        handle.process.kill()
        assert handle.process.wait(5) == -signal.SIGKILL
        with pytest.raises(WorkerError) as raised:
            handle.submit(records[CHUNK:])
        # The chunk it held, not the one that never reached it.
        assert str(raised.value) == (f"a --jobs worker process was killed by signal 9 while "
                                     f"evaluating f:0 to f:{CHUNK - 1}; the output is incomplete")
    finally:
        handle.stop(finished=False)
