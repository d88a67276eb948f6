"""``eligibility serve``: run the HTTP face (CDS Hooks, and any mounted page) on uvicorn.

The one command that starts another face: it reads the configuration, builds the app
with ``eligibility.http.create_app`` and hands it to uvicorn, a production ASGI server.
It listens on 127.0.0.1 unless told otherwise. ``--insecure-no-auth`` turns the JWT
checks off for a local trial and says so on every start.

``--workers N`` runs N processes on one port (uvicorn's supervisor). Each worker builds
its own app from the same settings, passed in the ``ELIGIBILITY_SERVE`` environment
variable (``worker_app``), so the configuration is checked here once and read again in
each worker. A replayed JWT must be refused whichever worker receives it, so several
workers need ``[service] replay_store``, a file they all share (``http/replay.py``).
Every connection gets TCP_NODELAY (``http/tcp.py``): a socket bound for several workers
did not on older uvicorn releases, and each answer waited about 40 ms for an ACK.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eligibility.errors import UsageError

if TYPE_CHECKING:
    from eligibility.http.config import ServiceConfig

INSECURE_WARNING = ("eligibility serve: WARNING: --insecure-no-auth: no caller is "
                    "authenticated. For local trials only, never with real patient data.")
ENVIRONMENT = "ELIGIBILITY_SERVE"
MAX_WORKERS = 64


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
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="worker processes on the one port (default 1); more than one "
                             "needs [service] replay_store in the configuration")
    parser.add_argument("--insecure-no-auth", action="store_true",
                        help="accept calls without a JWT: for local trials only")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: a port from 1 to 65535")
    if not 0 < args.workers <= MAX_WORKERS:
        raise UsageError(f"--workers {args.workers}: a number from 1 to {MAX_WORKERS}")
    try:
        import uvicorn

        from eligibility.http import create_app
        from eligibility.http.tcp import NoDelayHTTPProtocol
    except ImportError as error:
        raise UsageError(f"serve needs the 'service' extra ({error.name} is missing): "
                         "pip install 'eligibility[service]'") from None
    settings = {"config": None if args.config is None else str(args.config.resolve()),
                "insecure": bool(args.insecure_no_auth),
                "base_url": f"http://{args.host}:{args.port}"}
    config = service_config(settings)
    _check_replay_store(config, args.workers)
    _check_jwks_files(config)
    if args.insecure_no_auth:
        print(INSECURE_WARNING, file=sys.stderr, flush=True)
    options: dict[str, Any] = {"host": args.host, "port": args.port, "server_header": False,
                               "proxy_headers": False, "log_level": "info",
                               "log_config": log_config(),
                               # TCP_NODELAY on each connection, with any worker count (tcp.py)
                               "http": NoDelayHTTPProtocol}
    if args.workers == 1:
        uvicorn.run(create_app(config), **options)
    else:
        os.environ[ENVIRONMENT] = json.dumps(settings)
        uvicorn.run("eligibility.cli.serve_cmd:worker_app", factory=True,
                    workers=args.workers, **options)
    return 0


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the service's own loggers (``eligibility.*``) shown at info.

    uvicorn configures only its loggers, so without this the service's info lines (a refused
    token and why, a feedback item) were dropped and only warnings reached stderr through
    logging's last-resort handler. What they log names no patient, token or user (tested).
    """
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["eligibility"] = {"handlers": ["default"], "level": "INFO",
                                        "propagate": False}
    return config


def service_config(settings: dict[str, Any]) -> ServiceConfig:
    """The configuration ``settings`` name: a file, or a bare local trial without one."""
    from eligibility.http.config import ServiceConfig, load_config

    if settings["config"] is not None:
        config = load_config(Path(settings["config"]))
    elif settings["insecure"]:
        config = ServiceConfig(base_url=settings["base_url"])
    else:
        raise UsageError("serve needs --config FILE (the clients it trusts), or "
                         "--insecure-no-auth for a local trial")
    return config.without_auth() if settings["insecure"] else config


def worker_app() -> Any:
    """The app of one ``--workers`` process, from the settings the command checked."""
    from eligibility.http import create_app

    return create_app(service_config(json.loads(os.environ[ENVIRONMENT])))


def _check_jwks_files(config: ServiceConfig) -> None:
    """Each client's ``jwks_file`` is a JWK Set now, or the service does not start.

    The file is read again when an unknown ``kid`` arrives (so keys can rotate), and a file
    unusable then refuses that caller's tokens; but one missing at start is a mistake in
    the configuration that would only show as every call of that EHR refused.
    """
    for client in config.clients:
        if client.jwks_file is None:
            continue
        try:
            document = json.loads(client.jwks_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            why = error.strerror if isinstance(error, OSError) else "not JSON"
            raise UsageError(f"[[clients]] {client.issuer}: jwks_file {client.jwks_file}: "
                             f"cannot be read: {why}") from None
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise UsageError(f"[[clients]] {client.issuer}: jwks_file {client.jwks_file}: "
                             "not a JWK Set (a JSON object with a keys list)")


def _check_replay_store(config: ServiceConfig, workers: int) -> None:
    """Several workers share one replay store, and it must open before any worker starts."""
    from eligibility.http.replay import SqliteReplayStore

    if workers > 1 and config.replay_store is None and not config.insecure_no_auth:
        raise UsageError(f"--workers {workers}: each worker would remember only the JWTs it "
                         "saw itself, so a replayed token could pass on another; set "
                         "[service] replay_store to a file they share")
    if config.replay_store is not None:
        store = SqliteReplayStore(config.replay_store)
        try:
            store.open()
        except sqlite3.Error as error:
            raise UsageError(f"[service] replay_store {config.replay_store}: cannot be "
                             f"used ({error})") from None
        finally:
            store.close()
