"""SSH authentication and limits over real connections; identity-binding attacks."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from asyncssh.public_key import SSHLocalKeyPair
from sqlalchemy import select

from core.models import AuditEvent
from core.runtime import Core
from core.services import operators
from ssh_server.auth import PortalConnection
from tests.e2e.harness import (
    RunningServer,
    connect,
    eventually,
    interactive_session,
    run_exec,
    running_server,
)

pytestmark = pytest.mark.e2e


async def _add_key(core: Core, username: str) -> asyncssh.SSHKey:
    key = asyncssh.generate_private_key("ssh-ed25519", comment=f"{username}@test")
    line = key.export_public_key().decode().strip()
    async with core.uow() as uow:
        await operators.add_key(uow, username=username, public_key=line)
    return key


async def _logins(core: Core) -> list[AuditEvent]:
    async with core.uow(readonly=True) as uow:
        rows = await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "session.login").order_by(AuditEvent.id)
        )
        return list(rows)


class RepeatingPasswordClient(asyncssh.SSHClient):
    """Keeps offering wrong passwords; counts how often the server let it try."""

    def __init__(self) -> None:
        self.asked = 0

    def password_auth_requested(self) -> str:
        self.asked += 1
        return f"wrong-{self.asked}"


async def test_wrong_password_is_refused(demo_server: RunningServer) -> None:
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(demo_server.port, "admin", "not-the-password")
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(demo_server.port, "nobody", "whatever")


async def test_three_failures_close_the_connection(demo_server: RunningServer) -> None:
    client = RepeatingPasswordClient()
    with pytest.raises((asyncssh.DisconnectError, asyncssh.PermissionDenied, ConnectionError)):
        await asyncssh.connect(
            "127.0.0.1", demo_server.port, username="mia", known_hosts=None, agent_path=None,
            client_factory=lambda: client, preferred_auth="password", config=None,
        )
    assert client.asked == 3


async def test_lockout_per_account_not_per_source(demo_server: RunningServer) -> None:
    for _ in range(5):
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(demo_server.port, "mia", "wrong")
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(demo_server.port, "mia", "mia-demo")
    # another account behind the same address is not affected
    conn = await connect(demo_server.port, "tom", "tom-demo")
    conn.close()


async def test_keyboard_interactive_login(demo_server: RunningServer) -> None:
    conn = await asyncssh.connect(
        "127.0.0.1", demo_server.port, username="admin", password="admin-demo",
        known_hosts=None, agent_path=None, preferred_auth="keyboard-interactive", config=None,
    )
    async with conn:
        result = await conn.run("whoami", check=False)
        assert "admin" in str(result.stdout)


async def test_public_key_login_records_fingerprint_and_source(demo_server: RunningServer) -> None:
    key = await _add_key(demo_server.core, "mia")
    async with interactive_session(demo_server.port, "mia", client_keys=[key]) as term:
        await term.wait_for("Muster GmbH", timeout=30)
    login = (await _logins(demo_server.core))[-1]
    assert login.actor_username == "mia"
    assert login.key_fingerprint == key.get_fingerprint("sha256")
    assert login.source_address == "127.0.0.1"


async def test_key_of_another_account_is_not_accepted(demo_server: RunningServer) -> None:
    key = await _add_key(demo_server.core, "admin")
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(demo_server.port, "mia", client_keys=[key], preferred_auth="publickey")


class ForgedKeyPair(SSHLocalKeyPair):
    """Claims the victim's public key but can only sign with the attacker's own key."""

    def __init__(self, signer: asyncssh.SSHKey, claimed: asyncssh.SSHKey) -> None:
        super().__init__(signer, None, None, None)
        self.public_data = claimed.public_data


async def test_offered_key_without_valid_signature_binds_nothing(
    demo_server: RunningServer,
) -> None:
    victim = await _add_key(demo_server.core, "admin")
    attacker = asyncssh.generate_private_key("ssh-ed25519")
    forged = ForgedKeyPair(attacker, victim.convert_to_public())
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(demo_server.port, "admin", client_keys=[forged], preferred_auth="publickey")
    # Soft Serve pattern: offer the victim's key, then log in with one's own password
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(demo_server.port, "admin", "tom-demo", client_keys=[forged])
    assert [e.actor_username for e in await _logins(demo_server.core)] == []


async def test_offered_key_does_not_leak_into_password_login(demo_server: RunningServer) -> None:
    """Direct callbacks: victim key probed for "admin", then a password login as "tom"."""
    victim = await _add_key(demo_server.core, "admin")

    class FakeConn:
        def __init__(self) -> None:
            self.closed = False

        def get_extra_info(self, name: str, default: Any = None) -> Any:
            return {"peername": ("10.0.0.9", 4711), "username": "tom"}.get(name, default)

        def close(self) -> None:
            self.closed = True

        def send_auth_banner(self, banner: str) -> None:
            self.banner = banner

    connection = PortalConnection(demo_server.server)
    connection.connection_made(FakeConn())  # type: ignore[arg-type]
    assert await connection.begin_auth("admin")
    assert await connection.validate_public_key("admin", victim.convert_to_public())
    assert await connection.validate_password("tom", "tom-demo")
    await connection.auth_completed()
    assert connection.actor is not None
    assert connection.actor.username == "tom"
    assert connection.actor.key_fingerprint is None
    connection.connection_lost(None)


async def test_unauthenticated_connections_limited_per_source(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path, templates=db_templates, max_unauth_per_source=2) as srv:
        idle = [await asyncio.open_connection("127.0.0.1", srv.port) for _ in range(2)]
        for _reader, writer in idle:  # counted once they speak SSH (silent ones: test_preauth)
            writer.write(b"SSH-2.0-idle\r\n")
        counted = srv.server.limits.unauthenticated
        # both counted, then both released, before the next login (not a fixed 0.3 s)
        await eventually(lambda: counted["127.0.0.1"] == 2)
        with pytest.raises((asyncssh.Error, ConnectionError, OSError)):
            await connect(srv.port, "admin", "admin-demo")
        for _reader, writer in idle:
            writer.close()
        await eventually(lambda: counted["127.0.0.1"] == 0)
        conn = await connect(srv.port, "admin", "admin-demo")
        conn.close()


async def test_login_timeout_drops_silent_clients(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path, templates=db_templates, login_timeout=1) as srv:
        reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
        writer.write(b"SSH-2.0-silent\r\n")
        data = await asyncio.wait_for(reader.read(), 30)  # until the server closes
        assert data.startswith(b"SSH-2.0-linedesk")
        writer.close()


async def test_max_sessions_per_user(tmp_path: Path, db_templates: dict[str, Path]) -> None:
    async with running_server(tmp_path, templates=db_templates, max_sessions_per_user=1) as srv:
        async with interactive_session(srv.port, "mia", "mia-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
            code, _out, err = await run_exec(srv.port, "mia", "mia-demo", "whoami")
            assert code == 1
            assert "höchstens 1" in err
            code, _out, _err = await run_exec(srv.port, "tom", "tom-demo", "whoami")
            assert code == 0


async def test_forwarding_sftp_and_scp_are_refused(demo_server: RunningServer) -> None:
    conn = await connect(demo_server.port, "admin", "admin-demo")
    async with conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.create_connection(asyncssh.SSHTCPSession, "127.0.0.1", demo_server.port)
        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 22)
        with pytest.raises((asyncssh.Error, OSError)):
            async with conn.start_sftp_client():
                pass
        with pytest.raises((asyncssh.Error, OSError)):
            await conn.run("scp -t /tmp/x", check=True)
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.create_unix_connection(asyncssh.SSHUNIXSession, "/tmp/x.sock")


async def test_only_modern_algorithms(demo_server: RunningServer) -> None:
    for option, value in (
        ("encryption_algs", ["aes128-cbc"]),
        ("kex_algs", ["diffie-hellman-group14-sha1"]),
        ("mac_algs", ["hmac-sha1"]),
    ):
        kwargs = {option: value}
        if option == "mac_algs":
            kwargs["encryption_algs"] = ["aes128-ctr"]
        with pytest.raises((asyncssh.Error, ConnectionError)):
            await connect(demo_server.port, "admin", "admin-demo", **kwargs)
    conn = await connect(demo_server.port, "admin", "admin-demo")
    async with conn:
        assert conn.get_extra_info("send_cipher") in {
            "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com"
        }


class BannerClient(asyncssh.SSHClient):
    def __init__(self) -> None:
        self.banner = ""

    def auth_banner_received(self, msg: str, lang: str) -> None:
        self.banner += msg


async def test_banner_is_shown_before_login(demo_server: RunningServer) -> None:
    client = BannerClient()
    conn = await asyncssh.connect(
        "127.0.0.1", demo_server.port, username="admin", password="admin-demo", known_hosts=None,
        agent_path=None, client_factory=lambda: client, config=None,
    )
    conn.close()
    assert "Business Service Portal" in client.banner


async def test_public_key_then_keyboard_interactive_gains_nothing(
    demo_server: RunningServer,
) -> None:
    """The victim's key offered (the server answers "acceptable"), the signature forged, then
    keyboard-interactive with the attacker's own password under the victim's name."""
    victim = await _add_key(demo_server.core, "admin")
    forged = ForgedKeyPair(asyncssh.generate_private_key("ssh-ed25519"), victim.convert_to_public())
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(demo_server.port, "admin", "tom-demo",
                      client_keys=[forged],  # type: ignore[list-item]
                      preferred_auth="publickey,keyboard-interactive")
    assert [e.actor_username for e in await _logins(demo_server.core)] == []


async def _through_socks(socks_port: int, target_port: int) -> bytes:
    """Send b"ping" through ``ssh -D``'s local SOCKS5 listener to 127.0.0.1:target_port
    (an echo server); what comes back (asyncssh answers the SOCKS request at once and opens
    the SSH channel afterwards, so only the echo tells whether the server forwarded)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", socks_port)
    try:
        writer.write(b"\x05\x01\x00")
        await reader.readexactly(2)
        writer.write(b"\x05\x01\x00\x01\x7f\x00\x00\x01" + target_port.to_bytes(2, "big"))
        await reader.readexactly(10)
        writer.write(b"ping")
        return await asyncio.wait_for(reader.read(4), 30)
    except (asyncio.IncompleteReadError, ConnectionError):
        return b""
    finally:
        writer.close()


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(await reader.read(4))
    await writer.drain()
    writer.close()


