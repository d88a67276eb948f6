"""A replayed JWT is refused whichever process receives it, over real HTTP.

Two ``eligibility serve`` processes sharing one ``[service] replay_store`` file stand for
any deployment of several processes (behind one load balancer, or ``--workers``): a token
used on one is refused on the other. ``--workers 2`` runs with the shared store and is
refused without it, since each worker alone would remember only its own tokens. The
feedback counts live in the same file, so every process adds to the same totals.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from http_support import BASE_URL, Service, ec_key, serve, token, write_config

from eligibility.http.feedback import MemoryFeedback, SqliteFeedback
from eligibility.http.replay import ReplayGuard, SqliteReplayStore

KEY = ec_key()
DISCOVERY = BASE_URL + "/cds-services"


def get(service: Service, bearer: str) -> int:
    response = httpx.get(service.url + "/cds-services", trust_env=False, timeout=20,
                         headers={"Authorization": f"Bearer {bearer}"})
    return response.status_code


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("replay")
    return write_config(folder, keys=[KEY], fhir_base="http://127.0.0.1:9/fhir",
                        service_extra='replay_store = "seen-jti.sqlite"\n')


@pytest.fixture(scope="module")
def pair(config: Path) -> Iterator[tuple[Service, Service]]:
    with serve(config, config.parent / "a.log") as first, \
            serve(config, config.parent / "b.log") as second:
        yield first, second


def test_a_token_used_on_one_process_is_refused_on_the_other(
        pair: tuple[Service, Service], config: Path) -> None:
    first, second = pair
    bearer = token(KEY, DISCOVERY)
    assert get(first, bearer) == 200
    assert get(second, bearer) == 401
    assert get(first, bearer) == 401
    other = token(KEY, DISCOVERY)
    assert get(second, other) == 200 and get(first, other) == 401
    assert (config.parent / "seen-jti.sqlite").exists()  # relative to the config file


def _feedback(service: Service, outcomes: list[str]) -> int:
    path = "/cds-services/eligibility-patient-view/feedback"
    body = {"feedback": [{"card": f"00000000-0000-4000-8000-00000000000{index}", "outcome": outcome,
                          "outcomeTimestamp": "2026-06-01T10:05:31Z"}
                         for index, outcome in enumerate(outcomes)]}
    response = httpx.post(service.url + path, json=body, trust_env=False, timeout=20,
                          headers={"Authorization": f"Bearer {token(KEY, BASE_URL + path)}"})
    return response.status_code


def test_feedback_counts_are_shared_by_the_processes(
        pair: tuple[Service, Service], config: Path) -> None:
    first, second = pair
    assert _feedback(first, ["accepted", "overridden"]) == 200
    assert _feedback(second, ["accepted"]) == 200
    counts = SqliteFeedback(config.parent / "seen-jti.sqlite")
    try:
        assert counts.totals() == {("eligibility-patient-view", "accepted"): 2,
                                   ("eligibility-patient-view", "overridden"): 1}
    finally:
        counts.close()


def test_feedback_counts_in_memory_and_a_store_that_cannot_be_written(tmp_path: Path) -> None:
    memory = MemoryFeedback()
    memory.add("s", "accepted")
    memory.add("s", "accepted")
    assert memory.totals() == {("s", "accepted"): 2}
    broken = SqliteFeedback(tmp_path / "missing-folder" / "seen.sqlite")
    broken.add("s", "accepted")  # logged and dropped: feedback never fails the call


def test_workers_share_the_store(config: Path) -> None:
    with serve(config, config.parent / "workers.log", "--workers", "2") as service:
        deadline = time.monotonic() + 60
        while service.stderr().count("Application startup complete") < 2:
            assert time.monotonic() < deadline, service.stderr()
            time.sleep(0.2)
        pids = set(re.findall(r"Started server process \[(\d+)\]", service.stderr()))
        assert len(pids) == 2  # two worker processes answer on the one port
        bearer = token(KEY, DISCOVERY)
        assert get(service, bearer) == 200
        assert [get(service, bearer) for _ in range(8)] == [401] * 8


def test_workers_without_a_shared_store_are_refused(tmp_path: Path) -> None:
    plain = write_config(tmp_path, keys=[KEY], fhir_base="http://127.0.0.1:9/fhir")
    done = subprocess.run([sys.executable, "-m", "eligibility", "serve", "--config", str(plain),
                           "--workers", "2", "--port", "1"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "replay_store" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("make", [ReplayGuard, lambda: SqliteReplayStore(Path(":memory:"))],
                         ids=["memory", "sqlite"])
def test_a_jti_is_free_again_once_its_token_has_expired(make: object) -> None:
    assert callable(make)
    store = make()
    assert store.first_use("iss", "j1", until=100.0, now=10.0)
    assert not store.first_use("iss", "j1", until=100.0, now=99.0)
    assert store.first_use("other-iss", "j1", until=100.0, now=99.0)  # per issuer
    assert store.first_use("iss", "j1", until=200.0, now=100.0)  # expired: a new token
    assert not store.first_use("iss", "j1", until=200.0, now=150.0)


def test_an_unusable_store_refuses_rather_than_lets_through(tmp_path: Path) -> None:
    store = SqliteReplayStore(tmp_path / "missing-folder" / "seen.sqlite")
    assert not store.first_use("iss", "j1", until=100.0, now=10.0)


def test_a_shared_store_is_claimed_off_the_event_loop(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # A claim may wait up to 5 s on another process's lock: never on the loop serving others.
    import asyncio
    import threading

    from eligibility.http.auth import Verifier
    from eligibility.http.config import load_config

    config = load_config(write_config(tmp_path, keys=[KEY], fhir_base="http://127.0.0.1:9",
                                      service_extra='replay_store = "seen.sqlite"'))
    threads: list[threading.Thread] = []
    real = SqliteReplayStore.first_use

    def recording(self: SqliteReplayStore, *claim: Any) -> bool:
        threads.append(threading.current_thread())
        return real(self, *claim)
    monkeypatch.setattr(SqliteReplayStore, "first_use", recording)

    async def check() -> threading.Thread:
        await Verifier(config).verify(f"Bearer {token(KEY, DISCOVERY)}", DISCOVERY)
        return threading.current_thread()

    loop_thread = asyncio.run(check())
    assert len(threads) == 1 and threads[0] is not loop_thread
    assert not ReplayGuard.blocking and SqliteReplayStore.blocking
