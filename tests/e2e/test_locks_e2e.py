"""R25 end to end: ``linedesk serve --workers 2``; an account with a session on each worker
and a running command is locked (by the operator's CLI, by the admin in command mode): every
session and the command end within 2 s with the notice, a new login is refused with the lock's
message (a wrong password is refused as any wrong password), unlock restores."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path

import asyncssh
import pytest

from tests.e2e.harness import Term, connect, interactive_session, run_exec
from tests.e2e.test_workers import (
    _free_port,
    children,
    kill_if_running,
    listening_lines,
    pid_of,
    start_serve,
    until,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc"),
]

ENDED_WITHIN = 2.0


async def operator(data_dir: Path, *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from ssh_server.cli import main; main()",
        "--data-dir", str(data_dir), "users", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=dict(os.environ),
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode()


async def sessions_on_both_workers(
    stack: contextlib.AsyncExitStack, port: int, workers: set[int], user: str,
) -> list[Term]:
    """Open sessions of ``user`` until each worker serves one (SO_REUSEPORT hashes the
    client port); the extra ones are closed again (session limit per account)."""
    terms: dict[int, Term] = {}
    for _ in range(16):
        inner = contextlib.AsyncExitStack()
        term = await inner.enter_async_context(
            interactive_session(port, user, f"{user}-demo", cols=120, rows=36))
        pid = await pid_of(term, workers, port)
        if pid in terms:
            await inner.aclose()
            continue
        terms[pid] = term
        stack.push_async_callback(inner.aclose)
        if len(terms) == 2:
            break
    assert len(terms) == 2, "all sessions on one worker"
    for term in terms.values():
        await term.wait_for("Muster GmbH", timeout=30)
    return list(terms.values())


async def waiting_command(port: int, user: str) -> tuple[asyncssh.SSHClientConnection,
                                                         asyncssh.SSHClientProcess[str]]:
    """A command that runs until its stdin ends (it never does here)."""
    conn = await connect(port, user, f"{user}-demo")
    proc = await conn.create_process("numbers import-assignments --dry-run", encoding="utf-8")
    await asyncio.sleep(0.3)
    return conn, proc


async def ended_with_notice(terms: list[Term], command: asyncssh.SSHClientProcess[str],
                            started: float, needle: str) -> float:
    """Wait for every session and the command to end; returns the seconds the last took."""
    loop = asyncio.get_running_loop()
    for term in terms:
        await term.wait_closed(timeout=30)
    await asyncio.wait_for(command.wait_closed(), 30)
    took = loop.time() - started
    for term in terms:
        notice = await asyncio.wait_for(term.process.stderr.read(), 30)
        assert needle in notice, notice
    assert needle in await asyncio.wait_for(command.stderr.read(), 30)
    assert command.exit_status == 1
    return took


@pytest.mark.timeout(240)
async def test_lock_ends_sessions_on_both_workers_and_refuses_login(tmp_path: Path) -> None:
    port = _free_port()
    data_dir = tmp_path / "data"
    proc, log = await start_serve(tmp_path, port)
    loop = asyncio.get_running_loop()
    try:
        await until(lambda: listening_lines(log, port) >= 2, 90, "two workers not listening", log)
        workers = children(proc.pid)

        # 1. the operator's CLI (another process: no bus; each server's lock check)
        async with contextlib.AsyncExitStack() as stack:
            terms = await sessions_on_both_workers(stack, port, workers, "mia")
            conn, command = await waiting_command(port, "mia")
            stack.callback(conn.close)
            code, out = await operator(data_dir, "lock", "mia", "--reason", "Laptop gestohlen")
            started = loop.time()
            assert code == 0 and "locked" in out, out
            took = await ended_with_notice(terms, command, started, "Laptop gestohlen")
            print(f"CLI lock: sessions on 2 workers and a command ended {took:.2f} s after it")
            assert took < ENDED_WITHIN

        code, _, err = await run_exec(port, "mia", "mia-demo", "whoami")
        assert code == 1 and "Ihr Zugang ist gesperrt (Grund: Laptop gestohlen)" in err, err
        with pytest.raises(asyncssh.PermissionDenied):  # no oracle: a wrong password is wrong
            await run_exec(port, "mia", "not-her-password", "whoami")
        async with interactive_session(port, "mia", "mia-demo") as term:
            notice = await asyncio.wait_for(term.process.stderr.read(), 30)
            assert "Ihr Zugang ist gesperrt" in notice

        code, out = await operator(data_dir, "unlock", "mia")
        assert code == 0, out
        code, out, err = await run_exec(port, "mia", "mia-demo", "whoami")
        assert code == 0 and "mia" in out, err

        # 2. the admin in command mode (its worker's event reaches the other over the hub)
        async with contextlib.AsyncExitStack() as stack:
            terms = await sessions_on_both_workers(stack, port, workers, "tom")
            conn, command = await waiting_command(port, "tom")
            stack.callback(conn.close)
            code, out, err = await run_exec(port, "admin", "admin-demo",
                                            "users lock tom --reason Verdacht auf Missbrauch")
            started = loop.time()
            assert code == 0, err
            took = await ended_with_notice(terms, command, started, "Verdacht auf Missbrauch")
            print(f"admin lock: sessions on 2 workers and a command ended {took:.2f} s after it")
            assert took < ENDED_WITHIN
        code, _, err = await run_exec(port, "tom", "tom-demo", "whoami")
        assert code == 1 and "Your access is locked" in err, err  # tom reads English

        text = log.read_text(errors="replace")
        assert "Traceback" not in text, text
    finally:
        await kill_if_running(proc)


async def start_node(tmp_path: Path, name: str, port: int, database_url: str,
                     ) -> tuple[asyncio.subprocess.Process, Path]:
    """One ``linedesk serve --workers 1`` node on the shared PostgreSQL database."""
    log = tmp_path / f"{name}.log"
    with log.open("wb") as log_fh:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from ssh_server.cli import main; main()",
            "--data-dir", str(tmp_path / name), "--database-url", database_url, "serve",
            "--port", str(port), "--demo", "--workers", "1",
            stdout=log_fh, stderr=log_fh, env=dict(os.environ),
        )
    return proc, log


@pytest.mark.timeout(240)
async def test_lock_ends_sessions_on_every_node_on_postgresql(
    tmp_path: Path, pg_server: str
) -> None:
    """Two nodes (two ``serve`` processes) on one PostgreSQL database: the admin locks mia in
    command mode on node A; mia's session on node B ends too (LISTEN/NOTIFY), within 2 s."""
    from tests.pg import create_database

    url = await create_database(pg_server)
    loop = asyncio.get_running_loop()
    ports = [_free_port(), _free_port()]
    procs: list[asyncio.subprocess.Process] = []
    try:
        proc_a, log_a = await start_node(tmp_path, "node-a", ports[0], url)
        procs.append(proc_a)
        await until(lambda: listening_lines(log_a, ports[0]) >= 1, 90, "node A not listening",
                    log_a)
        proc_b, log_b = await start_node(tmp_path, "node-b", ports[1], url)
        procs.append(proc_b)
        await until(lambda: listening_lines(log_b, ports[1]) >= 1, 90, "node B not listening",
                    log_b)
        async with contextlib.AsyncExitStack() as stack:
            terms = []
            for port in ports:
                term = await stack.enter_async_context(
                    interactive_session(port, "mia", "mia-demo", cols=120, rows=36))
                await term.wait_for("Muster GmbH", timeout=30)
                terms.append(term)
            conn, command = await waiting_command(ports[1], "mia")
            stack.callback(conn.close)
            code, _, err = await run_exec(ports[0], "admin", "admin-demo",
                                          "users lock mia --reason Konto kompromittiert")
            started = loop.time()
            assert code == 0, err
            took = await ended_with_notice(terms, command, started, "Konto kompromittiert")
            print(f"lock on node A: sessions on nodes A and B and a command ended {took:.2f} s"
                  " after it")
            assert took < ENDED_WITHIN
        code, _, err = await run_exec(ports[1], "mia", "mia-demo", "whoami")
        assert code == 1 and "Ihr Zugang ist gesperrt" in err, err
        for log in (log_a, log_b):
            assert "Traceback" not in log.read_text(errors="replace")
    finally:
        for proc in procs:
            await kill_if_running(proc)
