"""What the HTTP tests share: keys and tokens, a real uvicorn process, a loopback FHIR server.

Everything listens on 127.0.0.1 and nothing is asked of any other address. The service
runs as ``eligibility serve --config FILE`` in a subprocess (the command a deployment
runs); the FHIR server is a small threaded ``http.server`` in the test process that
serves what a test puts in ``routes`` and records every request it gets.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://ehr.example.org"
OTHER_ISSUER = "https://other-ehr.example.org"
BASE_URL = "https://cds.example.org"
AS_OF = "2026-06-01"
SANDBOX = "https://sandbox.cds-hooks.org"


@dataclass
class SigningKey:
    kid: str
    alg: str
    private: Any

    def public_jwk(self) -> dict[str, Any]:
        maker = ECAlgorithm if self.alg.startswith("ES") else RSAAlgorithm
        jwk: dict[str, Any] = maker.to_jwk(self.private.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}


def ec_key(kid: str = "ec-1") -> SigningKey:
    return SigningKey(kid, "ES384", ec.generate_private_key(ec.SECP384R1()))


def rsa_key(kid: str = "rsa-1") -> SigningKey:
    return SigningKey(kid, "RS384", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def jwks(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [key.public_jwk() for key in keys]}


def token(key: SigningKey, aud: str | list[str], *, iss: str = ISSUER, lifetime: int = 300,
          iat: float | None = None, jti: str | None = None, drop: tuple[str, ...] = (),
          headers: Mapping[str, Any] | None = None, **claims: Any) -> str:
    now = time.time() if iat is None else iat
    payload: dict[str, Any] = {"iss": iss, "aud": aud, "exp": int(now) + lifetime,
                               "iat": int(now), "jti": jti or str(uuid.uuid4()), **claims}
    for name in drop:
        payload.pop(name, None)
    header = {"kid": key.kid, "typ": "JWT", **(headers or {})}
    return jwt.encode(payload, key.private, algorithm=key.alg, headers=header)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class FhirServer:
    """A FHIR server on loopback: ``routes`` maps a path with query to (status, JSON)."""

    routes: dict[str, tuple[int, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    delay: float = 0.0
    port: int = 0
    #: Hold every answer until this many requests are in flight at once (or 5 s pass): a
    #: client that reads one at a time never gets there. 0: answer at once.
    gate: int = 0
    #: The most requests that were in flight at the same moment.
    most_at_once: int = 0
    _active: int = 0
    _opened: bool = False
    _lock: threading.Condition = field(default_factory=threading.Condition)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/fhir"

    def reset(self) -> None:
        self.routes.clear()
        self.requests.clear()
        self.delay = 0.0
        with self._lock:
            self.gate = self.most_at_once = 0
            self._opened = False

    @contextlib.contextmanager
    def in_flight(self) -> Iterator[None]:
        """Count one request in flight for as long as it is being answered."""
        with self._lock:
            self._active += 1
            self.most_at_once = max(self.most_at_once, self._active)
            if self.gate and self._active >= self.gate:
                self._opened = True
                self._lock.notify_all()
            if self.gate:
                self._lock.wait_for(lambda: self._opened, timeout=5.0)
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1


@contextlib.contextmanager
def fhir_server() -> Iterator[FhirServer]:
    state = FhirServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, self.headers.get("Authorization")))
            with state.in_flight():
                if state.delay:
                    time.sleep(state.delay)
                status, body = state.routes.get(self.path,
                                                (404, {"resourceType": "OperationOutcome"}))
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def write_config(folder: Path, *, keys: list[SigningKey], fhir_base: str,
                 other_jwks_url: str | None = None, extra: str = "",
                 service_extra: str = "") -> Path:
    (folder / "ehr-jwks.json").write_text(json.dumps(jwks(*keys)), encoding="utf-8")
    other = "" if other_jwks_url is None else f'''
[[clients]]
issuer = "{OTHER_ISSUER}"
jwks_url = "{other_jwks_url}"
algorithms = ["ES384"]
'''
    text = f'''[service]
base_url = "{BASE_URL}"
rules = "article-2023"
as_of = {AS_OF}
allow_loopback_http = true
jwks_refresh_seconds = 2
{service_extra}
[[clients]]
issuer = "{ISSUER}"
jwks_file = "ehr-jwks.json"
algorithms = ["ES384", "RS384"]
fhir_servers = ["{fhir_base}"]
{other}
[cors]
origins = ["{SANDBOX}"]
{extra}'''
    path = folder / "service.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Service:
    """A running ``eligibility serve``; ``url`` is where it listens, ``aud`` what JWTs name."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def serve(config: Path | None, log: Path, *args: str) -> Iterator[Service]:
    port = free_port()
    command = [sys.executable, "-m", "eligibility", "serve", "--port", str(port), *args]
    if config is not None:
        command += ["--config", str(config)]
    env = {**os.environ, "NO_PROXY": "*"}
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    service = Service(port, process, log)
    try:
        _wait_until_up(service)
        yield service
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(service: Service, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise AssertionError(f"the service exited: {service.stderr()}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(service.url + "/cds-services", timeout=1.0, trust_env=False)
            return
        time.sleep(0.1)
    raise AssertionError(f"the service did not start: {service.stderr()}")
