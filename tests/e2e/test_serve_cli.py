"""``linedesk serve`` as a real process: demo data, host key reuse, SIGTERM shutdown."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import asyncssh
import pytest

from tests.e2e.harness import interactive_session

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _start(data_dir: Path, port: int) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from ssh_server.cli import main; main()",
        "--data-dir", str(data_dir), "serve", "--port", str(port), "--demo",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while True:
        try:
            _r, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return proc
        except OSError:
            if proc.returncode is not None or loop.time() > deadline:
                proc.kill()
                _out, err = await proc.communicate()
                raise AssertionError(
                    f"serve did not start: {err.decode(errors='replace')}"
                ) from None
            await asyncio.sleep(0.2)


async def _host_key(port: int) -> bytes:
    conn = await asyncssh.connect("127.0.0.1", port, username="admin", password="admin-demo",
                                  known_hosts=None, agent_path=None, config=None)
    async with conn:
        key = conn.get_server_host_key()
        assert key is not None
        return key.public_data


@pytest.mark.timeout(180)
async def test_serve_demo_sigterm_and_restart_keeps_host_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = _free_port()
    proc = await _start(data_dir, port)
    try:
        first_key = await _host_key(port)
        async with interactive_session(port, "admin", "admin-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
            proc.send_signal(signal.SIGTERM)
            await term.wait_for("angehalten", timeout=15)  # a stop, not a restart
            await term.wait_closed(timeout=20)
        code = await asyncio.wait_for(proc.wait(), 30)
        assert code == 0
        _out, err = await proc.communicate()
        assert b"Traceback" not in err
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert oct((data_dir / "ssh_host_ed25519_key").stat().st_mode & 0o777) == "0o600"
    proc = await _start(data_dir, port)
    try:
        assert await _host_key(port) == first_key
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
