"""``create_app(config)``: the HTTP face, one FastAPI app holding routers over one evaluation.

FastAPI (on Starlette, served by uvicorn) because it writes the OpenAPI document that the
fuzz tests (schemathesis) are generated from, and validates wire models with the pydantic
the project already uses. Routers are plain ``APIRouter``s that find what they share on
``app.state.service`` (``state.py``); ``ROUTERS`` lists the standard ones, and a caller may
pass its own. Around them, outermost first: CORS for the configured origins only, then
the limits (``guards.py``). Every error is an OperationOutcome (``outcomes.py``). The
clinician page is mounted unless ``[page] enabled = false``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware

from eligibility.http import cds, outcomes
from eligibility.http.auth import Fetcher
from eligibility.http.config import ServiceConfig
from eligibility.http.guards import Guards
from eligibility.http.page import page_router
from eligibility.http.state import ServiceState

#: The routers every ``eligibility serve`` mounts, each made by a function of no arguments.
ROUTERS: list[Callable[[], APIRouter]] = [cds.router]


def create_app(config: ServiceConfig, *, routers: Sequence[APIRouter] | None = None,
               fetch: Fetcher | None = None) -> FastAPI:
    """The app for ``config``: the standard routers (``ROUTERS``) unless ``routers`` is given.

    ``fetch`` reads a JWK Set URL (default: httpx within the limits); tests pass a stub.
    """
    from eligibility import __version__

    state = ServiceState.build(config, fetch)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await state.http.aclose()

    app = FastAPI(title="eligibility CDS Hooks service", version=__version__,
                  description="CDS Hooks 2.0.1 services over the eligibility decision aid. "
                              "A decision aid for clinicians, not a prescription.",
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.service = state
    outcomes.install(app)
    mounted = list(routers) if routers is not None else [make() for make in ROUTERS]
    if routers is None and config.page_enabled:
        # The clinician page beside the CDS Hooks services, deciding with the configured
        # pack, on the service's assessment date unless the form gives one.
        mounted.append(page_router(config.rules, today=state.as_of))
    for router in mounted:
        app.include_router(router)
    app.add_middleware(Guards, limits=config.limits)
    if config.cors_origins:
        # Browsers send no Authorization on a preflight: CORS answers it before any route.
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "POST", "OPTIONS"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)
    return app
