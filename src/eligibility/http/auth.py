"""Who may call: the JWT checks of CDS Hooks 2.0.1 "Trusting CDS Clients", on every call.

A token is accepted only when all of these hold, checked in this order so that nothing is
fetched or verified for a stranger: a JWS with header ``typ`` ``JWT`` and a ``kid``; an
``iss`` on the allowlist (``[[clients]]``); an ``alg`` among that client's algorithms
(asymmetric only: ``none`` and HMAC never verify, since the config refuses them); a
``jku``, if given, equal to the client's own ``jwks_url`` (the service never fetches keys
from a URL a request names); a key for the ``kid`` in the client's JWK Set; a valid
signature; ``aud`` equal to the URL invoked; ``exp``, ``iat`` and ``jti`` present,
``iat`` not in the future and ``exp`` not past (both within the leeway), a lifetime of at
most an hour; and a ``jti`` not seen before from that issuer while it could still be used
(``replay.py``: in memory, or in a file every process of the service shares).

An unknown ``kid`` reloads the client's JWK Set (key rotation) at most once per
``jwks_refresh_seconds``. Every refusal is the same 401 to the caller; the reason goes to
the log, which never holds a token or patient data.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from jwt import PyJWK, PyJWKSet

from eligibility.http.config import Client, ServiceConfig
from eligibility.http.outcomes import Refusal
from eligibility.http.replay import replay_store
from eligibility.safe_text import clip

log = logging.getLogger("eligibility.http.auth")

MAX_LIFETIME_SECONDS = 3600
MAX_TOKEN_BYTES = 16 * 1024

#: Reads a JWK Set document from a URL (httpx in the service, a stub in unit tests).
Fetcher = Callable[[str], Awaitable[bytes]]


class Unauthorized(Refusal):
    def __init__(self) -> None:
        super().__init__(401, "not authorised", headers={"WWW-Authenticate": "Bearer"})


class _Refused(Exception):
    """Why a token was refused: for the log only, never for the caller."""


class KeySet:
    """One client's JWK Set, reloaded when an unknown ``kid`` arrives, at most once per
    interval (a stranger's made-up kids cannot make the service hammer the EHR)."""

    def __init__(self, client: Client, refresh_seconds: int, fetch: Fetcher | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._refresh = refresh_seconds
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, PyJWK] = {}
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> PyJWK | None:
        found = self._keys.get(kid)
        if found is not None:
            return found
        async with self._lock:
            found = self._keys.get(kid)
            now = self._clock()
            if found is None and (self._loaded_at is None
                                  or now - self._loaded_at >= self._refresh):
                self._loaded_at = now
                try:
                    self._keys = _by_kid(await self._read())
                except Exception as error:  # an unreadable key set refuses, it never crashes
                    log.warning("JWK Set of %s unusable: %s", self._client.issuer,
                                type(error).__name__)
                found = self._keys.get(kid)
            return found

    async def _read(self) -> dict[str, Any]:
        if self._client.jwks_file is not None:
            data: Any = json.loads(self._client.jwks_file.read_text(encoding="utf-8"))
        else:
            assert self._client.jwks_url is not None and self._fetch is not None
            data = json.loads(await self._fetch(self._client.jwks_url))
        if not isinstance(data, dict):
            raise ValueError("a JWK Set is a JSON object")
        return data


def _by_kid(document: dict[str, Any]) -> dict[str, PyJWK]:
    keys: dict[str, PyJWK] = {}
    for key in PyJWKSet.from_dict(document):
        if key.key_id and key.public_key_use in (None, "sig"):
            keys.setdefault(key.key_id, key)
    return keys


class Verifier:
    """Checks the bearer JWT of one request (``verify``); refusals raise ``Unauthorized``."""

    def __init__(self, config: ServiceConfig, fetch: Fetcher | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._config = config
        self._clock = clock
        self._keys = {client.issuer: KeySet(client, config.jwks_refresh_seconds, fetch)
                      for client in config.clients}
        self._replays = replay_store(config.replay_store)

    async def verify(self, authorization: str | None, audience: str) -> dict[str, Any]:
        """The token's claims when ``authorization`` carries a token valid for ``audience``."""
        try:
            return await self._check(authorization, audience)
        except _Refused as why:
            log.info("refused a token: %s", why)
            raise Unauthorized() from None

    async def _check(self, authorization: str | None, audience: str) -> dict[str, Any]:
        if not authorization:
            raise _Refused("no Authorization header")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_BYTES:
            raise _Refused("not a Bearer token of acceptable size")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise _Refused(f"not a JWS ({type(error).__name__})") from None
        alg, kid, typ = header.get("alg"), header.get("kid"), header.get("typ")
        if typ != "JWT" or not isinstance(kid, str) or not kid or not isinstance(alg, str):
            raise _Refused("header needs typ JWT, kid and alg")
        issuer = unverified.get("iss")
        client = self._config.client(issuer) if isinstance(issuer, str) else None
        if client is None or not isinstance(issuer, str):
            raise _Refused("issuer not on the allowlist")
        if alg not in client.algorithms:
            # alg is the caller's own unverified text: escaped and clipped, so it cannot write
            # a line of its own into the log.
            raise _Refused(f"algorithm {clip(alg, 16)} not allowed for this issuer")
        if "jku" in header and header["jku"] != client.jwks_url:
            raise _Refused("jku is not the issuer's configured JWK Set URL")
        key = await self._keys[issuer].key(kid)
        if key is None:
            raise _Refused("no key for this kid")
        if key.key_type != ("EC" if alg.startswith("ES") else "RSA"):
            raise _Refused("the key is of another type than the algorithm")
        now = self._clock()
        leeway = self._config.jwt_leeway_seconds
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=[alg], audience=audience, issuer=issuer,
                leeway=leeway, options={"require": ["iss", "aud", "exp", "iat", "jti"],
                                        "verify_iat": True})
        except jwt.PyJWTError as error:
            raise _Refused(f"token invalid ({type(error).__name__})") from None
        exp, iat, jti = claims["exp"], claims["iat"], claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise _Refused("jti must be a non-empty string")
        if not isinstance(exp, int | float) or not isinstance(iat, int | float):
            raise _Refused("exp and iat must be numbers")
        if iat > now + leeway or exp - iat > MAX_LIFETIME_SECONDS:
            raise _Refused("iat in the future or lifetime over an hour")
        replays = self._replays
        claim = (issuer, jti, exp + leeway, now)
        first = await asyncio.to_thread(replays.first_use, *claim) if replays.blocking \
            else replays.first_use(*claim)
        if not first:
            raise _Refused("jti already used")
        return claims