async def test_dynamic_forwarding_agent_x11_and_subsystems_are_refused(
    demo_server: RunningServer,
) -> None:
    conn = await connect(demo_server.port, "admin", "admin-demo")
    async with conn:
        echo = await asyncio.start_server(_echo, "127.0.0.1", 0)
        echo_port = echo.sockets[0].getsockname()[1]
        socks = await conn.forward_socks("127.0.0.1", 0)  # ssh -D
        assert await _through_socks(socks.get_port(), echo_port) == b""
        socks.close()
        echo.close()
        for subsystem in ("sftp", "netconf", "anything"):
            with pytest.raises((asyncssh.Error, OSError)):
                await conn.create_session(asyncssh.SSHClientSession, subsystem=subsystem)
        with pytest.raises((asyncssh.Error, OSError)):
            await conn.create_session(asyncssh.SSHClientSession, "whoami",
                                      x11_forwarding=True, x11_display="127.0.0.1:0",
                                      x11_auth_path="/nonexistent")
    with tempfile.TemporaryDirectory() as tmp:  # ssh -A with an agent socket of the client
        agent_path = str(Path(tmp) / "agent.sock")
        fake_agent = await asyncio.start_unix_server(lambda _r, w: w.close(), agent_path)
        agent = await asyncssh.connect(
            "127.0.0.1", demo_server.port, username="admin", password="admin-demo",
            known_hosts=None, agent_path=agent_path, agent_forwarding=True,
            preferred_auth="password", config=None)
        async with agent:
            result = await agent.run("whoami", check=False)
            assert "admin" in str(result.stdout)
            served = [c.conn for c in demo_server.server.connections if c.conn is not None]
            assert served and all(conn.get_agent_path() is None for conn in served)
        fake_agent.close()


