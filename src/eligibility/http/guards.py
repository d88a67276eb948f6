"""Limits on what one request may cost, enforced before any route runs.

A plain ASGI middleware (no framework in the way): the body is counted as it arrives and
refused with 413 once it passes ``max_body_bytes`` (a ``Content-Length`` over it is
refused before a byte is read), and the whole exchange, reading the body included, must
finish within ``request_seconds`` or is answered 408: a client that sends slowly cannot
hold a worker. Each refusal is an OperationOutcome (``outcomes.py``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eligibility.http.config import Limits
from eligibility.http.outcomes import refusal_response


class Guards:
    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await refusal_response(413, f"the body is over {limit} bytes")(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(self.limits.request_seconds):
                # The body is read here, whole and counted, so that the framework never
                # sees more than the limit (it would turn our refusal into its own 400).
                body = await _read_body(receive, limit)
                if body is None:
                    await refusal_response(413, f"the body is over {limit} bytes")(
                        scope, receive, send)
                    return
                await self.app(scope, _replay(body, receive), watched)
        except TimeoutError:
            if not started:
                text = f"the request took longer than {self.limits.request_seconds:g} s"
                await refusal_response(408, text)(scope, receive, send)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None once it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)  # the client went away: the app sees an empty body
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _content_length(scope: Scope) -> int | None:
    headers: Any = scope.get("headers", ())
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
