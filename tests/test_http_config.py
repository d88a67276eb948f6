"""The service configuration: issue #18's keys exactly, and refusals that name the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eligibility.cli import main
from eligibility.http.config import ConfigError, load_config, parse_config

GOOD = '''[service]
base_url = "https://cds.example.org"
rules = "article-2023"
[[clients]]
issuer = "https://ehr.example.org"
jwks_file = "ehr-jwks.json"
algorithms = ["ES384", "RS384"]
fhir_servers = ["https://ehr.example.org/fhir"]
[cors]
origins = ["https://sandbox.cds-hooks.org"]
'''


def test_the_issue_example_reads(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "service.toml"
    path.parent.mkdir()
    path.write_text(GOOD, encoding="utf-8")
    config = load_config(path)
    assert config.base_url == "https://cds.example.org"
    assert config.rules == "article-2023"
    (client,) = config.clients
    assert client.issuer == "https://ehr.example.org"
    assert client.jwks_file == tmp_path / "conf" / "ehr-jwks.json"  # relative to the file
    assert client.algorithms == ("ES384", "RS384")
    assert client.fhir_servers == ("https://ehr.example.org/fhir",)
    assert config.cors_origins == ("https://sandbox.cds-hooks.org",)
    assert config.as_of is None and not config.insecure_no_auth


def _parse(text: str) -> None:
    import tomllib
    parse_config(tomllib.loads(text), where="service.toml")


@pytest.mark.parametrize(("text", "message"), [
    (GOOD.replace('algorithms = ["ES384", "RS384"]', 'algorithms = ["HS256"]'),
     "'HS256' is not allowed"),
    (GOOD.replace('algorithms = ["ES384", "RS384"]', 'algorithms = ["none"]'),
     "'none' is not allowed"),
    (GOOD.replace('jwks_file = "ehr-jwks.json"', ""), "exactly one of jwks_file and jwks_url"),
    (GOOD.replace('jwks_file = "ehr-jwks.json"',
                  'jwks_file = "a.json"\njwks_url = "https://ehr.example.org/k"'),
     "exactly one of jwks_file and jwks_url"),
    (GOOD.replace('"https://ehr.example.org/fhir"', '"http://ehr.example.org/fhir"'),
     "must use https"),
    (GOOD.replace('"https://ehr.example.org/fhir"', '"http://127.0.0.1:9/fhir"'),
     "must use https"),
    (GOOD.replace("fhir_servers", "fhir_server"), "unknown key 'fhir_server'"),
    (GOOD.replace("base_url", "baseurl"), "unknown key 'baseurl'"),
    (GOOD.replace('origins = ["https://sandbox.cds-hooks.org"]', 'origins = ["*"]'),
     "not an absolute http(s) URL"),
    (GOOD.replace('base_url = "https://cds.example.org"\n', ""), "base_url: an absolute URL"),
    (GOOD + '[[clients]]\nissuer = "https://ehr.example.org"\njwks_url = "https://e.org/k"\n',
     "an issuer is listed twice"),
    (GOOD + "[limits]\nmax_body_bytes = 0\n", "max_body_bytes: a whole number"),
    (GOOD + "[limits]\nrequest_seconds = 5\n", "[limits]: request_seconds (5) must be more "
     "than fhir_total_seconds (6)"),
    (GOOD + "[limits]\nrequest_seconds = 2\nfhir_total_seconds = 2\n",
     "request_seconds (2) must be more than fhir_total_seconds (2)"),
])
def test_refusals_name_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"service\.toml") as caught:
        _parse(text)
    assert message in str(caught.value)


def test_request_seconds_above_fhir_total_seconds_reads(tmp_path: Path) -> None:
    import tomllib
    config = parse_config(tomllib.loads(GOOD + "[limits]\nrequest_seconds = 2.5\n"
                                               "fhir_total_seconds = 2\n"))
    assert (config.limits.request_seconds, config.limits.fhir_total_seconds) == (2.5, 2.0)


def test_serve_refuses_request_seconds_within_fhir_total_seconds(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.toml"
    path.write_text(GOOD + "[limits]\nrequest_seconds = 3\n", encoding="utf-8")
    (tmp_path / "ehr-jwks.json").write_text('{"keys": []}', encoding="utf-8")
    assert main(["serve", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"{path}: [limits]: request_seconds (3) must be more than fhir_total_seconds (6)" in err


def test_loopback_http_only_when_allowed() -> None:
    text = GOOD.replace('"https://ehr.example.org/fhir"', '"http://127.0.0.1:9/fhir/"').replace(
        'rules = "article-2023"', 'rules = "article-2023"\nallow_loopback_http = true\n'
                                  "as_of = 2026-06-01")
    import tomllib
    config = parse_config(tomllib.loads(text))
    assert config.clients[0].fhir_servers == ("http://127.0.0.1:9/fhir",)
    assert config.as_of == dt.date(2026, 6, 1)


def test_serve_without_config_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 2
    assert "serve needs --config FILE" in capsys.readouterr().err


def test_serve_with_a_bad_config_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[service\n", encoding="utf-8")
    assert main(["serve", "--config", str(path)]) == 2
    assert f"{path}: not valid TOML" in capsys.readouterr().err


def test_the_documented_example_reads() -> None:
    example = Path(__file__).resolve().parents[1] / "docs" / "cds-service.example.toml"
    config = load_config(example)
    assert config.clients[0].jwks_file == example.parent / "ehr-jwks.json"
    assert config.cors_origins == ("https://sandbox.cds-hooks.org",)


@pytest.mark.parametrize(("content", "says"), [
    (None, "cannot be read"), ("{not json", "not JSON"), ('{"kty": "EC"}', "not a JWK Set")])
def test_serve_does_not_start_without_a_usable_jwks_file(tmp_path: Path, content: str | None,
                                                         says: str) -> None:
    import subprocess
    import sys

    from http_support import ec_key, write_config
    config = write_config(tmp_path, keys=[ec_key()], fhir_base="http://127.0.0.1:9/fhir")
    jwks = tmp_path / "ehr-jwks.json"
    if content is None:
        jwks.unlink()
    else:
        jwks.write_text(content, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "eligibility", "serve", "--config", str(config),
                           "--port", "1"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "jwks_file" in done.stderr and says in done.stderr and "Traceback" not in done.stderr
