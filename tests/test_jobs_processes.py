"""``--jobs``: whatever stops a run (a reader going away, a full disk, a signal, a dead
worker), it ends at once, says so in at most one line, and leaves no process behind;
and memory stays bounded however slowly the output is read.

Each process of a run is found by a tag in its environment (workers inherit it), so a
survivor is seen even after its parent is gone. The loops run ``ITERATIONS`` times (20
by default; ``ELIGIBILITY_LOOP_ITERATIONS`` raises it), each bounded by a timeout: the
hang they guard against showed up in about half of all runs, never in every one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import signal
import subprocess
import sys
import termios
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

ITERATIONS = int(os.environ.get("ELIGIBILITY_LOOP_ITERATIONS", "20"))
TIMEOUT = 60.0
INTERRUPTED = b"eligibility: interrupted; records written so far are complete\n"
LINE = b'{"id": "p%d", "age_years": 30, "severity": "severe", "topical_response": "inadequate"}\n'


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30,000 profiles: ~500 MB of output, far more than any run here lets through."""
    path = tmp_path_factory.mktemp("jobs") / "big.jsonl"
    path.write_bytes(b"".join(LINE % n for n in range(30_000)))
    return path


def _tagged(tag: str) -> list[int]:
    """Every live process (not a zombie) whose environment carries the tag."""
    mark = f"ELIGIBILITY_TEST_TAG={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if mark in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def _start(path: Path, jobs: int, tag: str, stdout: int | IO[bytes]) -> subprocess.Popen[bytes]:
    # Its own session, as a shell job would be, so a group signal reaches only the run;
    # SIGINT back to its default, as a terminal's would be (background jobs ignore it).
    return subprocess.Popen(
        [sys.executable, "-m", "eligibility", "evaluate", str(path), "--format", "jsonl",
         "--rules", "article-2023", "--jobs", str(jobs)],
        stdout=stdout, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        env={**os.environ, "ELIGIBILITY_TEST_TAG": tag}, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _finish(process: subprocess.Popen[bytes], tag: str) -> bytes:
    """The run's stderr once it has ended; fails (after killing every survivor) if the
    run hangs or any of its processes outlives it by more than the timeout."""
    try:
        _, err = process.communicate(timeout=TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while _tagged(tag) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = _tagged(tag)
        assert not survivors, f"processes left behind: {survivors}"
    except subprocess.TimeoutExpired:
        pytest.fail(f"the run hung: {process.args}")
    finally:
        for pid in [process.pid, *_tagged(tag)]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        process.wait()
    return err


def _read_some(stream: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes, as soon as they come (less only if the stream ends)."""
    data = b""
    while len(data) < size:
        block = os.read(stream.fileno(), size - len(data))
        if not block:
            break
        data += block
    return data


def _scenarios(kinds: tuple[str, ...]) -> Iterator[tuple[int, str, int, int]]:
    """(iteration, kind, jobs, bytes to read first), varied but the same on every run."""
    chance = random.Random(12)
    for iteration in range(ITERATIONS):
        yield iteration, kinds[iteration % len(kinds)], 3 + iteration % 2, chance.randrange(1, 300_000)


def test_a_reader_or_a_disk_that_fails_ends_the_run_at_once_and_every_worker(
        big_input: Path) -> None:
    for iteration, kind, jobs, size in _scenarios(("head", "close", "full")):
        tag = uuid.uuid4().hex
        if kind == "full":
            with open("/dev/full", "wb") as full:
                process = _start(big_input, jobs, tag, full)
            err = _finish(process, tag)
            assert process.returncode == 3, (iteration, err)
            assert err == b"eligibility: error: cannot write the output: No space left on device\n"
            continue
        process = _start(big_input, jobs, tag, subprocess.PIPE)
        assert process.stdout is not None
        # `| head -c N` reads N bytes and goes; `| cmp` stops at the first difference.
        got = _read_some(process.stdout, size if kind == "head" else 1)
        assert got, (iteration, process.stderr.read() if process.stderr else b"")
        process.stdout.close()
        err = _finish(process, tag)
        assert process.returncode == 141, (iteration, kind, err)
        assert err == b"", (iteration, kind, err)


def test_a_signal_or_a_dead_worker_ends_the_run_and_leaves_no_process(big_input: Path) -> None:
    for iteration, kind, jobs, size in _scenarios(("ctrl-c", "term", "kill", "worker-killed")):
        tag = uuid.uuid4().hex
        process = _start(big_input, jobs, tag, subprocess.PIPE)
        assert process.stdout is not None
        _read_some(process.stdout, size)
        if kind == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)  # what a terminal does: the whole group
        elif kind == "term":
            process.terminate()
        elif kind == "kill":
            process.kill()
        else:
            workers = [pid for pid in _tagged(tag) if pid != process.pid]
            assert len(workers) == jobs - 1, (iteration, workers)  # this process decides too
            os.kill(workers[iteration % len(workers)], signal.SIGKILL)
        err = _finish(process, tag)  # communicate() reads on, as a live reader would
        if kind == "ctrl-c":
            assert process.returncode == 130, (iteration, err)
            assert err == INTERRUPTED, (iteration, err)  # one line: no worker tracebacks
        elif kind == "worker-killed":
            assert process.returncode == 4, (iteration, err)
            assert err.startswith(b"eligibility: error: a --jobs worker process was killed by "
                                  b"signal 9 while evaluating "), (iteration, err)
            assert err.count(b"\n") == 1, (iteration, err)
        else:
            assert process.returncode == -(signal.SIGTERM if kind == "term" else signal.SIGKILL)


def _memory_kb(pids: list[int]) -> dict[int, int]:
    """Peak resident memory (VmHWM) of each process, in kB."""
    peaks = {}
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks[pid] = int(line.split()[1])
    return peaks


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def _unread(stream: IO[bytes]) -> int:
    buffer = bytearray(4)
    fcntl.ioctl(stream.fileno(), termios.FIONREAD, buffer)
    return int.from_bytes(buffer, sys.byteorder)


def test_memory_stays_bounded_while_the_reader_is_paused(big_input: Path) -> None:
    """A reader that stops reading holds the run still: every process waits, none grows.

    The run is watched until it is quiet (output waiting in the pipe, and no process
    using CPU for two seconds), and the peak memory of each of its processes is then
    read. Chunks in flight are a fixed window, so the parent stays near one process's
    size; before, it kept every finished chunk (~17 KB a record) and grew by hundreds
    of MB here.
    """
    tag = uuid.uuid4().hex
    process = _start(big_input, 2, tag, subprocess.PIPE)
    assert process.stdout is not None
    try:
        deadline = time.monotonic() + 120
        quiet, last = 0, -1
        while quiet < 4 and time.monotonic() < deadline:
            time.sleep(0.5)
            ticks = _cpu_ticks(_tagged(tag))
            quiet = quiet + 1 if ticks == last and _unread(process.stdout) > 0 else 0
            last = ticks
        peaks = _memory_kb(_tagged(tag))
    finally:
        process.stdout.close()
    err = _finish(process, tag)
    assert max(peaks.values()) < 150_000, peaks
    assert sum(peaks.values()) < 400_000, peaks
    assert len(peaks) == 2, peaks  # the parent, which decides too, and its one worker
    assert process.returncode == 141, err
