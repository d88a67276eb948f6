"""The two CDS services over real HTTP: discovery, patient-view with full, partial, null
and absent prefetch (the rest fetched from a loopback FHIR server), pagination,
order-select warnings, and feedback on a card the service returned.

The face has no decision logic of its own: each test compares its cards with what the
library's own ``evaluate`` says for the profile the FHIR input maps.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from cds_hooks_schema import problems
from fhir_records import chart, condition, searchset
from http_support import BASE_URL, FhirServer, Service, ec_key, fhir_server, serve, token, write_config

from eligibility import evaluate
from eligibility.http.discovery import PREFETCH
from eligibility.inputs.fhir import map_patient

KEY = ec_key()
VIEW = "/cds-services/eligibility-patient-view"
ORDER = "/cds-services/eligibility-order-select"
AS_OF = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def fhir() -> Iterator[FhirServer]:
    with fhir_server() as server:
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, fhir: FhirServer) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("hooks")
    config = write_config(folder, keys=[KEY], fhir_base=fhir.base)
    with serve(config, folder / "service.log") as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(fhir: FhirServer) -> None:
    fhir.reset()


def post(service: Service, path: str, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token(KEY, BASE_URL + path)}"}
    return httpx.post(service.url + path, json=body, headers=headers, trust_env=False, timeout=30)


def request(prefetch: Any = None, *, hook: str = "patient-view", fhir: FhirServer | None = None,
            instance: str | None = None, **context: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"hook": hook, "hookInstance": instance or str(uuid.uuid4()),
                            "context": {"userId": "Practitioner/1", "patientId": "p1", **context}}
    if prefetch is not None:
        body["prefetch"] = prefetch
    if fhir is not None:
        body["fhirServer"] = fhir.base
        body["fhirAuthorization"] = {"access_token": "fhir-token", "token_type": "Bearer",
                                     "expires_in": 300, "scope": "patient/*.read",
                                     "subject": "eligibility", "patient": "p1"}
    return body


def expected_options(prefetch: dict[str, Any]) -> list[str]:
    """What the library decides for the same chart: the options that get a card."""
    resources = []
    for value in prefetch.values():
        if value and value["resourceType"] == "Bundle":
            resources += [entry["resource"] for entry in value.get("entry", [])]
        elif value:
            resources.append(value)
    mapped = map_patient(resources, as_of=AS_OF)
    assert mapped.profile is not None
    assessment = evaluate(mapped.profile, rules="article-2023", as_of=AS_OF)
    return [o.id for o in assessment.options if o.status != "not_candidate"]


def card_options(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert problems(response.json()) == []
    return [card["source"]["topic"]["code"] for card in response.json()["cards"]]


def serve_chart(fhir: FhirServer, prefetch: dict[str, Any]) -> None:
    for key, template in PREFETCH.items():
        path = "/fhir/" + template.replace("{{context.patientId}}", quote("p1", safe=""))
        fhir.routes[path] = (200, prefetch[key])


def test_discovery_lists_both_services_with_prefetch(service: Service) -> None:
    response = httpx.get(service.url + "/cds-services", trust_env=False, headers={
        "Authorization": f"Bearer {token(KEY, BASE_URL + '/cds-services')}"})
    services = {item["id"]: item for item in response.json()["services"]}
    assert {key: item["hook"] for key, item in services.items()} == {
        "eligibility-patient-view": "patient-view", "eligibility-order-select": "order-select"}
    prefetch = services["eligibility-patient-view"]["prefetch"]
    assert set(prefetch) == {"patient", "condition", "allergyIntolerance", "weight", "assessments"}
    assert prefetch["weight"].endswith("_sort=-date&_count=1")
    assert all("sort:desc" not in query for query in prefetch.values())
    assert problems({"cards": [], **response.json()}) == []


def test_full_prefetch(service: Service) -> None:
    prefetch = chart()
    assert card_options(post(service, VIEW, request(prefetch))) == expected_options(prefetch)
    assert expected_options(prefetch)  # the chart has candidates


def test_identical_requests_get_identical_bytes(service: Service) -> None:
    body = request(chart(), instance="2d3f1c4e-5b6a-4789-8abc-def012345678")
    first, second = post(service, VIEW, body), post(service, VIEW, body)
    assert first.status_code == 200 and first.content == second.content


def test_partial_prefetch_fetches_the_rest_with_the_token(service: Service, fhir: FhirServer) -> None:
    full = chart()
    serve_chart(fhir, full)
    partial = {"patient": full["patient"], "condition": full["condition"]}
    assert card_options(post(service, VIEW, request(partial, fhir=fhir))) == expected_options(full)
    fetched = sorted(path.split("?")[0] for path, _ in fhir.requests)
    assert fetched == ["/fhir/AllergyIntolerance", "/fhir/Observation", "/fhir/Observation"]
    assert {auth for _, auth in fhir.requests} == {"Bearer fhir-token"}


def test_absent_prefetch_fetches_everything(service: Service, fhir: FhirServer) -> None:
    full = chart()
    serve_chart(fhir, full)
    assert card_options(post(service, VIEW, request(None, fhir=fhir))) == expected_options(full)
    assert len(fhir.requests) == len(PREFETCH)


def test_missing_searches_are_read_at_the_same_time(service: Service, fhir: FhirServer) -> None:
    # The server holds each answer until 4 reads are in flight (the default
    # fhir_concurrency): reading one at a time, the first read would time out (412).
    full = chart()
    serve_chart(fhir, full)
    fhir.gate = 4
    assert card_options(post(service, VIEW, request(None, fhir=fhir))) == expected_options(full)
    assert len(fhir.requests) == len(PREFETCH) == 5
    assert fhir.most_at_once == 4  # concurrent, and never more than the limit


def test_null_keys_mean_no_data(service: Service, fhir: FhirServer) -> None:
    prefetch = {**chart(), "allergyIntolerance": None, "assessments": None}
    options = card_options(post(service, VIEW, request(prefetch, fhir=fhir)))
    assert options == expected_options(prefetch)
    assert fhir.requests == []  # null is an answer: nothing to fetch


def test_an_operation_outcome_is_fetched_again(service: Service, fhir: FhirServer) -> None:
    full = chart()
    serve_chart(fhir, full)
    failed = {**full, "allergyIntolerance": {"resourceType": "OperationOutcome",
                                    "issue": [{"severity": "error", "code": "timeout"}]}}
    assert card_options(post(service, VIEW, request(failed, fhir=fhir))) == expected_options(full)
    assert [path.split("?")[0] for path, _ in fhir.requests] == ["/fhir/AllergyIntolerance"]


def test_a_paginated_searchset_is_followed(service: Service, fhir: FhirServer) -> None:
    full = chart()
    first = searchset()
    first["link"] = [{"relation": "next", "url": fhir.base + "/Condition?patient=p1&page=2"}]
    fhir.routes["/fhir/Condition?patient=p1&page=2"] = (200, full["condition"])
    paged = {**full, "condition": first}
    assert card_options(post(service, VIEW, request(paged, fhir=fhir))) == expected_options(full)


def test_no_active_atopic_dermatitis_is_no_cards(service: Service) -> None:
    prefetch = {**chart(), "condition": searchset(
        condition("c1", "24079001", severity="severe", active=False),
        condition("c2", "43116000"))}  # resolved AD, and plain eczema, which does not count
    response = post(service, VIEW, request(prefetch))
    assert response.status_code == 200 and response.content == b'{"cards":[]}'


def order_context(system: str, code: str) -> dict[str, Any]:
    """An order-select context with one selected draft order for the coded medication."""
    draft = {"resourceType": "MedicationRequest", "id": "rx1", "status": "draft",
             "intent": "order", "subject": {"reference": "Patient/p1"},
             "medicationCodeableConcept": {"coding": [{"system": system, "code": code}]}}
    return {"selections": ["MedicationRequest/rx1"],
            "draftOrders": {"resourceType": "Bundle", "type": "collection",
                            "entry": [{"resource": draft}]}}


def test_order_select_warns_when_not_a_candidate(service: Service) -> None:
    context = order_context("http://www.whocc.no/atc", "D11AH10")
    light = chart(kg=30.0)  # lebrikizumab's trials enrolled patients from 40 kg
    response = post(service, ORDER, request(light, hook="order-select", **context))
    assert response.status_code == 200 and problems(response.json()) == []
    (card,) = response.json()["cards"]
    assert card["indicator"] == "warning" and card["overrideReasons"]
    assert card["summary"] == "Lebrikizumab (in clinical trials): not eligible for the trials"
    fine = post(service, ORDER, request(chart(), hook="order-select", **context))
    assert fine.json() == {"cards": []}


def twelve_year_old() -> dict[str, Any]:
    young = chart()
    young["patient"]["birthDate"] = "2014-01-15"
    return young


@pytest.mark.parametrize(("code", "option", "not_candidate", "candidate"), [
    ("D11AH05", "dupilumab", lambda: chart(topical="adequate"), chart),  # topicals work
    ("D11AH07", "tralokinumab", twelve_year_old, chart),  # the article's approval: adults
])
def test_order_select_matches_the_verified_atc_codes(
        service: Service, code: str, option: str, not_candidate: Any, candidate: Any) -> None:
    context = order_context("http://www.whocc.no/atc", code)
    response = post(service, ORDER, request(not_candidate(), hook="order-select", **context))
    assert response.status_code == 200 and problems(response.json()) == []
    (card,) = response.json()["cards"]
    assert card["indicator"] == "warning" and card["source"]["topic"]["code"] == option
    assert expected_options(candidate()).count(option) == 1  # the same order, a candidate
    fine = post(service, ORDER, request(candidate(), hook="order-select", **context))
    assert fine.json() == {"cards": []}


@pytest.mark.parametrize(("system", "code"), [
    ("http://www.nlm.nih.gov/research/umls/rxnorm", "1876376"),  # no RxCUI is verified
    ("http://www.whocc.no/atc", "V01AA"),  # listed as not verified
    ("http://www.whocc.no/atc", "D11AH99"),
])
def test_order_select_gives_no_card_for_an_unlisted_code(service: Service, system: str,
                                                         code: str) -> None:
    context = order_context(system, code)
    response = post(service, ORDER, request(chart(topical="adequate", kg=30.0),
                                            hook="order-select", **context))
    assert response.status_code == 200 and response.json() == {"cards": []}


def test_feedback_on_a_returned_card(service: Service) -> None:
    cards = post(service, VIEW, request(chart())).json()["cards"]
    feedback = {"feedback": [{"card": cards[0]["uuid"], "outcome": "overridden",
                              "overrideReason": {"reason": {
                                  "code": "clinician-judgement",
                                  "system": "urn:eligibility:CodeSystem:override-reason"}},
                              "outcomeTimestamp": "2026-06-01T10:00:00Z"}]}
    response = post(service, VIEW + "/feedback", feedback)
    assert response.status_code == 200


def test_no_patient_data_in_the_log(service: Service, fhir: FhirServer) -> None:
    ident = "zq-patient-7731"
    prefetch = chart(patient_id=ident)
    prefetch["patient"]["birthDate"] = "1987-11-23"
    body = request(prefetch)
    body["context"]["patientId"] = ident
    assert post(service, VIEW, body).status_code == 200
    refused = request({**prefetch, "patient": {"resourceType": "Patient", "id": "other-9931"}})
    refused["context"]["patientId"] = ident
    assert post(service, VIEW, refused).status_code == 400
    log = service.stderr()
    assert ident not in log and "1987-11-23" not in log and "other-9931" not in log
