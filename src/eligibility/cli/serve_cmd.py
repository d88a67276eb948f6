"""``eligibility serve``: run the HTTP face (CDS Hooks, and any mounted page) on uvicorn.

The one command that starts another face: it reads the configuration, builds the app
with ``eligibility.http.create_app`` and hands it to uvicorn, a production ASGI server.
It listens on 127.0.0.1 unless told otherwise. ``--insecure-no-auth`` turns the JWT
checks off for a local trial and says so on every start.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from eligibility.errors import UsageError

INSECURE_WARNING = ("eligibility serve: WARNING: --insecure-no-auth: no caller is "
                    "authenticated. For local trials only, never with real patient data.")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve CDS Hooks 2.0.1 services over HTTP (needs the 'service' extra)",
        description="Serve the CDS Hooks 2.0.1 services (discovery at /cds-services) on a "
                    "production ASGI server (uvicorn). Install with pip install "
                    "'eligibility[service]'.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="the service's TOML configuration (base_url, rules, clients, cors)")
    parser.add_argument("--insecure-no-auth", action="store_true",
                        help="accept calls without a JWT: for local trials only")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: a port from 1 to 65535")
    try:
        import uvicorn

        from eligibility.http import create_app
        from eligibility.http.config import ServiceConfig, load_config
    except ImportError as error:
        raise UsageError(f"serve needs the 'service' extra ({error.name} is missing): "
                         "pip install 'eligibility[service]'") from None
    if args.config is not None:
        config = load_config(args.config)
    elif args.insecure_no_auth:
        config = ServiceConfig(base_url=f"http://{args.host}:{args.port}")
    else:
        raise UsageError("serve needs --config FILE (the clients it trusts), or "
                         "--insecure-no-auth for a local trial")
    if args.insecure_no_auth:
        config = config.without_auth()
        print(INSECURE_WARNING, file=sys.stderr, flush=True)
    app = create_app(config)
    uvicorn.run(app, host=args.host, port=args.port, server_header=False,
                proxy_headers=False, log_level="info")
    return 0
