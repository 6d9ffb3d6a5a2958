"""Interactive sessions over real SSH: login, first frame, keys, resize, disconnect."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e.harness import RunningServer, interactive_session, run_exec, running_server

pytestmark = pytest.mark.e2e


async def _until(predicate, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def test_login_first_frame_keys_and_disconnect(demo_server: RunningServer) -> None:
    async with interactive_session(
        demo_server.port, "admin", "admin-demo", cols=120, rows=40
    ) as term:
        await term.wait_for("Muster GmbH", timeout=30)
        text = await term.wait_for("Beenden", timeout=30)  # the key bar may follow a moment later
        assert "admin (Administrator)" in text
        await term.press("2")
        await term.wait_for("Rufnummern", timeout=30)
        await term.press("question_mark")
        await term.wait_for("Tastenbelegung", timeout=30)
        assert len(demo_server.server.sessions) == 1
    await _until(lambda: not demo_server.server.sessions)
    assert not demo_server.server.limits.sessions
    per_session = {"linedesk-session", "linedesk-app", "linedesk-input", "linedesk-idle"}
    await _until(lambda: not [t for t in asyncio.all_tasks() if t.get_name() in per_session])


async def test_resize_redraws_at_new_width(demo_server: RunningServer) -> None:
    async with interactive_session(demo_server.port, "mia", "mia-demo", cols=120, rows=40) as term:
        await term.wait_for("Muster GmbH", timeout=30)
        await term.resize(90, 30)
        # the redraw is waited for (after a fixed 0.5 s a busy machine may not have sent it)
        footer = lambda: term.screen.display[29]  # noqa: E731
        await _until(lambda: "Beenden" in footer() or "^q" in footer())
        session = next(iter(demo_server.server.sessions))
        assert session.driver is not None and session.driver.size_now == (90, 30)


async def test_ctrl_q_ends_session_and_channel(demo_server: RunningServer) -> None:
    async with interactive_session(demo_server.port, "tom", "tom-demo") as term:
        await term.wait_for("Muster GmbH", timeout=30)
        await term.press("ctrl+q")
        await term.wait_closed(timeout=30)
    await _until(lambda: not demo_server.server.sessions)


async def test_session_without_pty_and_command_gets_explanation(demo_server: RunningServer) -> None:
    from tests.e2e.harness import connect

    conn = await connect(demo_server.port, "admin", "admin-demo")
    async with conn:
        process = await conn.create_process(term_type=None)
        out = await asyncio.wait_for(process.stderr.read(), 30)
        await process.wait()
    assert process.exit_status == 2
    assert "ssh -t" in out


async def test_exec_runs_command_mode(demo_server: RunningServer) -> None:
    code, _out, err = await run_exec(demo_server.port, "admin", "admin-demo", "no-such-command")
    assert code != 0
    assert err


async def test_host_key_created_once_and_reused(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path, templates=db_templates) as srv:
        key_file = srv.data_dir / "ssh_host_ed25519_key"
        first = key_file.read_bytes()
        assert key_file.stat().st_mode & 0o777 == 0o600
    async with running_server(tmp_path, templates=None) as srv:
        assert (srv.data_dir / "ssh_host_ed25519_key").read_bytes() == first


async def test_client_term_and_no_color_choose_colours(demo_server: RunningServer) -> None:
    async with interactive_session(demo_server.port, "mia", "mia-demo", term="xterm",
                                   env={"NO_COLOR": "1"}) as term:
        await term.wait_for("Muster GmbH", timeout=30)
        session = next(iter(demo_server.server.sessions))
        assert session.app is not None
        assert session.app.console.color_system == "standard"
        assert session.app.no_color
        assert "\x1b[38;2;" not in "".join(term.raw)  # no truecolor sequences


async def test_keepalive_drops_dead_peer(tmp_path: Path, db_templates: dict[str, Path]) -> None:
    from tests.e2e.harness import connect

    async with running_server(tmp_path, templates=db_templates, keepalive_interval=1) as srv:
        conn = await connect(srv.port, "mia", "mia-demo")
        process = await conn.create_process(term_type="xterm", term_size=(80, 24))
        await _until(lambda: any(s.app is not None for s in srv.server.sessions), timeout=30)
        conn._transport.pause_reading()  # the peer stops answering (dead network)
        await _until(lambda: not srv.server.sessions, timeout=30)
        process.close()
        conn.abort()


async def test_reclaim_waits_for_a_quiet_moment(demo_server: RunningServer) -> None:
    server = demo_server.server
    server.gc.reclaim_interval = 0.1
    assert server._reclaim_task is not None
    server._reclaim_task.cancel()
    server._reclaim_task = asyncio.create_task(server._reclaim_loop())
    server.gc.ended_since_reclaim = 1
    reclaims = server.gc.reclaims
    loop = asyncio.get_running_loop()
    for _ in range(10):  # somebody keeps typing for 1 s
        server.last_input = loop.time()
        await asyncio.sleep(0.1)
    assert server.gc.reclaims == reclaims
    await _until(lambda: server.gc.reclaims == reclaims + 1, timeout=30)
