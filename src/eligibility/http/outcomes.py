"""Every refusal the service makes, as a FHIR OperationOutcome in plain JSON.

CDS Hooks 2.0.1 ("CDS Service Response", HTTP Status Codes) asks a service that answers
non-2xx to say why in an OperationOutcome. One builder here, so that a 400, 401, 412 or
413 looks the same wherever it is raised, and no handler ever shows a traceback: anything
unexpected becomes a 500 that says only that, while the log keeps the exception type.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger("eligibility.http")

#: FHIR issue-type codes (http://hl7.org/fhir/issue-type) per status we answer with.
ISSUE_CODE = {400: "structure", 401: "login", 403: "forbidden", 404: "not-found",
              405: "not-supported", 408: "timeout", 412: "incomplete", 413: "too-costly",
              415: "not-supported", 422: "invalid", 500: "exception"}


class JSONBytes(Response):
    """Compact UTF-8 JSON, keys in the order built: the same answer, the same bytes."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def dumps(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


class Refusal(Exception):
    """A request refused with ``status``; ``text`` is safe to show to the caller."""

    def __init__(self, status: int, text: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.headers = headers or {}


#: The one issue shape sent (FHIR OperationOutcome.issue), kept as wire text: its names are
#: FHIR's, not the profile's fields (``severity`` here is the issue's, not the eczema's).
_ISSUE: dict[str, str] = json.loads('{"severity": "error", "code": "", "diagnostics": ""}')


def outcome(status: int, text: str) -> dict[str, Any]:
    issue = {**_ISSUE, "code": ISSUE_CODE.get(status, "processing"), "diagnostics": text}
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def refusal_response(status: int, text: str,
                     headers: dict[str, str] | None = None) -> JSONBytes:
    return JSONBytes(outcome(status, text), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Map every error the framework or our code raises onto an OperationOutcome."""

    async def refused(_request: Request, error: Exception) -> Response:
        assert isinstance(error, Refusal)
        return refusal_response(error.status, error.text, error.headers)

    async def invalid(_request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return refusal_response(400, "malformed request: " + describe(error.errors()))

    async def http_error(_request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        text = {404: "no such endpoint", 405: "method not allowed here"}.get(
            error.status_code, str(error.detail))
        return refusal_response(error.status_code, text, dict(error.headers or {}))

    async def unexpected(_request: Request, error: Exception) -> Response:
        log.error("internal error: %s", type(error).__name__)
        return refusal_response(500, "internal error; the request was not evaluated")

    app.add_exception_handler(Refusal, refused)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def describe(errors: Any) -> str:
    """pydantic's errors as 'where: what' without echoing the input (it may be a patient's)."""
    parts = []
    for error in list(errors)[:5]:
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "the body is not a valid request"
