"""The HTTP surface fuzzed from the service's own OpenAPI document (schemathesis): no 5xx,
and every 200 from a hook call is a valid CDS Hooks response.

The document comes from ``create_app`` in this process; the calls go over real HTTP to
an ``eligibility serve`` on 127.0.0.1, each with a fresh signed JWT (so the fuzzing
reaches past authentication) and with the loopback FHIR server as the allowed
``fhirServer``. Examples are bounded per operation (``MAX_EXAMPLES``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from cds_hooks_schema import problems
from http_support import BASE_URL, FhirServer, Service, ec_key, fhir_server, serve, token, write_config
from hypothesis import HealthCheck, settings

from eligibility.http import ServiceConfig, create_app

MAX_EXAMPLES = 25
KEY = ec_key()
SCHEMA = schemathesis.openapi.from_dict(
    create_app(ServiceConfig(base_url=BASE_URL, insecure_no_auth=True)).openapi())


@pytest.fixture(scope="module")
def fhir() -> Iterator[FhirServer]:
    with fhir_server() as server:
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, fhir: FhirServer) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("fuzz")
    config = write_config(folder, keys=[KEY], fhir_base=fhir.base)
    with serve(config, folder / "service.log") as running:
        yield running


@SCHEMA.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_server_errors(case: schemathesis.Case, service: Service) -> None:
    headers = {"Authorization": f"Bearer {token(KEY, BASE_URL + case.formatted_path)}"}
    response = case.call(base_url=service.url, headers=headers, timeout=30)
    assert response.status_code < 500, response.text
    if response.status_code == 200 and case.method == "POST" and not case.formatted_path.endswith(
            "/feedback"):
        assert problems(response.json()) == []
