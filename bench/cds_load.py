"""Load run of the CDS Hooks service: patient-view with a 200-resource prefetch.

    python bench/cds_load.py                 # 500 requests, 4 at a time
    python bench/cds_load.py --requests 100  # quicker
    python bench/cds_load.py --workers 2     # two service processes (a shared replay store)

Starts ``eligibility serve`` on 127.0.0.1 (a uvicorn process), then sends a fixed number
of requests from this second process over loopback, each with a fresh ES384 JWT, and
prints requests per second and p50/p95/p99 latency. Numbers only, no pass/fail: the
machine is shared and noisy. It also checks that identical requests got identical bytes.
The issue's target is p95 under 100 ms on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402
from fhir_records import chart  # noqa: E402
from http_support import BASE_URL, ec_key, fhir_server, serve, token, write_config  # noqa: E402

PATH = "/cds-services/eligibility-patient-view"


def prefetch_of(size: int) -> dict[str, Any]:
    """A chart of ``size`` resources: the patient, AD and other Conditions, weight, answers."""
    base = chart()
    count = sum(len(v["entry"]) if v["resourceType"] == "Bundle" else 1 for v in base.values())
    return chart(extra_conditions=size - count)


async def run(url: str, total: int, concurrency: int, body: bytes,
              key: Any) -> tuple[list[float], set[bytes], float]:
    latencies: list[float] = []
    answers: set[bytes] = set()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(total):
        queue.put_nowait(number)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            queue.get_nowait()
            headers = {"Authorization": f"Bearer {token(key, BASE_URL + PATH)}",
                       "Content-Type": "application/json"}
            start = time.perf_counter()
            response = await client.post(url + PATH, content=body, headers=headers)
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise SystemExit(f"answered {response.status_code}: {response.text[:300]}")
            answers.add(response.content)

    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return latencies, answers, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process and its live children, from /proc (Linux):
    with ``--workers`` the requests are served by the supervisor's children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(kid) for kid in children.read_text().split()] if children.exists() else []
    return own + sum(cpu_seconds(kid) for kid in kids)


def wait_for_workers(log: Path, workers: int, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while log.read_text(errors="replace").count("Application startup complete") < workers:
        if time.monotonic() > deadline:
            raise SystemExit(f"the {workers} workers did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    key = ec_key()
    prefetch = prefetch_of(args.resources)
    body = json.dumps({"hook": "patient-view", "hookInstance": "0b8a4c1e-0000-4000-8000-000000000001",
                       "context": {"userId": "Practitioner/1", "patientId": "p1"},
                       "prefetch": prefetch}).encode()
    with tempfile.TemporaryDirectory() as folder, fhir_server() as fhir:
        config = write_config(Path(folder), keys=[key], fhir_base=fhir.base,
                              extra="[limits]\nmax_prefetch_resources = 1000\n",
                              service_extra='replay_store = "jti.sqlite"\n'
                              if args.workers > 1 else "")
        log = Path(folder) / "service.log"
        with serve(config, log, "--workers", str(args.workers)) as service:
            wait_for_workers(log, args.workers)
            asyncio.run(run(service.url, 20, 2, body, key))  # warm-up, not counted
            cpu_before = cpu_seconds(service.process.pid)
            latencies, answers, seconds = asyncio.run(
                run(service.url, args.requests, args.concurrency, body, key))
            cpu = cpu_seconds(service.process.pid) - cpu_before
    cuts = statistics.quantiles([1000 * value for value in latencies], n=100)
    print(f"patient-view, {args.resources}-resource prefetch, {len(body)} bytes per request, "
          f"{args.requests} requests, {args.concurrency} at a time, {args.workers} worker(s)")
    print(f"  {args.requests / seconds:8.1f} requests/s")
    print(f"  p50 {cuts[49]:6.1f} ms   p95 {cuts[94]:6.1f} ms   p99 {cuts[98]:6.1f} ms")
    print(f"  service CPU {1000 * cpu / args.requests:6.2f} ms per request (user+system; "
          f"what the service itself spends, whatever else the machine is doing)")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores while measured")
    print(f"  identical bytes for identical requests: {'yes' if len(answers) == 1 else 'NO'}")


if __name__ == "__main__":
    main()
