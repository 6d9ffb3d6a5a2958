"""``linedesk serve --workers 2`` as a real process tree: sessions land on both workers, a
change made on one worker shows live on the other (R17 across processes, SQLite hub), a
killed worker is replaced, and SIGTERM stops everything."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import asyncssh
import pytest

from tests.e2e.harness import Term, connect, interactive_session, run_exec
from tests.e2e.test_numbers_live_e2e import CTRL_S, wait_row
from tests.pg import create_database
from tests.ports import free_port

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc"),
]

NUMBER = "030 123456101"



@pytest.fixture(params=["sqlite", "postgresql"])
async def database_args(request: pytest.FixtureRequest) -> list[str]:
    """SQLite: events cross workers through the supervisor's hub; PostgreSQL: LISTEN/NOTIFY."""
    if request.param == "sqlite":
        return []
    server = request.getfixturevalue("pg_server")
    return ["--database-url", await create_database(server)]


def _free_port() -> int:
    return free_port()  # outside the ephemeral range: see tests/ports.py


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            # "pid (comm) state ppid ...": comm may contain spaces, so split after ")"
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def serving_pid(pids: set[int], server_port: int, client_port: int) -> int | None:
    """Which process holds the server end of the TCP connection from ``client_port``."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                local_port = int(cols[1].rsplit(":", 1)[1], 16)
                remote_port = int(cols[2].rsplit(":", 1)[1], 16)
                if local_port == server_port and remote_port == client_port:
                    inodes.add(f"socket:[{cols[9]}]")
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        return pid
    return None


def log_text(log: Path) -> str:
    return log.read_text(errors="replace")


def listening_lines(log: Path, port: int) -> int:
    return log_text(log).count(f"listening on 127.0.0.1:{port}")


async def until(predicate: object, timeout: float, what: str, log: Path) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError(f"{what} after {timeout}s; log:\n{log_text(log)}")
        await asyncio.sleep(0.1)


async def pid_of(term: Term, workers: set[int], port: int) -> int:
    client_port = term.process.get_extra_info("sockname")[1]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while (pid := serving_pid(workers, port, client_port)) is None:
        assert loop.time() < deadline, "no worker holds the connection"
        await asyncio.sleep(0.05)
    return pid


async def start_serve(tmp_path: Path, port: int, *, code: str = "from ssh_server.cli import main; "
                                                                "main()",
                      database_args: Sequence[str] = (), env: dict[str, str] | None = None,
                      ) -> tuple[asyncio.subprocess.Process, Path]:
    """``linedesk serve --workers 2 --demo`` on ``port``, its output in ``serve.log``."""
    log = tmp_path / "serve.log"
    with log.open("wb") as log_fh:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code,
            "--data-dir", str(tmp_path / "data"), *database_args, "serve", "--port", str(port),
            "--demo", "--workers", "2",
            stdout=log_fh, stderr=log_fh, env={**os.environ, **(env or {})},
        )
    return proc, log


@pytest.mark.timeout(240)
async def test_two_workers_share_port_live_updates_cross_and_sigterm_stops_all(
    tmp_path: Path, database_args: list[str],
) -> None:
    port = _free_port()
    proc, log = await start_serve(tmp_path, port, database_args=database_args)
    try:
        await until(lambda: listening_lines(log, port) >= 2, 90, "two workers not listening", log)
        workers = children(proc.pid)
        assert len(workers) == 2, workers

        async with contextlib.AsyncExitStack() as stack:
            # SO_REUSEPORT spreads connections by a hash of the client address: open
            # sessions until two different workers serve one each (chance of needing
            # more than 12: 1 in 2048)
            terms: dict[int, Term] = {}
            for _ in range(12):
                term = await stack.enter_async_context(
                    interactive_session(port, "admin", "admin-demo", cols=140, rows=40))
                terms.setdefault(await pid_of(term, workers, port), term)
                if len(terms) == 2:
                    break
            assert len(terms) == 2, f"all sessions on one worker: {terms.keys()}"
            one, other = terms.values()
            for term in (one, other):
                await term.wait_for("Muster GmbH", timeout=30)
                await term.press("2")
                await wait_row(term, NUMBER, " aktiv ", timeout=30)
            assert "!" not in (await wait_row(other, NUMBER, " aktiv "))

            await one.press("down")  # second row: 030 123456101
            await one.press("d")
            await one.wait_for("Deaktivierungstermin", timeout=30)
            await one.send(CTRL_S)
            line = await wait_row(other, NUMBER, "!", "vorgemerkt", timeout=30)
            assert line.lstrip().startswith("!")

        # a crashed worker is replaced in its slot
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        await until(lambda: len(children(proc.pid) - workers) == 1
                    and listening_lines(log, port) >= 3, 30, "killed worker not replaced", log)
        workers = children(proc.pid)
        assert victim not in workers and len(workers) == 2

        # SIGTERM: the supervisor forwards it; sessions get the notice, everything exits 0
        async with interactive_session(port, "admin", "admin-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
            proc.send_signal(signal.SIGTERM)
            await term.wait_for("angehalten", timeout=30)  # a stop, not a restart
            await term.wait_closed(timeout=30)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
        for pid in workers:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        text = log_text(log)
        assert "Traceback" not in text, text
        assert "restarting in" in text
        assert not (tmp_path / "data" / "run" / "hub.sock").exists()
    finally:
        await kill_if_running(proc)


RECYCLING_SERVE = (
    "import ssh_server.workers as w; w.RECYCLE_IDLE_SECONDS = 2.0; w.RECYCLE_GROWTH = 0.01; "
    "from ssh_server.cli import main; main()"
)


@pytest.mark.timeout(180)
async def test_idle_worker_that_grew_is_replaced_before_it_exits(tmp_path: Path) -> None:
    """Thresholds lowered (2 s idle, 1 % growth; one session grows a worker by ~3 %, the
    warm-up App before listening being in the baseline; an idle one stays flat):
    after a session ended, its worker is recycled: the replacement listens first, the old
    one exits, the port keeps serving."""
    port = _free_port()
    proc, log = await start_serve(tmp_path, port, code=RECYCLING_SERVE)
    try:
        await until(lambda: listening_lines(log, port) >= 2, 90, "two workers not listening", log)
        workers = children(proc.pid)
        async with interactive_session(port, "admin", "admin-demo") as term:
            served_by = await pid_of(term, workers, port)
            await term.wait_for("Muster GmbH", timeout=30)
            await term.press("2")
            await wait_row(term, NUMBER, " aktiv ", timeout=30)
        await until(lambda: f"(pid {served_by}) retired" in log_text(log), 60,
                    "worker not recycled", log)
        text = log_text(log)
        # the replacement was listening before the old worker was told to retire
        decided = text.index(f"(pid {served_by}): RSS")
        assert decided < text.index("ready, RSS", decided) < text.index(
            f"(pid {served_by}) retired")
        assert served_by not in children(proc.pid) and len(children(proc.pid)) >= 2
        async with interactive_session(port, "admin", "admin-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
        assert "Traceback" not in log_text(log)
    finally:
        await kill_if_running(proc)


async def conn_pid(conn: asyncssh.SSHClientConnection, serve_pid: int, port: int) -> int:
    client_port = conn.get_extra_info("sockname")[1]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while (pid := serving_pid(children(serve_pid), port, client_port)) is None:
        assert loop.time() < deadline, "no worker holds the connection"
        await asyncio.sleep(0.05)
    return pid


async def kill_if_running(proc: asyncio.subprocess.Process) -> None:
    """A test that failed half-way must not leave its server running."""
    if proc.returncode is None:
        proc.kill()
        await proc.wait()


async def stop(proc: asyncio.subprocess.Process, log: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 60) == 0
    assert "Traceback" not in log_text(log), log_text(log)


@pytest.mark.timeout(180)
async def test_session_limit_holds_across_workers(tmp_path: Path) -> None:
    """LINEDESK_MAX_SESSIONS_PER_USER=1 with two workers: a second session of the same
    account is refused on the other worker too, and allowed there once the first ended."""
    port = _free_port()
    proc, log = await start_serve(tmp_path, port, env={"LINEDESK_MAX_SESSIONS_PER_USER": "1"})
    try:
        await until(lambda: listening_lines(log, port) >= 2, 90, "two workers not listening", log)
        async with contextlib.AsyncExitStack() as stack:
            first = await stack.enter_async_context(interactive_session(port, "mia", "mia-demo"))
            await first.wait_for("Muster GmbH", timeout=30)
            first_pid = await pid_of(first, children(proc.pid), port)
            other: asyncssh.SSHClientConnection | None = None
            for _ in range(12):  # until a connection lands on the other worker
                conn = await stack.enter_async_context(await connect(port, "mia", "mia-demo"))
                if await conn_pid(conn, proc.pid, port) != first_pid:
                    other = conn
                    break
                result = await conn.run("whoami", check=False)  # same worker: refused too
                assert result.exit_status == 1 and "höchstens 1" in str(result.stderr)
            assert other is not None, "all connections on one worker"
            result = await other.run("whoami", check=False)
            assert result.exit_status == 1, result
            assert "höchstens 1" in str(result.stderr)
            assert (await other.run("whoami", check=False)).exit_status == 1
            tom = await run_exec(port, "tom", "tom-demo", "whoami")  # other accounts: fine
            assert tom[0] == 0, tom
            await first.press("ctrl+q")  # the first session ends: its unit is given back
            await first.wait_closed(timeout=30)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while (result := await other.run("whoami", check=False)).exit_status != 0:
                assert loop.time() < deadline, f"never released: {result.stderr}"
                await asyncio.sleep(0.2)
            assert "mia" in str(result.stdout)
        await stop(proc, log)
    finally:
        await kill_if_running(proc)


DRAINING_SERVE = (
    "import ssh_server.server as s; s.RECLAIM_CHEAP_LIVE = 0; s.RECLAIM_MAX_PAUSE_MS = 0.0; "
    "s.GcPolicy.__init__.__kwdefaults__['reclaim_interval'] = 1.0; "
    "from ssh_server.cli import main; main()"
)


@pytest.mark.timeout(240)
async def test_worker_drains_instead_of_a_long_reclaim(tmp_path: Path) -> None:
    """Thresholds lowered (a reclaim check every second; any live session makes it
    "expensive"): a worker with a live session and an ended one asks for a replacement,
    stops accepting, keeps serving the live session and exits when it ended."""
    port = _free_port()
    proc, log = await start_serve(tmp_path, port, code=DRAINING_SERVE)
    try:
        await until(lambda: listening_lines(log, port) >= 2, 90, "two workers not listening", log)
        async with interactive_session(port, "admin", "admin-demo", cols=140, rows=40) as term:
            await term.wait_for("Muster GmbH", timeout=30)
            draining = await pid_of(term, children(proc.pid), port)
            for _ in range(12):  # end a session on the same worker
                conn = await connect(port, "admin", "admin-demo")
                async with conn:
                    landed = await conn_pid(conn, proc.pid, port)
                    assert (await conn.run("whoami", check=False)).exit_status == 0
                if landed == draining:
                    break
            assert landed == draining, "no session ended on the worker of the live one"
            await until(lambda: f"[{draining}] ssh_server.workers: retiring" in log_text(log),
                        60, "worker did not drain", log)
            text = log_text(log)
            asked = text.index(f"[{draining}] ssh_server.workers: asking for a replacement")
            assert asked < text.index("ready, RSS", asked) < text.index(
                f"[{draining}] ssh_server.workers: retiring")
            # new connections land elsewhere; the open session keeps working
            for _ in range(3):
                async with await connect(port, "admin", "admin-demo") as conn:
                    assert await conn_pid(conn, proc.pid, port) != draining
            await term.press("2")
            await wait_row(term, NUMBER, " aktiv ", timeout=30)
            assert draining in children(proc.pid)
        await until(lambda: f"(pid {draining}) retired" in log_text(log), 30,
                    "drained worker did not exit", log)
        assert draining not in children(proc.pid)
        await stop(proc, log)
    finally:
        await kill_if_running(proc)


@pytest.mark.timeout(180)
async def test_worker_that_stops_answering_is_replaced(tmp_path: Path) -> None:
    """A worker whose loop no longer runs (here: SIGSTOP) sends no heartbeat; the supervisor
    kills it after LINEDESK_WORKER_HEARTBEAT_TIMEOUT (3 s here) and restarts its slot, so
    new logins stop landing on a socket nobody serves."""
    port = _free_port()
    proc, log = await start_serve(tmp_path, port,
                                  env={"LINEDESK_WORKER_HEARTBEAT_TIMEOUT": "3"})
    try:
        await until(lambda: listening_lines(log, port) >= 2, 90, "two workers not listening", log)
        workers = children(proc.pid)
        victim = min(workers)
        os.kill(victim, signal.SIGSTOP)
        await until(lambda: victim not in children(proc.pid) and listening_lines(log, port) >= 3,
                    30, "stopped worker not replaced", log)
        assert f"(pid {victim}) sent no heartbeat" in log_text(log)
        for _ in range(6):  # the kernel spreads these over both slots again
            code, out, _err = await asyncio.wait_for(
                run_exec(port, "mia", "mia-demo", "whoami"), 30)
            assert code == 0 and "mia" in out
        await stop(proc, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
        await kill_if_running(proc)


INFLATING_SERVE = (
    "import os, pathlib, ssh_server.workers as w; real = w.read_rss; "
    "flag = pathlib.Path(os.environ['LINEDESK_TEST_INFLATE']); "
    "w.read_rss = lambda pid: None if (r := real(pid)) is None else r + (8 << 30) * flag.exists(); "
    "from ssh_server.cli import main; main()"
)


@pytest.mark.timeout(180)
async def test_worker_over_the_memory_ceiling_is_replaced_and_its_sessions_told(
    tmp_path: Path,
) -> None:
    """LINEDESK_WORKER_MAX_RSS_MB: a worker that passes it is replaced (the replacement
    listens first); its sessions get the notice, then are closed. The memory reading is
    faked (+8 GiB while a flag file exists); a replacement that starts above the ceiling
    is kept (replacing it again would not help)."""
    port = _free_port()
    flag = tmp_path / "inflate"
    proc, log = await start_serve(
        tmp_path, port, code=INFLATING_SERVE,
        env={"LINEDESK_WORKER_MAX_RSS_MB": "4096", "LINEDESK_TEST_INFLATE": str(flag)})
    try:
        await until(lambda: listening_lines(log, port) >= 2, 90, "two workers not listening", log)
        workers = children(proc.pid)
        async with interactive_session(port, "admin", "admin-demo") as term:
            served_by = await pid_of(term, workers, port)
            await term.wait_for("Muster GmbH", timeout=30)
            flag.touch()
            await term.wait_for("neu gestartet", timeout=30)  # the restart notice: reconnect
            await term.wait_closed(timeout=30)
        await until(lambda: served_by not in children(proc.pid), 60, "worker not replaced", log)
        text = log_text(log)
        assert f"(pid {served_by}) passed the memory ceiling" in text
        await until(lambda: "started above the memory ceiling" in log_text(log), 60,
                    "replacement replaced again", log)
        flag.unlink()
        async with interactive_session(port, "admin", "admin-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
        await stop(proc, log)
    finally:
        await kill_if_running(proc)
