"""PROXY protocol end to end: a balancer's v2 header names the client, whose real SSH login
is then audited (and limited) under that address; forged headers close the connection."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import asyncssh
import pytest
from sqlalchemy import select

from core.models import AuditEvent
from core.runtime import Core
from ssh_server.proxy_protocol import v2_header
from tests.e2e.harness import eventually, running_server

pytestmark = pytest.mark.e2e

FAKE = "198.51.100.23"


def _socket_with(port: int, header: bytes) -> socket.socket:
    """A TCP connection to the server that has already sent ``header`` (as HAProxy does)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(header)
    sock.setblocking(False)
    return sock


async def _login(port: int, header: bytes, user: str = "mia",
                 password: str = "mia-demo") -> asyncssh.SSHClientConnection:
    sock = await asyncio.to_thread(_socket_with, port, header)
    return await asyncio.wait_for(asyncssh.connect(
        sock=sock, username=user, password=password, known_hosts=None, agent_path=None,
        preferred_auth="password", config=None), 10)


async def _audit(core: Core, *actions: str) -> list[AuditEvent]:
    async with core.uow(readonly=True) as uow:
        rows = await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id))
        return list(rows)


async def test_header_from_the_balancer_names_the_source_of_a_real_login(
        tmp_path: Path, db_templates: dict[str, Path]) -> None:
    async with running_server(tmp_path, templates=db_templates, proxy_protocol=True,
                              proxy_trusted="127.0.0.0/8") as srv:
        header = v2_header(FAKE, 40123, "127.0.0.1", srv.port)
        conn = await _login(srv.port, header)
        async with conn:
            result = await conn.run("whoami", check=False)
            assert "mia" in str(result.stdout)
        login = (await _audit(srv.core, "session.command"))[-1]  # exec: "session.command"
        assert login.actor_username == "mia" and login.source_address == FAKE
        # a failed login is recorded under the client's address too (the lockout's source)
        with pytest.raises(asyncssh.PermissionDenied):
            await _login(srv.port, v2_header("2001:db8::5", 1, "::1", 22), password="wrong")
        failed = (await _audit(srv.core, "session.login_failed"))[-1]
        assert failed.source_address == "2001:db8::5"
        # the balancer's connections without a header are not SSH clients
        with pytest.raises((ConnectionError, asyncssh.Error, OSError)):
            await _login(srv.port, b"")


async def test_header_from_an_untrusted_address_is_refused(
        tmp_path: Path, db_templates: dict[str, Path]) -> None:
    async with running_server(tmp_path, templates=db_templates, proxy_protocol=True,
                              proxy_trusted="192.0.2.10") as srv:
        with pytest.raises((ConnectionError, asyncssh.Error, OSError)):
            await _login(srv.port, v2_header(FAKE, 40123, "127.0.0.1", srv.port))
        assert srv.server.gate is not None and srv.server.gate.proxy_refused == 1
        # the same address without a header logs in as itself
        conn = await _login(srv.port, b"")
        async with conn:
            await conn.run("whoami", check=False)
        login = (await _audit(srv.core, "session.command"))[-1]
        assert login.source_address == "127.0.0.1"


async def test_without_the_option_a_header_is_refused_as_garbage(
        tmp_path: Path, db_templates: dict[str, Path]) -> None:
    async with running_server(tmp_path, templates=db_templates) as srv:
        for header in (v2_header(FAKE, 40123, "127.0.0.1", srv.port),
                       f"PROXY TCP4 {FAKE} 127.0.0.1 40123 {srv.port}\r\n".encode()):
            with pytest.raises((ConnectionError, asyncssh.Error, OSError)):
                await _login(srv.port, header)
        assert srv.server.gate is not None and srv.server.gate.proxy_refused == 2
        assert all(
            row.source_address != FAKE
            for row in await _audit(srv.core, "session.login", "session.command")
        )


async def test_per_source_limit_counts_the_address_of_the_header(
        tmp_path: Path, db_templates: dict[str, Path]) -> None:
    """Behind the balancer every connection comes from 127.0.0.1; the limit of
    unauthenticated connections applies to each client address of the headers."""
    async with running_server(tmp_path, templates=db_templates, proxy_protocol=True,
                              proxy_trusted="127.0.0.1", max_unauth_per_source=1) as srv:
        idle = await asyncio.to_thread(
            _socket_with, srv.port, v2_header(FAKE, 1, "127.0.0.1", srv.port)
            + b"SSH-2.0-idle\r\n")  # spoke SSH, never authenticates: holds FAKE's one place
        try:
            # FAKE's place is held once the server counted it (not after a fixed 0.3 s)
            await eventually(lambda: srv.server.limits.unauthenticated[FAKE] == 1)
            with pytest.raises((ConnectionError, asyncssh.Error, OSError)):
                await _login(srv.port, v2_header(FAKE, 2, "127.0.0.1", srv.port))
            conn = await _login(srv.port, v2_header("198.51.100.24", 3, "127.0.0.1", srv.port))
            conn.close()  # another client behind the same balancer is not affected
        finally:
            idle.close()
