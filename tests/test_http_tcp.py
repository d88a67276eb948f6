"""Every connection the service accepts has TCP_NODELAY, with one worker or several.

Nothing is timed: the tests read the option on the server's own end of each connection.
For ``eligibility serve --workers 2`` that end lives in a worker process, so the test
finds the socket by its inode (``/proc/net/tcp`` gives the inode of the pair of ports,
``/proc/PID/fd`` the descriptor) and takes a copy of the descriptor with
``pidfd_getfd(2)`` (Linux 5.6; allowed on the test's own descendants). Every wait has a
deadline and every socket a timeout, so a broken service fails a test, never hangs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from http_support import Service, serve
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from eligibility.http.tcp import NoDelayHTTPProtocol

SYS_PIDFD_GETFD = 438  # the same number on every Linux architecture (a "generic" syscall)
REQUEST = b"GET /cds-services HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def _inode(server_port: int, client_port: int) -> str:
    """The inode of the server's end of the loopback connection between the two ports."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
        if local == server_port and remote == client_port:
            return fields[9]
    raise AssertionError(f"no server end for 127.0.0.1:{client_port} in /proc/net/tcp")


def _nodelay_in(pids: list[int], inode: str) -> int:
    """TCP_NODELAY on the socket with ``inode``, read through a copy of a process's descriptor."""
    libc = ctypes.CDLL(None, use_errno=True)
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{pid}/fd/{fd}") != f"socket:[{inode}]":
                    continue
                pidfd = os.pidfd_open(pid)
                try:
                    copy = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(fd), 0)
                    assert copy >= 0, f"pidfd_getfd: {os.strerror(ctypes.get_errno())}"
                finally:
                    os.close(pidfd)
                with socket.socket(fileno=copy) as sock:
                    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    raise AssertionError(f"socket:[{inode}] is in none of the processes {pids}")


@contextlib.contextmanager
def _connection(port: int) -> Iterator[socket.socket]:
    """A keep-alive connection that has had one answer (so the server has accepted it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(REQUEST)
        assert client.recv(65536).startswith(b"HTTP/1.1 200")
        yield client


def _workers(service: Service, count: int) -> list[int]:
    deadline = time.monotonic() + 60
    while service.stderr().count("Application startup complete") < count:
        assert time.monotonic() < deadline, service.stderr()
        time.sleep(0.1)
    return [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", service.stderr())]


@pytest.mark.parametrize("workers", [1, 2])
def test_every_accepted_connection_has_nodelay(tmp_path: Path, workers: int) -> None:
    with serve(None, tmp_path / "serve.log", "--insecure-no-auth",
               "--workers", str(workers)) as service:
        pids = _workers(service, workers)
        assert len(pids) == workers
        found = []
        for _ in range(6):
            # Read while the connection is open (uvicorn closes an idle one after 5 s).
            with _connection(service.port) as client:
                found.append(_nodelay_in(pids, _inode(service.port, client.getsockname()[1])))
    assert found == [1] * 6


@contextlib.contextmanager
def _uvicorn_on_a_bare_socket(protocol: type[asyncio.Protocol]) -> Iterator[int]:
    """uvicorn in a thread, on a listening socket made with ``proto`` 0, as older uvicorn
    releases made the one its ``--workers`` supervisor shares."""

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        assert callable(send)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, http=protocol, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[listener])),
                              daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        yield listener.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


@pytest.mark.parametrize(("protocol", "expected"), [(NoDelayHTTPProtocol, 1),
                                                     (AutoHTTPProtocol, 0)],
                         ids=["ours", "uvicorn-alone"])
def test_the_protocol_sets_nodelay_where_asyncio_would_not(
        protocol: type[asyncio.Protocol], expected: int) -> None:
    """The second case shows the failure this guards against is real on this Python."""
    with _uvicorn_on_a_bare_socket(protocol) as port, _connection(port) as client:
        found = _nodelay_in([os.getpid()], _inode(port, client.getsockname()[1]))
    assert found == expected
