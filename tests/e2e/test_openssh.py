"""The real OpenSSH client in tmux, directly and through an OpenSSH sshd jump host (-J)."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from core.models import AuditEvent
from core.services import operators
from tests.e2e.harness import RunningServer, running_server
from tests.ports import free_port

SSHD = "/usr/sbin/sshd"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.openssh,
    pytest.mark.skipif(
        not (shutil.which("ssh") and shutil.which("tmux") and shutil.which("ssh-keygen")
             and os.access(SSHD, os.X_OK)),
        reason="needs openssh-client, openssh-server and tmux (.ci/run installs them)",
    ),
]


def _free_port() -> int:
    return free_port()  # outside the ephemeral range: see tests/ports.py


async def _run(*args: str, check: bool = True) -> str:
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed: {out.decode(errors='replace')}")
    return out.decode(errors="replace")


class Tmux:
    """One tmux server on a private socket, one window running the command."""

    def __init__(self, socket_path: Path) -> None:
        self.socket = str(socket_path)

    async def start(self, command: str, cols: int = 120, rows: int = 40) -> None:
        await _run("tmux", "-S", self.socket, "-f", "/dev/null", "new-session", "-d",
                   "-x", str(cols), "-y", str(rows), command)

    async def screen(self) -> str:
        return await _run("tmux", "-S", self.socket, "capture-pane", "-p", check=False)

    async def wait_for(self, needle: str, timeout: float = 30) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            text = await self.screen()
            if needle in text:
                return text
            if loop.time() > deadline:
                raise AssertionError(f"{needle!r} not in tmux pane:\n{text}")
            await asyncio.sleep(0.2)

    async def keys(self, *keys: str) -> None:
        await _run("tmux", "-S", self.socket, "send-keys", *keys)

    async def kill(self) -> None:
        await _run("tmux", "-S", self.socket, "kill-server", check=False)


@asynccontextmanager
async def tmux_session(tmp_path: Path, command: str) -> AsyncIterator[Tmux]:
    tmux = Tmux(tmp_path / "tmux.sock")
    await tmux.start(command)
    try:
        yield tmux
    finally:
        await tmux.kill()


async def _client_key(tmp_path: Path, srv: RunningServer, username: str) -> Path:
    key = tmp_path / "id_ed25519"
    await _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "e2e", "-f", str(key))
    async with srv.core.uow() as uow:
        await operators.add_key(uow, username=username,
                                public_key=(tmp_path / "id_ed25519.pub").read_text())
    return key


def _ssh_config(tmp_path: Path, key: Path | None) -> Path:
    lines = [
        "Host *",
        "  StrictHostKeyChecking no",
        "  UserKnownHostsFile /dev/null",
        "  LogLevel ERROR",
        "  IdentityAgent none",
        "  SetEnv TERM=xterm-256color",
    ]
    if key is not None:
        lines += [f"  IdentityFile {key}", "  IdentitiesOnly yes", "  PreferredAuthentications "
                                                                   "publickey"]
    else:
        lines += ["  PubkeyAuthentication no", "  PreferredAuthentications "
                                               "keyboard-interactive,password"]
    path = tmp_path / "ssh_config"
    path.write_text("\n".join(lines) + "\n")
    return path


@asynccontextmanager
async def jump_host(tmp_path: Path, client_key: Path) -> AsyncIterator[int]:
    """An OpenSSH sshd on a free loopback port, allowing our key and TCP forwarding."""
    port = _free_port()
    host_key = tmp_path / "jump_host_key"
    await _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key))
    authorized = tmp_path / "jump_authorized_keys"
    authorized.write_text((tmp_path / "id_ed25519.pub").read_text())
    authorized.chmod(0o600)
    config = tmp_path / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}",
        f"PidFile {tmp_path / 'sshd.pid'}", f"AuthorizedKeysFile {authorized}",
        "StrictModes no", "UsePAM no", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password",
        "AllowTcpForwarding yes", "PermitTTY yes",
    ]) + "\n")
    with contextlib.suppress(OSError):  # privilege separation dir; only needed as root
        os.makedirs("/run/sshd", exist_ok=True)
    proc = await asyncio.create_subprocess_exec(
        SSHD, "-D", "-e", "-f", str(config),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while True:
            try:
                _r, w = await asyncio.open_connection("127.0.0.1", port)
                w.close()
                break
            except OSError:
                assert loop.time() < deadline, "sshd did not start"
                await asyncio.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)


async def _last_login(srv: RunningServer) -> AuditEvent:
    async with srv.core.uow(readonly=True) as uow:
        row = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "session.login")
            .order_by(AuditEvent.id.desc()).limit(1)
        )
    assert row is not None
    return row


async def test_openssh_client_with_password_in_tmux(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path, templates=db_templates) as srv:
        config = _ssh_config(tmp_path, None)
        command = f"ssh -F {config} -p {srv.port} admin@127.0.0.1"
        async with tmux_session(tmp_path, command) as tmux:
            await tmux.wait_for("Passw")
            await tmux.keys("admin-demo", "Enter")
            text = await tmux.wait_for("Muster GmbH")
            assert "admin (Administrator)" in text
            await tmux.keys("2")
            await tmux.wait_for("Rufnummern")
            await tmux.keys("C-q")
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while srv.server.sessions:
                assert loop.time() < deadline
                await asyncio.sleep(0.1)


async def test_openssh_through_jump_host_with_key(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path, templates=db_templates) as srv:
        key = await _client_key(tmp_path, srv, "support")
        config = _ssh_config(tmp_path, key)
        async with jump_host(tmp_path, key) as jump_port:
            user = getpass.getuser()
            command = (f"ssh -F {config} -J {user}@127.0.0.1:{jump_port} "
                       f"-p {srv.port} support@127.0.0.1")
            async with tmux_session(tmp_path, command) as tmux:
                await tmux.wait_for("support", timeout=30)
                login = await _last_login(srv)
                assert login.actor_username == "support"
                assert login.source_address == "127.0.0.1"
                fingerprint = (await _run("ssh-keygen", "-l", "-f", f"{key}.pub")).split()[1]
                assert login.key_fingerprint == fingerprint
                await tmux.keys("C-q")
