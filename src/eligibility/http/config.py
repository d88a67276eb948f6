"""The service's TOML configuration, read once at start and never again.

Security settings are refused, never guessed: an unknown key, a symmetric algorithm, a
client without keys or an ``http://`` URL outside loopback is an error naming the key, so
a typo cannot quietly turn a check off. The keys of issue #18, exactly::

    [service]
    base_url = "https://cds.example.org"   # the public URL; JWT `aud` is checked against it
    rules = "article-2023"
    [[clients]]
    issuer = "https://ehr.example.org"
    jwks_file = "ehr-jwks.json"            # or jwks_url = "https://…"
    algorithms = ["ES384", "RS384"]
    fhir_servers = ["https://ehr.example.org/fhir"]
    [cors]
    origins = ["https://sandbox.cds-hooks.org"]

and ours: ``[service] as_of`` (a fixed assessment date; default: the UTC date of each
request), ``jwt_leeway_seconds``, ``jwks_refresh_seconds``, ``allow_loopback_http`` (lets
``http://127.0.0.1`` stand for a FHIR server or JWKS URL: for tests and local trials),
``replay_store`` (a SQLite file of the JWT ids seen and the feedback counts, shared by
every process of the service: needed with ``--workers``), ``[limits]``, and ``[page] enabled`` (default true:
the clinician page at ``/``; false leaves only the CDS Hooks API, and ``/`` is 404). A
relative ``jwks_file`` or ``replay_store`` is read relative to the config file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from eligibility.errors import UsageError
from eligibility.suggest import did_you_mean

#: Asymmetric JWS algorithms only (CDS Hooks "JWT Signing Algorithm": no `none`, no HMAC).
ASYMMETRIC = ("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
DEFAULT_ALGORITHMS = ("ES384", "RS384")


class ConfigError(UsageError):
    """The configuration cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Limits:
    """What one request may cost; each is refused with a 4xx naming it."""

    max_body_bytes: int = 4 << 20
    max_prefetch_resources: int = 5000
    request_seconds: float = 10.0
    fhir_timeout_seconds: float = 3.0
    fhir_max_bytes: int = 4 << 20
    fhir_max_pages: int = 10
    #: FHIR reads one request makes at once, and how long all its reads may take together
    #: (412 past it); ``request_seconds`` still bounds the whole exchange (408), and must be
    #: more than ``fhir_total_seconds`` (the configuration refuses it otherwise).
    fhir_concurrency: int = 4
    fhir_total_seconds: float = 6.0


@dataclass(frozen=True)
class Client:
    """One trusted CDS client (an EHR): who it is, its keys, the FHIR servers it may name."""

    issuer: str
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    jwks_file: Path | None = None
    jwks_url: str | None = None
    fhir_servers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceConfig:
    base_url: str
    rules: str | None = None
    clients: tuple[Client, ...] = ()
    cors_origins: tuple[str, ...] = ()
    as_of: dt.date | None = None
    jwt_leeway_seconds: int = 30
    jwks_refresh_seconds: int = 300
    allow_loopback_http: bool = False
    limits: Limits = field(default_factory=Limits)
    insecure_no_auth: bool = False
    #: A SQLite file for the ``jti`` seen (shared by all processes); None: process memory.
    replay_store: Path | None = None
    #: Whether the clinician page (``/``, ``/assess``, ``/static/…``) is served.
    page_enabled: bool = True

    def without_auth(self) -> ServiceConfig:
        return dataclasses.replace(self, insecure_no_auth=True)

    def client(self, issuer: str) -> Client | None:
        return next((client for client in self.clients if client.issuer == issuer), None)


_SECTIONS = {"service", "clients", "cors", "limits", "page"}
_SERVICE = {"base_url", "rules", "as_of", "jwt_leeway_seconds", "jwks_refresh_seconds",
            "allow_loopback_http", "replay_store"}
