"""The HTTP face: CDS Hooks 2.0.1 services (and the clinician page) over the same evaluation.

``create_app(config)`` builds the FastAPI app; ``eligibility serve`` runs it on uvicorn.
Needs the ``service`` extra (``pip install 'eligibility[service]'``).
"""

from __future__ import annotations

from eligibility.http.app import ROUTERS, create_app
from eligibility.http.config import ConfigError, ServiceConfig, load_config

__all__ = ["ROUTERS", "ConfigError", "ServiceConfig", "create_app", "load_config"]
