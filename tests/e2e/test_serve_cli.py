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
from tests.ports import free_port

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    return free_port()  # outside the ephemeral range: see tests/ports.py


async def _start(
    data_dir: Path, port: int, *options: str, output: int = asyncio.subprocess.PIPE
) -> asyncio.subprocess.Process:
    """``serve`` (with demo data unless ``options`` say otherwise), once it listens."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from ssh_server.cli import main; main()",
        "--data-dir", str(data_dir), "serve", "--port", str(port), *(options or ("--demo",)),
        stdout=output, stderr=output,
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
                    f"serve did not start: {(err or b'').decode(errors='replace')}"
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
            await term.wait_for("angehalten", timeout=30)  # a stop, not a restart
            await term.wait_closed(timeout=30)
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


async def _serve_fails(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """``linedesk serve ARGS`` that must not start: exit 1, and stderr's only ERROR line
    (returned) instead of a traceback."""
    import os

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from ssh_server.cli import main; main()",
        "--data-dir", str(data_dir), "serve", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    text = err.decode(errors="replace")
    assert proc.returncode == 1, text
    assert "Traceback" not in text, text
    (line,) = [x for x in text.splitlines() if " ERROR " in x]
    return line


@pytest.mark.timeout(180)
@pytest.mark.parametrize("workers", ["1", "2"])
async def test_serve_that_cannot_start_says_why_in_one_line(tmp_path: Path, workers: str) -> None:
    """The README's deployment runs ``serve --workers 1``: a missing LINEDESK_USER_CA_KEYS
    file, a port or metrics port in use, or a database that does not answer ended in a Python
    traceback (``--workers 2``: a traceback per worker start, five times)."""
    line = await _serve_fails(tmp_path / "a", "--port", str(_free_port()), "--workers", workers,
                              env={"LINEDESK_USER_CA_KEYS": str(tmp_path / "missing_ca")})
    assert line.endswith(f"cannot read LINEDESK_USER_CA_KEYS {tmp_path / 'missing_ca'}: "
                         "No such file or directory")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = str(busy.getsockname()[1])
        line = await _serve_fails(tmp_path / "b", "--port", taken, "--workers", workers)
        assert line.endswith(f"cannot listen on 127.0.0.1:{taken}: Address already in use")
        line = await _serve_fails(tmp_path / "c", "--port", str(_free_port()),
                                  "--workers", workers, env={"LINEDESK_METRICS_PORT": taken})
        assert "cannot open the metrics port (LINEDESK_METRICS_PORT)" in line
    line = await _serve_fails(
        tmp_path / "d", "--port", str(_free_port()), "--workers", workers,
        env={"LINEDESK_DATABASE_URL": f"postgresql+asyncpg://linedesk@127.0.0.1:{_free_port()}"
                                      "/linedesk"})
    assert "cannot reach the database: ConnectionRefusedError" in line
    line = await _serve_fails(tmp_path / "e", "--port", str(_free_port()), "--workers", workers,
                              env={"LINEDESK_PROXY_PROTOCOL": "1"})
    assert line.endswith("LINEDESK_PROXY_PROTOCOL=1 needs LINEDESK_PROXY_TRUSTED: the addresses "
                         "of the load balancers whose PROXY headers are read")
    line = await _serve_fails(tmp_path / "f", "--port", str(_free_port()), "--workers", workers,
                              env={"LINEDESK_PROXY_PROTOCOL": "1",
                                   "LINEDESK_PROXY_TRUSTED": "haproxy.internal"})
    assert "LINEDESK_PROXY_TRUSTED: 'haproxy.internal' does not appear to be" in line


@pytest.mark.timeout(180)
async def test_a_second_single_process_serve_on_the_same_data_dir_is_refused(
    tmp_path: Path,
) -> None:
    """README: "A second serve on the same data directory or port is refused" — only the
    supervisor took the data directory's lock; two ``serve --workers 1`` (the deployment
    example) ran side by side on one database, each with its own scheduler."""
    data_dir = tmp_path / "data"
    first = await _start(data_dir, _free_port(), "--workers", "1",
                         output=asyncio.subprocess.DEVNULL)
    try:
        line = await _serve_fails(data_dir, "--port", str(_free_port()), "--workers", "1")
        assert f"another linedesk serve is running with data directory {data_dir}" in line
    finally:
        first.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(first.wait(), 60) == 0
