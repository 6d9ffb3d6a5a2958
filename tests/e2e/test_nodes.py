"""Several serving processes on one database: ``linedesk status`` from their heartbeats."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from bench.nodes import HOST, measure, three_nodes
from tests.e2e.harness import interactive_session, run_exec
from tests.e2e.test_workers import _free_port, listening_lines, start_serve, until
from tests.pg import create_database

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc"),
]


async def linedesk(data_dir: Path, *args: str, db: tuple[str, ...] = ()) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from ssh_server.cli import main; main()",
        "--data-dir", str(data_dir), *db, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=dict(os.environ))
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(errors="replace")


async def status_json(data_dir: Path, db: tuple[str, ...] = ()) -> dict[str, Any]:
    code, out = await linedesk(data_dir, "status", "--json", db=db)
    assert code == 0, out
    return json.loads(out[out.index("{"):])


@pytest.mark.timeout(180)
async def test_status_lists_the_node_its_workers_sessions_and_backlog(tmp_path: Path) -> None:
    port = _free_port()
    proc, log = await start_serve(tmp_path, port, env={"LINEDESK_NODE_NAME": "node-a"})
    data_dir = tmp_path / "data"
    try:
        await until(lambda: listening_lines(log, port) >= 2, 90, "two workers not listening", log)
        async with interactive_session(port, "admin", "admin-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 20  # the next heartbeat (every 5 s)
            while True:
                doc = await status_json(data_dir)
                if sum(w["sessions"] for w in doc["workers"]) == 1 or loop.time() > deadline:
                    break
                await asyncio.sleep(1)
            assert sorted(w["worker"] for w in doc["workers"]) == [0, 1]
            assert {w["node"] for w in doc["workers"]} == {"node-a"}
            assert sum(w["sessions"] for w in doc["workers"]) == 1
            assert not any(w["stale"] for w in doc["workers"])
            assert set(doc["outbox"]) == {"pending", "dead", "oldest_pending"}
            code, text = await linedesk(data_dir, "status")
            assert code == 0
            assert "node node-a: 2 worker(s), 1 session(s)" in text and "accepting" in text
            assert "outbox: " in text and " pending, " in text
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 60)
        # a clean stop removes the rows: nothing left that looks alive
        assert (await status_json(data_dir))["workers"] == []
        code, text = await linedesk(data_dir, "status")
        assert "no node has sent a heartbeat" in text
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.mark.timeout(240)
async def test_three_nodes_on_one_postgresql_a_change_on_a_shows_on_c(
        tmp_path: Path, pg_server: str) -> None:
    """Three ``serve --workers 1`` on one PostgreSQL: changes made in command mode on node A
    reach an open dashboard on node C (LISTEN/NOTIFY); figures: bench/nodes.py."""
    url = await create_database(pg_server)
    async with three_nodes(tmp_path, url) as nodes:
        # every change shows on C (how fast: bench/nodes.py); 5 s for an SSH command through
        # PostgreSQL plus the dashboard's update was tight beside two busy xdist workers
        result = await measure(nodes, 10, timeout=20.0)
        assert len(result.after_commit) == 10
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while True:  # every node's heartbeat is in the shared database
            doc = await status_json(tmp_path / "status-dir", db=("--database-url", url))
            names = {w["node"] for w in doc["workers"] if not w["stale"]}
            if names == {"node-a", "node-b", "node-c"} or loop.time() > deadline:
                break
            await asyncio.sleep(1)
        assert names == {"node-a", "node-b", "node-c"}
    for node in nodes:
        text = node.log.read_text(errors="replace")
        assert "Traceback" not in text, text


async def _login_refused(port: int, user: str, password: str) -> bool:
    try:
        conn = await asyncssh.connect(HOST, port, username=user, password=password,
                                      known_hosts=None, agent_path=None, config=None,
                                      preferred_auth="password")
    except asyncssh.PermissionDenied:
        return True
    conn.close()
    return False


@pytest.mark.timeout(240)
async def test_session_limit_and_lockout_hold_across_two_nodes(
        tmp_path: Path, pg_server: str) -> None:
    url = await create_database(pg_server)
    async with three_nodes(tmp_path, url, names="ab",
                           extra_env={"LINEDESK_MAX_SESSIONS_PER_USER": "1"}) as (a, b):
        async with interactive_session(a.port, "mia", "mia-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
            # the account's one session is on node A: node B refuses a second one
            code, _out, err = await run_exec(b.port, "mia", "mia-demo", "whoami")
            assert code == 1 and "mia" in err and "1" in err, err
            # another account is not affected
            code, out, _err = await run_exec(b.port, "tom", "tom-demo", "whoami")
            assert code == 0 and "tom" in out
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while True:  # the place is given back when A's session ended
            code, out, _err = await run_exec(b.port, "mia", "mia-demo", "whoami")
            if code == 0 or loop.time() > deadline:
                break
            await asyncio.sleep(0.2)
        assert code == 0 and "mia" in out
        # five wrong passwords on node A lock the account on node B too
        for _ in range(5):
            assert await _login_refused(a.port, "tom", "wrong")
        assert await _login_refused(b.port, "tom", "tom-demo")


async def _http_status(port: int, path: str) -> int:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        data = await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()
    return int(data.split(b" ")[1])


async def _refuses_connections(port: int) -> bool:
    try:
        _r, writer = await asyncio.open_connection(HOST, port)
    except OSError:
        return True
    writer.close()
    return False


@pytest.mark.timeout(180)
@pytest.mark.parametrize("workers", ["1", "2"])
async def test_sigusr1_drains_a_node_without_dropping_its_session(
        tmp_path: Path, workers: str) -> None:
    """A rolling upgrade: SIGUSR1 makes ``/health`` answer 503 and stops accepting; the open
    session goes on working; the node exits 0 when it ended."""
    port, http = _free_port(), _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as fh:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from ssh_server.cli import main; main()",
            "--data-dir", str(tmp_path / "data"), "serve", "--port", str(port), "--demo",
            "--workers", workers, stdout=fh, stderr=fh,
            env={**os.environ, "LINEDESK_METRICS_PORT": str(http)})
    try:
        await until(lambda: listening_lines(log, port) >= int(workers), 90, "not listening", log)
        async with interactive_session(port, "admin", "admin-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
            assert await _http_status(http, "/health") == 200  # any worker answers
            proc.send_signal(signal.SIGUSR1)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while not await _refuses_connections(port):
                assert loop.time() < deadline, log.read_text(errors="replace")
                await asyncio.sleep(0.2)
            if workers == "1":
                assert await _http_status(http, "/health") == 503
            else:  # the workers closed it with their SSH port: the check fails as well
                deadline = loop.time() + 30
                while not await _refuses_connections(http):
                    assert loop.time() < deadline
                    await asyncio.sleep(0.2)
            await term.press("2")  # the session still answers
            await term.wait_for("Rufnummern", timeout=30)
            assert proc.returncode is None
        assert await asyncio.wait_for(proc.wait(), 30) == 0
        text = log.read_text(errors="replace")
        assert "Traceback" not in text and "drain" in text
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_readme_haproxy_config_is_valid(tmp_path: Path) -> None:
    """The README's deployment example: ``haproxy -c`` accepts its config."""
    haproxy = shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if haproxy is None:
        pytest.skip("haproxy is not installed (apt-get install haproxy)")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    config = readme.split("```haproxy\n", 1)[1].split("```", 1)[0]
    assert "send-proxy-v2" in config and "mode tcp" in config and "/health" in config
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    done = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
