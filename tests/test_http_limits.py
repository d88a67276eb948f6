"""Limits, feedback and malformed requests, over real HTTP: each a clear 4xx with an
OperationOutcome, never a traceback page."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from http_support import BASE_URL, FhirServer, Service, ec_key, fhir_server, serve, token, write_config

KEY = ec_key()
FEEDBACK = "/cds-services/eligibility-patient-view/feedback"


@pytest.fixture(scope="module")
def fhir() -> Iterator[FhirServer]:
    with fhir_server() as server:
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, fhir: FhirServer) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("limits")
    config = write_config(folder, keys=[KEY], fhir_base=fhir.base,
                          extra="[limits]\nmax_body_bytes = 2048\nrequest_seconds = 1.5\n"
                                "fhir_total_seconds = 1\n")
    with serve(config, folder / "service.log") as running:
        yield running


def post(service: Service, path: str, *, headers: dict[str, str] | None = None,
         **kwargs: object) -> httpx.Response:
    sent = {"Authorization": f"Bearer {token(KEY, BASE_URL + path)}", **(headers or {})}
    return httpx.post(service.url + path, headers=sent, trust_env=False, timeout=10,
                      **kwargs)  # type: ignore[arg-type]


def diagnostics(response: httpx.Response) -> str:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    text: str = body["issue"][0]["diagnostics"]
    return text


def test_feedback_is_accepted(service: Service) -> None:
    body = {"feedback": [
        {"card": "4e0a3a1e-3283-4575-ab82-028d55fe2719", "outcome": "overridden",
         "overrideReason": {"reason": {"code": "clinician-judgement",
                                       "system": "urn:eligibility:CodeSystem:override-reason"},
                            "userComment": "Patient Jane Roe prefers"},
         "outcomeTimestamp": "2026-06-01T10:05:31Z"},
        {"card": "f6b95768-b1c8-40dc-8385-bf3504b82ffb", "outcome": "accepted",
         "acceptedSuggestions": [{"id": "e56e1945"}], "outcomeTimestamp": "2026-06-01T10:05:31Z"}]}
    response = post(service, FEEDBACK, json=body)
    assert response.status_code == 200 and response.content == b""
    time.sleep(0.2)
    assert "Jane Roe" not in service.stderr()  # a user's comment never reaches the log


@pytest.mark.parametrize("body", [
    {"feedback": []}, {"feedback": [{"card": "x", "outcome": "ignored",
                                     "outcomeTimestamp": "2026-06-01T00:00:00Z"}]},
    {"feedback": [{"outcome": "accepted"}]}, {}, [],
])
def test_malformed_feedback_is_400(service: Service, body: object) -> None:
    response = post(service, FEEDBACK, json=body)
    assert response.status_code == 400
    assert diagnostics(response).startswith("malformed request")


def test_not_json_is_400(service: Service) -> None:
    response = post(service, FEEDBACK, content=b"{not json",
                    headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_feedback_for_an_unknown_service_is_404(service: Service) -> None:
    response = post(service, "/cds-services/nope/feedback", json={"feedback": [
        {"card": "x", "outcome": "overridden", "outcomeTimestamp": "2026-06-01T00:00:00Z"}]})
    assert response.status_code == 404
    assert "no such CDS service" in diagnostics(response)


def test_an_unknown_path_is_an_operation_outcome(service: Service) -> None:
    response = httpx.get(service.url + "/nothing-here", trust_env=False)
    assert response.status_code == 404
    assert diagnostics(response) == "no such endpoint"


def test_a_body_over_the_limit_is_413(service: Service) -> None:
    response = post(service, FEEDBACK, content=b"x" * 4096,
                    headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "over 2048 bytes" in diagnostics(response)


def test_a_chunked_body_over_the_limit_is_413(service: Service) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"x" * 512

    response = post(service, FEEDBACK, content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_slow_body_is_408(service: Service) -> None:
    with socket.create_connection(("127.0.0.1", service.port), timeout=10) as connection:
        connection.sendall(b"POST " + FEEDBACK.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        answer = b""
        while b"OperationOutcome" not in answer and (chunk := connection.recv(4096)):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"OperationOutcome" in answer
