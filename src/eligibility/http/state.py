"""What the routers share: the configuration, the prepared evaluator and the token checks.

Built once per app by ``create_app`` and kept on ``app.state.service``; routers read it
from the request, so any router (the CDS Hooks one, the clinician page) can be mounted
without being handed anything. Nothing here changes after start except the JWK Sets,
the replay guard and the feedback counts, each behind its own object. Each process
(``--workers N``) has its own: the JWT ids seen and the feedback counts are shared through
``[service] replay_store``, while each worker loads its clients' JWK Sets itself (so N
workers fetch a rotated ``jwks_url`` up to N times per ``jwks_refresh_seconds``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from eligibility.engine.evaluation import Evaluator, evaluator_for
from eligibility.http.auth import Fetcher, Verifier
from eligibility.http.config import Client, ServiceConfig
from eligibility.http.feedback import FeedbackCounts, MemoryFeedback, feedback_counts
from eligibility.http.fetch import Http, fetcher


@dataclass
class ServiceState:
    config: ServiceConfig
    evaluator: Evaluator
    verifier: Verifier
    http: Http
    #: Per (service, outcome); shared by every process when ``replay_store`` is set.
    feedback: FeedbackCounts = field(default_factory=MemoryFeedback)

    @classmethod
    def build(cls, config: ServiceConfig, fetch: Fetcher | None = None) -> ServiceState:
        """``fetch`` reads a JWK Set URL (default: httpx within the limits); tests stub it."""
        http = Http()
        return cls(config=config, evaluator=evaluator_for(config.rules),
                   verifier=Verifier(config, fetch or fetcher(config, http)), http=http,
                   feedback=feedback_counts(config.replay_store))

    def as_of(self) -> dt.date:
        """The assessment date: the configured one, else today's date in UTC."""
        return self.config.as_of or dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Caller:
    """Who called: the client whose JWT passed (None with ``--insecure-no-auth``)."""

    client: Client | None
    claims: dict[str, Any]


def service_state(request: Request) -> ServiceState:
    state = request.app.state.service
    assert isinstance(state, ServiceState)
    return state