_CLIENT = {"issuer", "jwks_file", "jwks_url", "algorithms", "fhir_servers"}
_CORS = {"origins"}
_PAGE = {"enabled"}


def load_config(path: Path) -> ServiceConfig:
    """Read and check ``path``; a ``ConfigError`` names what is wrong and where."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    return parse_config(data, where=str(path), folder=path.resolve().parent)


def parse_config(data: Mapping[str, object], *, where: str = "config",
                 folder: Path | None = None) -> ServiceConfig:
    """The configuration in ``data`` (decoded TOML); ``folder`` anchors relative paths."""
    _known(data, _SECTIONS, where)
    service = _table(data, "service", where, required=True)
    _known(service, _SERVICE, f"{where}: [service]")
    allow_http = _bool(service, "allow_loopback_http", f"{where}: [service]", False)
    base_url = _url(service.get("base_url"), f"{where}: [service] base_url", allow_http=True)
    rules = service.get("rules")
    if rules is not None and (not isinstance(rules, str) or not rules):
        raise ConfigError(f"{where}: [service] rules: a rule pack name or folder, as a string")
    as_of = service.get("as_of")
    if as_of is not None and not (isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime)):
        raise ConfigError(f"{where}: [service] as_of: a date such as 2026-06-01 (unquoted)")
    clients_data = data.get("clients", [])
    if not isinstance(clients_data, list):
        raise ConfigError(f"{where}: clients: write each client as a [[clients]] table")
    clients = tuple(_client(item, f"{where}: [[clients]] #{index + 1}", folder, allow_http)
                    for index, item in enumerate(clients_data))
    issuers = [client.issuer for client in clients]
    if len(set(issuers)) != len(issuers):
        raise ConfigError(f"{where}: [[clients]]: an issuer is listed twice")
    cors = _table(data, "cors", where)
    _known(cors, _CORS, f"{where}: [cors]")
    origins = tuple(_url(origin, f"{where}: [cors] origins", allow_http=allow_http, origin=True)
                    for origin in _strings(cors, "origins", f"{where}: [cors]"))
    page = _table(data, "page", where)
    _known(page, _PAGE, f"{where}: [page]")
    return ServiceConfig(
        base_url=base_url, rules=rules, clients=clients, cors_origins=origins, as_of=as_of,
        jwt_leeway_seconds=_int(service, "jwt_leeway_seconds", f"{where}: [service]", 30, 0, 300),
        jwks_refresh_seconds=_int(service, "jwks_refresh_seconds", f"{where}: [service]",
                                  300, 1, 86400),
        allow_loopback_http=allow_http, limits=_limits(_table(data, "limits", where), where),
        replay_store=_path(service, "replay_store", f"{where}: [service]", folder),
        page_enabled=_bool(page, "enabled", f"{where}: [page]", True))


def _client(item: object, where: str, folder: Path | None, allow_http: bool) -> Client:
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: a table with issuer, jwks_file or jwks_url, algorithms")
    _known(item, _CLIENT, where)
    issuer = item.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise ConfigError(f"{where}: issuer: the client's `iss`, as a string")
    algorithms = tuple(_strings(item, "algorithms", where)) or DEFAULT_ALGORITHMS
    for algorithm in algorithms:
        if algorithm not in ASYMMETRIC:
            raise ConfigError(f"{where}: algorithms: '{algorithm}' is not allowed; CDS Hooks "
                              f"allows asymmetric algorithms only ({', '.join(ASYMMETRIC)})")
    jwks_file, jwks_url = item.get("jwks_file"), item.get("jwks_url")
    if (jwks_file is None) == (jwks_url is None):
        raise ConfigError(f"{where}: give exactly one of jwks_file and jwks_url")
    path = _path(item, "jwks_file", where, folder)
    url = None if jwks_url is None else _url(jwks_url, f"{where}: jwks_url", allow_http=allow_http)
    servers = tuple(_url(server, f"{where}: fhir_servers", allow_http=allow_http).rstrip("/")
                    for server in _strings(item, "fhir_servers", where))
    return Client(issuer=issuer, algorithms=algorithms, jwks_file=path, jwks_url=url,
                  fhir_servers=servers)


def _path(table: Mapping[str, object], key: str, where: str, folder: Path | None) -> Path | None:
    """A path, relative to the configuration file's folder unless absolute."""
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: {key}: a path, as a string")
    path = Path(value)
    return folder / path if not path.is_absolute() and folder is not None else path


