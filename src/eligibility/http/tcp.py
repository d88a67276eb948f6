"""TCP_NODELAY on every connection the service accepts, whatever socket uvicorn listens on.

Without it an answer can wait about 40 ms on Linux: the response leaves in two writes
(headers, then body), Nagle's algorithm holds the second until the first is acknowledged,
and the client delays that ACK. asyncio turns Nagle off only on sockets that report
``proto == IPPROTO_TCP``. ``eligibility serve --workers N`` hands uvicorn's supervisor a
socket bound before the workers start, and older uvicorn releases bound it with ``proto``
0 (Kludex/uvicorn#3149; the 0.55 tested here passes IPPROTO_TCP), so every accepted
connection kept Nagle on; one worker was unaffected (asyncio binds that socket itself).
Rather than depend on the version installed (the ``service`` extra allows uvicorn 0.30
and later), the HTTP protocol the service runs sets the option on each connection made.

``NoDelayHTTPProtocol`` is uvicorn's own choice of HTTP protocol (httptools when
installed, else h11) with that one step added; ``serve_cmd`` passes it to uvicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

_TCP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Turn Nagle's algorithm off on a TCP transport's socket (nothing for a Unix socket)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in _TCP_FAMILIES and sock.type == socket.SOCK_STREAM:
        # A connection already closed by the peer cannot take the option: nothing to speed up.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _connection_made(self: Any, transport: asyncio.BaseTransport) -> None:
    set_nodelay(transport)
    AutoHTTPProtocol.connection_made(self, transport)


#: Built from ``AutoHTTPProtocol`` (a variable naming one of two classes), and kept at module
#: level under its own name so the ``--workers`` processes can unpickle uvicorn's settings.
NoDelayHTTPProtocol: type[asyncio.Protocol] = type(
    "NoDelayHTTPProtocol", (AutoHTTPProtocol,),
    {"connection_made": _connection_made, "__module__": __name__,
     "__doc__": "uvicorn's HTTP protocol, with TCP_NODELAY set on each new connection."})
