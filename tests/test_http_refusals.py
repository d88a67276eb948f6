"""Hook calls that cannot be answered, over real HTTP: 400, 412 and 413, each an
OperationOutcome; and the service never reads from an address a request names."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from http_support import BASE_URL, FhirServer, Service, ec_key, fhir_server, serve, token, write_config

KEY = ec_key()
PATIENT_VIEW = "/cds-services/eligibility-patient-view"


@pytest.fixture(scope="module")
def fhir() -> Iterator[FhirServer]:
    with fhir_server() as server:
        yield server


@pytest.fixture(scope="module")
def stranger() -> Iterator[FhirServer]:
    """A FHIR server on loopback that no client is configured for."""
    with fhir_server() as server:
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, fhir: FhirServer) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("refusals")
    config = write_config(folder, keys=[KEY], fhir_base=fhir.base,
                          extra="[limits]\nmax_prefetch_resources = 50\n"
                                "fhir_timeout_seconds = 0.5\nfhir_total_seconds = 1\n")
    with serve(config, folder / "service.log") as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(fhir: FhirServer, stranger: FhirServer) -> None:
    fhir.reset()
    stranger.reset()


def call(service: Service, body: Any, path: str = PATIENT_VIEW) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token(KEY, BASE_URL + path)}"}
    return httpx.post(service.url + path, json=body, headers=headers, trust_env=False, timeout=20)


def body(**fields: Any) -> dict[str, Any]:
    return {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/1", "patientId": "p1"}, **fields}


def diagnostics(response: httpx.Response) -> str:
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    text: str = outcome["issue"][0]["diagnostics"]
    return text


@pytest.mark.parametrize(("sent", "message"), [
    ({"hook": "patient-view", "hookInstance": "x"}, "context"),
    (body(hook="order-sign"), "this service answers 'patient-view'"),
    (body(context={"userId": "Practitioner/1"}), "context.patientId"),
    (body(fhirAuthorization={"access_token": "t", "token_type": "Bearer", "expires_in": 300,
                             "scope": "patient/*.read", "subject": "cds"}),
     "fhirServer is required with fhirAuthorization"),
    (body(prefetch={"patient": "Patient/p1"}), "prefetch.patient: a FHIR resource"),
    (body(prefetch={"condition": {"resourceType": "Bundle", "entry": [{"resource": 3}]}}),
     "prefetch.condition.entry[0].resource"),
    (body(prefetch={"patient": {"resourceType": "Patient", "id": "someone-else"},
                    **{key: None for key in ("condition", "allergyIntolerance", "weight",
                                             "assessments")}}),
     "not the Patient of context.patientId"),
    ([1, 2], "malformed request"),
])
def test_malformed_is_400(service: Service, sent: Any, message: str) -> None:
    response = call(service, sent)
    assert response.status_code == 400
    assert message in diagnostics(response)


def test_missing_data_without_a_fhir_server_is_412(service: Service) -> None:
    response = call(service, body(prefetch={"patient": {"resourceType": "Patient", "id": "p1"}}))
    assert response.status_code == 412
    assert "no fhirServer" in diagnostics(response)


def test_a_fhir_server_the_client_may_not_name_is_never_read(
        service: Service, stranger: FhirServer) -> None:
    response = call(service, body(fhirServer=stranger.base))
    assert response.status_code == 412
    assert "not a FHIR server configured for this client" in diagnostics(response)
    assert stranger.requests == []


@pytest.mark.parametrize("address", ["http://169.254.169.254/latest", "file:///etc/passwd",
                                     "http://127.0.0.1:1/fhir"])
def test_other_addresses_are_refused(service: Service, address: str) -> None:
    response = call(service, body(fhirServer=address))
    assert response.status_code == 412


def test_an_unreachable_or_failing_fhir_server_is_412(service: Service, fhir: FhirServer) -> None:
    response = call(service, body(fhirServer=fhir.base))  # every read answers 404
    assert response.status_code == 412
    assert "could not be fetched" in diagnostics(response)
    assert fhir.requests  # it did try the allowed server


def test_a_slow_fhir_server_is_412_within_the_timeout(service: Service, fhir: FhirServer) -> None:
    fhir.delay = 2.0
    response = call(service, body(fhirServer=fhir.base))
    assert response.status_code == 412


def paged_from(fhir: FhirServer, next_url: str) -> dict[str, Any]:
    """A patient-view call whose prefetch is whole but for a Condition search to follow."""
    paged = {"resourceType": "Bundle", "type": "searchset", "entry": [],
             "link": [{"relation": "next", "url": next_url}]}
    return body(fhirServer=fhir.base, prefetch={
        "patient": {"resourceType": "Patient", "id": "p1"}, "condition": paged,
        "allergyIntolerance": None, "weight": None, "assessments": None})


def test_reads_over_the_total_time_are_412(service: Service, fhir: FhirServer) -> None:
    # Each read (0.35 s) is within fhir_timeout_seconds; the pages of one search follow
    # each other, and six of them take longer than fhir_total_seconds (1 s).
    fhir.delay = 0.35
    for page in range(1, 7):
        fhir.routes[f"/fhir/Condition?page={page}"] = (200, {
            "resourceType": "Bundle", "type": "searchset", "entry": [],
            "link": [{"relation": "next", "url": f"{fhir.base}/Condition?page={page + 1}"}]
            if page < 6 else []})
    response = call(service, paged_from(fhir, fhir.base + "/Condition?page=1"))
    assert response.status_code == 412
    assert "longer than 1 s in all" in diagnostics(response)


def test_a_next_page_on_another_server_is_never_followed(
        service: Service, fhir: FhirServer, stranger: FhirServer) -> None:
    response = call(service, paged_from(fhir, stranger.base + "/Condition?page=2"))
    assert response.status_code == 412
    assert stranger.requests == []


def test_too_many_resources_is_413(service: Service) -> None:
    many = {"resourceType": "Bundle", "type": "searchset", "entry": [
        {"resource": {"resourceType": "Condition", "id": f"c{n}"}} for n in range(60)]}
    response = call(service, body(prefetch={"condition": many}))
    assert response.status_code == 413
    assert "more than 50 FHIR resources" in diagnostics(response)


def test_an_unknown_service_is_404(service: Service) -> None:
    response = call(service, body(), path="/cds-services/nope")
    assert response.status_code == 404