def _limits(table: Mapping[str, object], where: str) -> Limits:
    defaults = Limits()
    _known(table, set(Limits.__dataclass_fields__), f"{where}: [limits]")
    at = f"{where}: [limits]"
    limits = Limits(
        max_body_bytes=_int(table, "max_body_bytes", at, defaults.max_body_bytes, 1024, 1 << 30),
        max_prefetch_resources=_int(table, "max_prefetch_resources", at,
                                    defaults.max_prefetch_resources, 1, 1_000_000),
        request_seconds=_number(table, "request_seconds", at, defaults.request_seconds),
        fhir_timeout_seconds=_number(table, "fhir_timeout_seconds", at,
                                     defaults.fhir_timeout_seconds),
        fhir_max_bytes=_int(table, "fhir_max_bytes", at, defaults.fhir_max_bytes, 1024, 1 << 30),
        fhir_max_pages=_int(table, "fhir_max_pages", at, defaults.fhir_max_pages, 1, 1000),
        fhir_concurrency=_int(table, "fhir_concurrency", at, defaults.fhir_concurrency, 1, 32),
        fhir_total_seconds=_number(table, "fhir_total_seconds", at,
                                   defaults.fhir_total_seconds))
    # A request cut off while its FHIR reads may still run would be a 408 where the CDS
    # Hooks answer is 412 (data missing and not fetched); one bound must sit inside the other.
    if limits.request_seconds <= limits.fhir_total_seconds:
        raise ConfigError(f"{at}: request_seconds ({limits.request_seconds:g}) must be more "
                          f"than fhir_total_seconds ({limits.fhir_total_seconds:g}), so FHIR "
                          "reads that run out of time are answered 412, not 408")
    return limits


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url(value: object, where: str, *, allow_http: bool, origin: bool = False) -> str:
    """An absolute https URL (http only on loopback when allowed), without a trailing slash."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: an absolute URL, as a string")
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"{where}: '{value}' is not an absolute http(s) URL")
    if parts.scheme == "http" and not (allow_http and is_loopback(parts.hostname)):
        raise ConfigError(f"{where}: '{value}' must use https (http is allowed only for "
                          "127.0.0.1 with [service] allow_loopback_http = true)")
    if parts.query or parts.fragment or parts.username:
        raise ConfigError(f"{where}: '{value}' must not carry a query, fragment or user")
    if origin and parts.path not in ("", "/"):
        raise ConfigError(f"{where}: '{value}' is an origin: scheme, host and port only")
    return value.rstrip("/")


def _known(table: Mapping[str, object], known: set[str], where: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: unknown key '{key}'{did_you_mean(key, sorted(known))}")


def _table(data: Mapping[str, object], name: str, where: str,
           required: bool = False) -> Mapping[str, object]:
    value = data.get(name)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}]: a table is needed" + (" (it is required)"
                                                                      if required else ""))
    return value


def _strings(table: Mapping[str, object], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ConfigError(f"{where}: {key}: a list of strings")
    return list(value)


def _bool(table: Mapping[str, object], key: str, where: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key}: true or false")
    return value


def _int(table: Mapping[str, object], key: str, where: str, default: int,
         low: int, high: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{where}: {key}: a whole number from {low} to {high}")
    return value


def _number(table: Mapping[str, object], key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 600:
        raise ConfigError(f"{where}: {key}: seconds, more than 0 and at most 600")
    return float(value)