async def test_environment_variables_change_nothing(demo_server: RunningServer) -> None:
    """``SendEnv``/``SetEnv`` values reach no process environment and no setting: the portal
    starts no subprocess and reads only the terminal's colour hints from them."""
    before = dict(os.environ)
    injected = {"LD_PRELOAD": "/tmp/evil.so", "PATH": "/tmp/evil", "PYTHONPATH": "/tmp/evil",
                "LINEDESK_DATABASE_URL": "sqlite:////tmp/evil.db", "LINEDESK_LOG_LEVEL": "DEBUG",
                "BASH_ENV": "/tmp/evil.sh", "SHELL": "/bin/sh"}
    conn = await connect(demo_server.port, "mia", "mia-demo")
    async with conn:
        result = await conn.run("whoami", env=injected, check=False)
    assert result.exit_status == 0, result.stderr
    assert "mia" in str(result.stdout)
    assert dict(os.environ) == before
    assert demo_server.server.settings.database_url != injected["LINEDESK_DATABASE_URL"]


class UsernameSwitchingClient(asyncssh.SSHClient):
    """Offers the victim's key as ``admin`` (the server says "acceptable"; the signature is
    forged), then switches the username of its requests to its own account ``tom``."""

    def __init__(self, forged: SSHLocalKeyPair) -> None:
        self.forged = forged
        self.conn: asyncssh.SSHClientConnection | None = None
        self.offered = False

    def connection_made(self, conn: asyncssh.SSHClientConnection) -> None:
        self.conn = conn

    def public_key_auth_requested(self) -> SSHLocalKeyPair | None:
        if self.offered:
            return None
        self.offered = True
        return self.forged

    def password_auth_requested(self) -> str:
        assert self.conn is not None
        self.conn._username = "tom"  # what a hand-written attack client can do
        return "tom-demo"


async def test_username_change_mid_auth_binds_only_the_account_that_proved_itself(
    demo_server: RunningServer,
) -> None:
    victim = await _add_key(demo_server.core, "admin")
    forged = ForgedKeyPair(asyncssh.generate_private_key("ssh-ed25519"), victim.convert_to_public())
    client = UsernameSwitchingClient(forged)
    conn = await asyncssh.connect(
        "127.0.0.1", demo_server.port, username="admin", known_hosts=None, agent_path=None,
        client_factory=lambda: client, preferred_auth="publickey,password", config=None)
    async with conn:
        result = await conn.run("whoami", check=False)
    assert client.offered
    assert "tom" in str(result.stdout) and "admin" not in str(result.stdout)
    served = await _logins(demo_server.core)
    assert all(e.actor_username != "admin" and e.key_fingerprint is None for e in served)
