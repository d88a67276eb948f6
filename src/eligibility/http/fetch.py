"""Reading from the outside: FHIR searches on an allowed ``fhirServer``, and JWK Sets.

The service must never be made to fetch from an address a request names, so a URL is
used only when it is configured: ``fhirServer`` must equal one of the calling client's
``fhir_servers`` (``allowed_server``), a ``next`` page link must stay under that server,
redirects are never followed, and a JWK Set comes only from a client's own ``jwks_url``.
Every read has a timeout and a size limit (``[limits]``); anything that goes wrong is a
``FetchError``, which the hook answers with 412 (the data is missing and cannot be fetched).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from eligibility.http.auth import Fetcher
from eligibility.http.config import Client, Limits, ServiceConfig


class FetchError(Exception):
    """A read that failed; the message names what, never the token or patient data."""


def allowed_server(server: str, client: Client | None, config: ServiceConfig) -> str | None:
    """``server`` normalised when the calling client may name it, else None.

    Without authentication (``--insecure-no-auth``) no client is known: any configured
    client's servers are allowed, and nothing else.
    """
    wanted = server.rstrip("/")
    clients = [client] if client is not None else list(config.clients)
    for candidate in clients:
        if wanted in candidate.fhir_servers:
            return wanted
    return None


async def read_json(client: httpx.AsyncClient, url: str, limits: Limits,
                    headers: Mapping[str, str] | None = None) -> Any:
    """GET ``url`` as JSON within the time and size limits; redirects are refused."""
    try:
        async with client.stream("GET", url, headers=dict(headers or {}),
                                 timeout=limits.fhir_timeout_seconds,
                                 follow_redirects=False) as response:
            if response.status_code != 200:
                raise FetchError(f"answered {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limits.fhir_max_bytes:
                    raise FetchError(f"answer over {limits.fhir_max_bytes} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as error:
        raise FetchError(f"unreachable ({type(error).__name__})") from None
    try:
        return json.loads(b"".join(chunks))
    except (ValueError, UnicodeDecodeError):
        raise FetchError("answer is not JSON") from None


class FhirReader:
    """FHIR reads against one allowed server with the request's bearer token."""

    def __init__(self, client: httpx.AsyncClient, base: str, token: str | None,
                 limits: Limits) -> None:
        self._client = client
        self._base = base
        self._limits = limits
        self._headers = {"Accept": "application/fhir+json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"

    async def get(self, relative: str) -> Any:
        return await self._read(f"{self._base}/{relative.lstrip('/')}")

    async def next_page(self, url: str) -> Any:
        if not self.under_base(url):
            raise FetchError("a next page outside the FHIR server")
        return await self._read(url)

    def under_base(self, url: str) -> bool:
        base, wanted = urlsplit(self._base), urlsplit(url)
        return ((wanted.scheme, wanted.netloc) == (base.scheme, base.netloc)
                and (wanted.path + "/").startswith(base.path.rstrip("/") + "/"))

    async def _read(self, url: str) -> Any:
        return await read_json(self._client, url, self._limits, self._headers)


class Http:
    """One connection pool for the app, opened on first use and closed at shutdown."""

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def fetcher(config: ServiceConfig, http: Http) -> Fetcher:
    """Reads a client's ``jwks_url`` (only ever a configured one) within the FHIR limits."""

    async def fetch(url: str) -> bytes:
        document = await read_json(http.client(), url, config.limits)
        return json.dumps(document).encode("utf-8")

    return fetch
