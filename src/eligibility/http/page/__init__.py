"""The clinician page: a form and its answer, served by ``eligibility serve`` beside the
CDS Hooks service, for clinicians who meet the aid without an EHR integration.

``page_router(rules)`` is a FastAPI ``APIRouter`` (``GET /``, ``GET /assess``, ``POST
/assess``, ``GET /static/{page.css,page.js}``) that the service's app includes. It has no
decision logic of its own: the form becomes a profile, ``explain`` answers it, and the
command line's renderers word the answer. It works without JavaScript (a plain form
POST); ``static/page.js`` only refreshes the answer as fields change and copies the note.
"""

from __future__ import annotations

from eligibility.http.page.routes import CSP, page_router

__all__ = ["CSP", "page_router"]
