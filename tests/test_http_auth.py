"""Who may call the service, over real HTTP: CDS Hooks 2.0.1 "Trusting CDS Clients".

A real ``eligibility serve`` on 127.0.0.1; JWTs signed with generated EC (ES384) and RSA
(RS384) keys. Every refusal is the same bare 401, so none tells an attacker which check
failed; discovery needs a token too.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from http_support import (
    BASE_URL,
    ISSUER,
    OTHER_ISSUER,
    SANDBOX,
    FhirServer,
    Service,
    SigningKey,
    ec_key,
    fhir_server,
    jwks,
    rsa_key,
    serve,
    token,
    write_config,
)

DISCOVERY = BASE_URL + "/cds-services"
EC = ec_key()
RSA = rsa_key()
ROTATED = ec_key("ec-rotated")
OTHER = ec_key("other-1")


@pytest.fixture(scope="module")
def fhir() -> Iterator[FhirServer]:
    with fhir_server() as server:
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, fhir: FhirServer) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("auth")
    fhir.routes["/keys/other.json"] = (200, jwks(OTHER))
    config = write_config(folder, keys=[EC, RSA], fhir_base=fhir.base,
                          other_jwks_url=f"http://127.0.0.1:{fhir.port}/keys/other.json")
    with serve(config, folder / "service.log") as running:
        yield running


def get(service: Service, bearer: str | None, path: str = "/cds-services",
        **headers: str) -> httpx.Response:
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    return httpx.get(service.url + path, headers=headers, trust_env=False, timeout=10)


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "login", "diagnostics": "not authorised"}]}


@pytest.mark.parametrize("key", [EC, RSA], ids=["ES384", "RS384"])
def test_discovery_with_a_signed_token(service: Service, key: SigningKey) -> None:
    response = get(service, token(key, DISCOVERY))
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["services"]]
    assert ids == ["eligibility-patient-view", "eligibility-order-select"]


def test_aud_may_be_a_list_holding_the_url(service: Service) -> None:
    assert get(service, token(EC, [DISCOVERY])).status_code == 200


def _forged_hs256() -> str:
    # The classic confusion: HMAC over the public key's text as the "secret".
    header = base64.urlsafe_b64encode(json.dumps(
        {"alg": "HS256", "typ": "JWT", "kid": EC.kid}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(
        {"iss": "https://ehr.example.org", "aud": DISCOVERY, "exp": int(time.time()) + 300,
         "iat": int(time.time()), "jti": "forged"}).encode()).rstrip(b"=")
    import hashlib
    import hmac
    secret = json.dumps(EC.public_jwk()).encode()
    signature = base64.urlsafe_b64encode(
        hmac.new(secret, header + b"." + body, hashlib.sha256).digest()).rstrip(b"=")
    return (header + b"." + body + b"." + signature).decode()


def _alg_none() -> str:
    return jwt.encode({"iss": "https://ehr.example.org", "aud": DISCOVERY,
                       "exp": int(time.time()) + 300, "iat": int(time.time()), "jti": "none"},
                      None, algorithm="none", headers={"kid": EC.kid, "typ": "JWT"})


REFUSED = {
    "no token": lambda: None,
    "forged HS256": _forged_hs256,
    "alg none": _alg_none,
    "expired": lambda: token(EC, DISCOVERY, iat=time.time() - 3600, lifetime=600),
    "issued in the future": lambda: token(EC, DISCOVERY, iat=time.time() + 600),
    "wrong aud": lambda: token(EC, BASE_URL + "/cds-services/eligibility-patient-view"),
    "aud of another host": lambda: token(EC, "https://evil.example.org/cds-services"),
    "unknown issuer": lambda: token(EC, DISCOVERY, iss="https://evil.example.org"),
    "unknown kid": lambda: token(ec_key("ec-unknown"), DISCOVERY),
    "right kid, wrong key": lambda: token(SigningKey(EC.kid, "ES384", ec_key().private), DISCOVERY),
    "no kid": lambda: jwt.encode({"iss": "https://ehr.example.org", "aud": DISCOVERY,
                                  "exp": int(time.time()) + 60, "iat": int(time.time()),
                                  "jti": "x"}, EC.private, algorithm="ES384"),
    "typ not JWT": lambda: token(EC, DISCOVERY, headers={"typ": "at+jwt"}),
    "no jti": lambda: token(EC, DISCOVERY, drop=("jti",)),
    "no iat": lambda: token(EC, DISCOVERY, drop=("iat",)),
    "no exp": lambda: token(EC, DISCOVERY, drop=("exp",)),
    "lifetime over an hour": lambda: token(EC, DISCOVERY, lifetime=7200),
    "jku not configured": lambda: token(EC, DISCOVERY, headers={"jku": "https://evil.example.org/k"}),
    "algorithm not allowed for the issuer": lambda: token(RSA, DISCOVERY, iss=OTHER_ISSUER),
    "garbage": lambda: "not.a.jwt",
}


@pytest.mark.parametrize("make", REFUSED.values(), ids=REFUSED.keys())
def test_refused(service: Service, make: object) -> None:
    assert callable(make)
    assert_refused(get(service, make()))


def test_a_basic_scheme_is_refused(service: Service) -> None:
    assert_refused(get(service, None, Authorization="Basic dXNlcjpwYXNz"))


def test_a_replayed_jti_is_refused(service: Service) -> None:
    bearer = token(RSA, DISCOVERY)
    assert get(service, bearer).status_code == 200
    assert_refused(get(service, bearer))


def test_a_jwks_url_client_is_read_from_its_own_url_only(service: Service, fhir: FhirServer) -> None:
    assert get(service, token(OTHER, DISCOVERY, iss=OTHER_ISSUER)).status_code == 200
    # A key set named in the token (jku) is never fetched, even on loopback.
    fhir.requests.clear()
    forged = token(ec_key("x"), DISCOVERY, iss=OTHER_ISSUER,
                   headers={"jku": f"http://127.0.0.1:{fhir.port}/keys/evil.json"})
    assert_refused(get(service, forged))
    assert all(path != "/keys/evil.json" for path, _ in fhir.requests)


def test_an_unknown_kid_refetches_the_key_set_at_most_once_per_interval(
        service: Service, fhir: FhirServer) -> None:
    rotated = ec_key("other-rotated")
    fhir.routes["/keys/other.json"] = (200, jwks(OTHER, rotated))
    time.sleep(2.1)  # the configured interval (jwks_refresh_seconds = 2) has passed
    fhir.requests.clear()
    assert get(service, token(rotated, DISCOVERY, iss=OTHER_ISSUER)).status_code == 200
    for number in range(5):
        assert_refused(get(service, token(ec_key(f"made-up-{number}"), DISCOVERY,
                                          iss=OTHER_ISSUER)))
    fetched = [path for path, _ in fhir.requests if path == "/keys/other.json"]
    assert len(fetched) == 1


def test_cors_preflight_for_a_configured_origin(service: Service) -> None:
    response = httpx.options(service.url + "/cds-services", trust_env=False, headers={
        "Origin": SANDBOX, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SANDBOX
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_cors_preflight_for_another_origin_is_refused(service: Service) -> None:
    response = httpx.options(service.url + "/cds-services", trust_env=False, headers={
        "Origin": "https://evil.example.org", "Access-Control-Request-Method": "POST"})
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_cors_headers_on_an_answer_only_for_a_configured_origin(service: Service) -> None:
    allowed = get(service, token(EC, DISCOVERY), Origin=SANDBOX)
    assert allowed.headers["access-control-allow-origin"] == SANDBOX
    other = get(service, token(EC, DISCOVERY), Origin="https://evil.example.org")
    assert "access-control-allow-origin" not in other.headers


def test_the_log_holds_no_token(service: Service) -> None:
    bearer = token(EC, DISCOVERY)
    get(service, bearer)
    assert bearer not in service.stderr()
    assert bearer.split(".")[2] not in service.stderr()


def test_a_refused_token_is_logged_with_its_reason_and_not_the_token(service: Service) -> None:
    # The service's own info lines reach the log (uvicorn configures only its loggers).
    expired = token(EC, DISCOVERY, iat=time.time() - 3600, lifetime=600)
    before = service.stderr().count("refused a token")
    assert get(service, expired).status_code == 401
    deadline = time.monotonic() + 10
    while service.stderr().count("refused a token") == before:
        assert time.monotonic() < deadline, service.stderr()[-2000:]
        time.sleep(0.05)
    assert expired not in service.stderr() and expired.split(".")[2] not in service.stderr()


def test_insecure_no_auth_says_so_on_start(tmp_path: Path) -> None:
    with serve(None, tmp_path / "log", "--insecure-no-auth") as running:
        assert get(running, None).status_code == 200
        assert "WARNING: --insecure-no-auth" in running.stderr()


def test_an_unverified_alg_cannot_write_a_line_of_its_own_into_the_log(service: Service) -> None:
    # The header's alg is read before any signature is checked; a refusal names it, escaped.
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    forged = 'RS999\nINFO:     127.0.0.1:1 - "POST /forged HTTP/1.1" 200 OK'
    bearer = ".".join([part({"typ": "JWT", "kid": EC.kid, "alg": forged}),
                       part({"iss": ISSUER}), "c2ln"])
    assert get(service, bearer).status_code == 401
    deadline = time.monotonic() + 10
    while "not allowed for this issuer" not in service.stderr():
        assert time.monotonic() < deadline, service.stderr()[-2000:]
        time.sleep(0.05)
    assert "POST /forged" not in service.stderr()
    assert "algorithm RS999\\x0aINFO:" in service.stderr()  # escaped and clipped

