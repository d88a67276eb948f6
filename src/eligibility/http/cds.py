"""The CDS Hooks 2.0.1 endpoints: discovery, the two services, and feedback.

Thin by design: each route checks the caller (``authenticated``: a JWT on every call,
discovery included), parses the wire model and hands over to ``hooks.answer``, which
asks the same ``Evaluator`` every other face uses. Responses are compact JSON built as
plain dicts, so identical requests get identical bytes.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.responses import Response

from eligibility.http.discovery import SERVICES, Service, discovery_document
from eligibility.http.hooks import answer
from eligibility.http.outcomes import JSONBytes, Refusal
from eligibility.http.state import Caller, ServiceState, service_state
from eligibility.http.wire import FeedbackRequest, HookRequest
from eligibility.safe_text import clip

log = logging.getLogger("eligibility.http.cds")

_bearer = HTTPBearer(auto_error=False, description="A JWT signed by a configured CDS client "
                                                   "(CDS Hooks 2.0.1, Trusting CDS Clients)")
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text} for status, text in (
        (400, "malformed request (OperationOutcome)"), (401, "not authorised"),
        (404, "no such service"), (408, "took too long"), (412, "FHIR data missing and "
        "cannot be fetched (OperationOutcome)"), (413, "too large"))}


async def authenticated(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Caller:
    state = service_state(request)
    if state.config.insecure_no_auth:
        return Caller(None, {})
    claims = await state.verifier.verify(request.headers.get("authorization"),
                                         state.config.base_url + invoked_path(request))
    return Caller(state.config.client(claims["iss"]), claims)


def invoked_path(request: Request) -> str:
    """The path as the client called it, below the base URL (a proxy's prefix removed)."""
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def known_service(service_id: str) -> Service:
    found = SERVICES.get(service_id)
    if found is None:
        raise Refusal(404, "no such CDS service; GET /cds-services lists them")
    return found


ServiceId = Annotated[str, Path(max_length=128, description="a service id from discovery",
                                json_schema_extra={"enum": list(SERVICES)})]
State = Annotated[ServiceState, Depends(service_state)]
Authenticated = Annotated[Caller, Depends(authenticated)]


def router() -> APIRouter:
    routes = APIRouter(tags=["CDS Hooks"], responses=_ERRORS)

    @routes.get("/cds-services", response_class=JSONBytes,
                summary="Discovery: the services offered and their prefetch templates")
    async def discovery(_caller: Authenticated) -> Response:
        return JSONBytes(discovery_document())

    @routes.post("/cds-services/{service_id}", response_class=JSONBytes,
                 summary="Call a service: cards for the patient in context")
    async def call(service_id: ServiceId, body: HookRequest, state: State,
                   caller: Authenticated) -> Response:
        return JSONBytes(await answer(known_service(service_id), body, caller, state))

    # A plain def: FastAPI runs it in its thread pool, so the shared store's SQLite writes
    # (which may wait on another process's lock) never block the event loop.
    @routes.post("/cds-services/{service_id}/feedback", summary="Feedback on cards",
                 response_class=Response, responses={200: {"description": "recorded"}})
    def feedback(service_id: ServiceId, body: FeedbackRequest, state: State,
                 _caller: Authenticated) -> Response:
        service = known_service(service_id)
        for item in body.feedback:
            # The card's uuid and the outcome only: a user's comment may name the patient.
            state.feedback.add(service.id, item.outcome)
            reason = item.overrideReason.reason.code if (
                item.overrideReason and item.overrideReason.reason) else "-"
            # The card id and reason code are the caller's text: escaped, clipped (safe_text).
            log.info("feedback %s card %s %s reason %s", service.id, clip(item.card, 64),
                     item.outcome, clip(reason, 64))
        return Response(status_code=200)

    return routes
