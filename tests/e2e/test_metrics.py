"""``/metrics`` and ``/health``: what an operator's Prometheus and the balancer's health check
see of a node with real SSH sessions on it."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from asyncio.subprocess import Process
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncssh
import pytest

from core.services import nodes
from ssh_server.metrics import MAX_REQUEST, MetricsServer
from tests.e2e.harness import RunningServer, connect, interactive_session, running_server
from tests.ports import free_port

pytestmark = pytest.mark.e2e


async def _http(port: int, request: bytes) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()
    if not data:
        return 0, ""
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body.decode()


async def _get(port: int, path: str) -> tuple[int, str]:
    return await _http(port, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())


def _value(text: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.M)
    assert match is not None, f"{sample} missing in:\n{text}"
    return float(match.group(1))


@asynccontextmanager
async def metrics_of(
    tmp_path: Path, db_templates: dict[str, Path]
) -> AsyncIterator[tuple[RunningServer, int]]:
    """An in-process server with its metrics endpoint on a free port: the server and the port."""
    async with running_server(tmp_path, templates=db_templates) as srv:
        metrics = MetricsServer(srv.core, srv.server)
        port = await metrics.start("127.0.0.1", 0)
        try:
            yield srv, port
        finally:
            await metrics.close()


async def test_metrics_count_sessions_logins_latency_and_outbox(
        tmp_path: Path, db_templates: dict[str, Path]) -> None:
    async with metrics_of(tmp_path, db_templates) as (srv, port):
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(srv.port, "mia", "wrong")
        async with interactive_session(srv.port, "mia", "mia-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
            await term.press("2")
            await term.wait_for("Rufnummern")  # the key handled and drawn (not a fixed 0.5 s)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while True:  # and its latency observed
                status, text = await _get(port, "/metrics")
                assert status == 200
                latency = 'linedesk_input_latency_seconds_count{worker="0"}'
                if _value(text, latency) >= 1 or loop.time() > deadline:
                    break
                await asyncio.sleep(0.1)
            assert _value(text, 'linedesk_sessions{worker="0"}') == 1
            assert _value(text, 'linedesk_connections{worker="0"}') == 1
        assert _value(text, 'linedesk_logins_total{worker="0",result="ok"}') == 1
        assert _value(text, 'linedesk_logins_total{worker="0",result="failed"}') == 1
        assert _value(text, 'linedesk_input_latency_seconds_count{worker="0"}') >= 1
        assert _value(text, 'linedesk_input_latency_seconds_bucket{worker="0",le="+Inf"}') >= 1
        assert _value(text, 'linedesk_outbox_messages{status="dead"}') == 0
        assert _value(text, 'linedesk_outbox_messages{status="pending"}') >= 0
        assert (
            _value(text, 'linedesk_gate_connections_total{worker="0",outcome="accepted"}') >= 2
        )
        assert _value(text, "linedesk_database_up") == 1
        assert "# TYPE linedesk_gc_pause_seconds histogram" in text
        assert 'linedesk_gc_pause_seconds_count{worker="0",generation="2"}' in text
        # the health check: 200, 503 when the database does not answer, 503 draining
        assert await _get(port, "/health") == (200, "ok\n")

        async def broken(_uow: object) -> bool:
            raise OSError("database gone")

        real = nodes.ping
        nodes.ping = broken  # type: ignore[assignment]
        try:
            assert (await _get(port, "/health"))[0] == 503
        finally:
            nodes.ping = real
        srv.server.stop_listening()
        assert await _get(port, "/health") == (503, "draining\n")
        status, text = await _get(port, "/metrics")
        assert status == 200 and _value(text, "linedesk_up") == 0


async def test_http_endpoint_is_strict(tmp_path: Path, db_templates: dict[str, Path]) -> None:
    async with metrics_of(tmp_path, db_templates) as (_srv, port):
        assert (await _get(port, "/nope"))[0] == 404
        assert (await _http(port, b"POST /metrics HTTP/1.1\r\n\r\n"))[0] == 405
        assert (await _http(port, b"garbage\r\n\r\n"))[0] == 400
        # an oversized request head is closed without an answer
        assert (await _http(port, b"GET /" + b"a" * (MAX_REQUEST * 2) + b"\r\n\r\n"))[0] == 0
        status, body = await _http(port, b"HEAD /health HTTP/1.0\r\n\r\n")
        assert status == 200 and body == ""


def _free_port() -> int:
    return free_port()  # outside the ephemeral range: see tests/ports.py


@asynccontextmanager
async def serving(tmp_path: Path, workers: int) -> AsyncIterator[tuple[Process, int]]:
    """``linedesk serve --demo --workers N`` with ``LINEDESK_METRICS_PORT`` set: the process
    and its metrics port; stopped with SIGTERM, and it wrote no traceback."""
    ssh_port, http_port = _free_port(), _free_port()
    env = {**os.environ, "LINEDESK_METRICS_PORT": str(http_port)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from ssh_server.cli import main; main()",
        "--data-dir", str(tmp_path / "data"), "serve", "--port", str(ssh_port), "--demo",
        "--workers", str(workers), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        yield proc, http_port
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 30)
    _out, err = await proc.communicate()
    assert b"Traceback" not in err


@pytest.mark.timeout(120)
async def test_serve_opens_the_metrics_port_when_asked(tmp_path: Path) -> None:
    async with serving(tmp_path, workers=1) as (proc, http_port):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while True:
            try:
                status, body = await _get(http_port, "/health")
                break
            except OSError:
                assert proc.returncode is None and loop.time() < deadline
                await asyncio.sleep(0.2)
        assert (status, body) == (200, "ok\n")
        status, text = await _get(http_port, "/metrics")
        assert status == 200 and _value(text, 'linedesk_sessions{worker="0"}') == 0


@pytest.mark.timeout(180)
async def test_with_workers_any_worker_answers_for_all(tmp_path: Path) -> None:
    """``serve --workers 2``: whichever worker takes the request, ``/metrics`` lists both
    (the others' figures from the supervisor's hub) and ``/health`` answers for the node."""
    async with serving(tmp_path, workers=2) as (_proc, http_port):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 90
        while True:
            try:
                status, text = await _get(http_port, "/metrics")
            except OSError:
                status, text = 0, ""
            both = all(f'linedesk_sessions{{worker="{i}"}}' in text for i in (0, 1))
            if both or loop.time() > deadline:
                break
            await asyncio.sleep(0.5)
        assert status == 200, text
        assert 'linedesk_sessions{worker="0"}' in text and 'linedesk_sessions{worker="1"}' in text
        assert 'linedesk_logins_total{worker="1",result="ok"}' in text
        for _ in range(4):  # whichever worker answers
            assert await _get(http_port, "/health") == (200, "ok\n")
