"""R23 over SSH, two sessions on one server: support (with Muster GmbH open) asks to watch
mia's session; mia allows, declines or lets it run out; the mirror shows mia's screen in
support's terminal, support's keys never reach mia's App, Ctrl+X in mia's session or q in
support's ends it; sizes differ; every step is in Muster GmbH's Archiv; the support
session's recording (R24) holds the mirrored output."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pyte
import pytest
from sqlalchemy import select

from core.models import AuditEvent
from screens.shadow_dialog import ShadowConsentDialog
from ssh_server.session import PortalSession
from ssh_server.shadow import hub_of
from tests.e2e.harness import RunningServer, Term, interactive_session, running_server

pytestmark = [pytest.mark.e2e]


@dataclass
class Pair:
    srv: RunningServer
    support: Term
    user: Term

    def session_of(self, username: str) -> PortalSession:
        for session in self.srv.server.sessions:
            if session.app is not None and session.app.actor.username == username:
                return session
        raise AssertionError(f"no session of {username}")


@contextlib.asynccontextmanager
async def two_sessions(tmp_path: Path, templates: dict[str, Path], *, support_size=(120, 40),
                       user_size=(120, 40), consent: float = 20) -> AsyncIterator[Pair]:
    async with running_server(tmp_path, templates=templates) as srv:
        hub_of(srv.server).consent_timeout = consent
        async with interactive_session(srv.port, "mia", "mia-demo", cols=user_size[0],
                                       rows=user_size[1]) as user, \
                interactive_session(srv.port, "support", "support-demo", cols=support_size[0],
                                    rows=support_size[1]) as support:
            await user.wait_for("mia", timeout=30)
            await support.wait_for("Suchen Sie einen Kunden", timeout=30)
            await support.type("Muster")
            await support.send("\r")
            await support.wait_for("1000001", timeout=30)
            await support.press("o")
            await support.wait_for("Support-Zugriff", timeout=30)
            await support.press("k")  # back to the customer search, Muster GmbH stays open
            await support.wait_for("Geöffnet:", timeout=30)
            yield Pair(srv, support, user)


async def ask(pair: Pair) -> None:
    await pair.support.press("w")
    await pair.support.wait_for("Live-Sitzung zum Zuschauen", timeout=30)
    await pair.support.wait_for("mia –")
    await pair.support.press("enter")
    await pair.user.wait_for("Support möchte zuschauen", timeout=30)
    await pair.user.wait_for("z Zulassen", timeout=30)  # the dialog takes keys now


async def shadow_actions(srv: RunningServer, count: int) -> list[AuditEvent]:
    for _ in range(600):
        async with srv.core.uow(readonly=True) as uow:
            rows = list(await uow.session.scalars(
                select(AuditEvent).where(AuditEvent.action.startswith("support.shadow_"))
                .order_by(AuditEvent.id)))
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} shadowing entries, got {[r.action for r in rows]}")


def customer_of(rows: list[AuditEvent]) -> set[int | None]:
    return {row.customer_id for row in rows}


async def watching(pair: Pair) -> None:
    await ask(pair)
    await pair.user.press("z")  # Zulassen
    await pair.support.wait_for("Sie schauen mia zu", timeout=30)
    await pair.user.wait_for("Support schaut zu: support", timeout=30)
    await pair.support.wait_for("Support schaut zu: support", timeout=30)


@pytest.mark.timeout(120)
async def test_consent_mirrors_the_users_screen_read_only_until_the_user_ends_it(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with two_sessions(tmp_path, db_templates) as pair:
        await watching(pair)
        # the user's screen (her header, with her name and role) in support's terminal
        assert "mia (Mitarbeiter" in pair.support.text()
        assert "Kundensuche" not in pair.support.text()

        mia = pair.session_of("mia")
        assert mia.app is not None
        before_screen = mia.app.screen
        before_focus = mia.app.focused
        before_text = pair.user.text()
        for key in ("2", "3", "\t", "x", "\r", "\x1b[B", "\x11", "k"):  # \x11: Ctrl+Q
            await pair.support.send(key)
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        assert mia.app.screen is before_screen and mia.app.focused is before_focus
        assert pair.user.text() == before_text  # nothing moved in the user's App
        assert pair.session_of("support").app is not None  # support's Ctrl+Q went nowhere

        # live: what the user does shows up at support
        await pair.user.press("?")
        await pair.user.wait_for("Tastenbelegung", timeout=30)
        await pair.support.wait_for("Tastenbelegung", timeout=30)
        await pair.user.press("escape")
        await pair.user.wait_gone("Tastenbelegung")

        await pair.user.press("ctrl+x")  # the user ends it
        await pair.user.wait_gone("Support schaut zu", timeout=30)
        await pair.support.wait_for("Kundensuche", timeout=30)  # support's own App is back
        await pair.support.wait_gone("Sie schauen mia zu")
        rows = await shadow_actions(pair.srv, 3)
        assert [r.action for r in rows] == [
            "support.shadow_requested", "support.shadow_started", "support.shadow_ended"]
        assert rows[-1].details["ended_by"] == "user"
        assert all(r.target == "mia" for r in rows)
        muster = mia.app.actor.customer_id
        assert customer_of(rows) == {muster}

        # support's keys work again on its own App
        await pair.support.press("w")
        await pair.support.wait_for("Live-Sitzung zum Zuschauen", timeout=30)


@pytest.mark.timeout(120)
async def test_keys_typed_as_the_dialog_appears_do_not_consent(
    tmp_path: Path, db_templates: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enter (and z) typed the moment the dialog shows up are no answer; Enter once the
    dialog takes keys presses "Ablehnen", where the dialog starts."""
    monkeypatch.setattr(ShadowConsentDialog, "GUARD", 3.0)  # a slow machine cannot outrun it
    async with two_sessions(tmp_path, db_templates) as pair:
        await pair.support.press("w")
        await pair.support.wait_for("mia –", timeout=30)
        await pair.support.press("enter")
        await pair.user.wait_for("Support möchte zuschauen", timeout=30)
        assert "z Zulassen" not in pair.user.text()
        await pair.user.send("\rz\r")
        await pair.user.wait_for("z Zulassen", timeout=30)
        assert "Support möchte zuschauen" in pair.user.text()
        assert "Sie schauen" not in pair.support.text()
        assert pair.session_of("support").shadow.mirror is None
        await pair.user.press("enter")  # on "Ablehnen"
        await pair.user.wait_gone("Support möchte zuschauen")
        await pair.support.wait_for("abgelehnt", timeout=30)
        rows = await shadow_actions(pair.srv, 2)
        assert [r.action for r in rows] == ["support.shadow_requested",
                                            "support.shadow_declined"]


@pytest.mark.timeout(120)
async def test_decline_and_timeout_are_a_no_and_in_the_archiv(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with two_sessions(tmp_path, db_templates, consent=2) as pair:
        await ask(pair)
        await pair.user.press("escape")  # Ablehnen
        await pair.user.wait_gone("Support möchte zuschauen")
        await pair.support.wait_for("abgelehnt", timeout=30)
        assert "Support schaut zu" not in pair.user.text()

        await ask(pair)  # no answer: after 2 s it closes itself, a no
        await pair.user.wait_gone("Support möchte zuschauen", timeout=30)
        await pair.support.wait_for("nicht geantwortet", timeout=30)
        assert "Support schaut zu" not in pair.user.text()
        assert pair.session_of("support").shadow.mirror is None
        rows = await shadow_actions(pair.srv, 4)
        assert [r.action for r in rows] == [
            "support.shadow_requested", "support.shadow_declined",
            "support.shadow_requested", "support.shadow_timeout"]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("support_size", "user_size"), [((80, 24), (140, 45)),
                                                         ((140, 45), (80, 24))])
async def test_different_sizes_clip_or_letterbox_and_support_ends_with_q(
    tmp_path: Path, db_templates: dict[str, Path], support_size: tuple[int, int],
    user_size: tuple[int, int],
) -> None:
    async with two_sessions(tmp_path, db_templates, support_size=support_size,
                            user_size=user_size) as pair:
        await watching(pair)
        rows = support_size[1]
        screen = pair.support.screen
        assert "Sie schauen mia zu" in screen.display[rows - 1]  # the status line stays
        assert "linedesk" in screen.display[0]  # the user's header, clipped to support's width
        if user_size[1] < rows:  # letterboxed: below the user's screen nothing
            assert all(not line.strip() for line in screen.display[user_size[1]:rows - 1])
        # both change size while watching: still a mirror, no crash
        await pair.user.resize(100, 30)
        await pair.support.resize(90, 28)
        await pair.support.wait_for("Sie schauen mia zu", timeout=30)
        await pair.user.press("?")
        await pair.support.wait_for("Tastenbelegung", timeout=30)
        await pair.user.press("escape")
        await pair.support.press("q")  # support ends it
        await pair.support.wait_for("Geöffnet:", timeout=30)
        await pair.user.wait_gone("Support schaut zu", timeout=30)
        rows_ = await shadow_actions(pair.srv, 3)
        assert rows_[-1].action == "support.shadow_ended"
        assert rows_[-1].details["ended_by"] == "support"
        assert pair.session_of("mia").app is not None


@pytest.mark.timeout(120)
async def test_the_support_recording_holds_the_mirrored_screen(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with two_sessions(tmp_path, db_templates) as pair:
        await watching(pair)
        await pair.support.wait_for("mia (Mitarbeiter")  # the mirror drawn (and recorded)
        support_id = pair.session_of("support").connection.session_id
        await pair.user.press("ctrl+x")
        await pair.support.wait_for("Kundensuche", timeout=30)
    (path,) = [p for p in (pair.srv.data_dir / "recordings").rglob("*.cast")
               if p.stem == support_id]
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    screen = pyte.Screen(int(header["width"]), int(header["height"]))
    stream = pyte.Stream(screen)
    seen_mirror = False
    for line in lines[1:]:
        _at, kind, data = json.loads(line)
        assert kind in ("o", "r")
        if kind == "o":
            stream.feed(data)
            text = "\n".join(screen.display)
            seen_mirror = seen_mirror or ("Sie schauen mia zu" in text
                                          and "mia (Mitarbeiter" in text)
    assert seen_mirror


@pytest.mark.timeout(120)
async def test_either_side_going_away_ends_the_watching(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path, templates=db_templates) as srv:
        async with interactive_session(srv.port, "mia", "mia-demo") as user:
            await user.wait_for("mia", timeout=30)
            async with two_sessions_support(srv) as support:
                pair = Pair(srv, support, user)
                await watching(pair)
            # support's connection closed while watching: the user's header is hers again
            await user.wait_gone("Support schaut zu", timeout=30)
            rows = await shadow_actions(srv, 3)
            assert rows[-1].action == "support.shadow_ended"
            assert rows[-1].details["ended_by"] == "gone"
            mia = pair.session_of("mia")
            assert not mia.shadow.watchers
            async with two_sessions_support(srv) as support:
                pair = Pair(srv, support, user)
                await watching(pair)
                await user.press("ctrl+q")  # the user leaves the portal
                await support.wait_for("Geöffnet:", timeout=30)  # support's App is back
                await support.wait_gone("Sie schauen mia zu")
                assert pair.session_of("support").shadow.mirror is None
                await support.press("w")
                await support.wait_for("gerade angemeldet", timeout=30)  # nobody left


@contextlib.asynccontextmanager
async def two_sessions_support(srv: RunningServer) -> AsyncIterator[Term]:
    async with interactive_session(srv.port, "support", "support-demo") as support:
        await support.wait_for("Suchen Sie einen Kunden", timeout=30)
        await support.type("Muster")
        await support.send("\r")
        await support.wait_for("1000001", timeout=30)
        await support.press("o")
        await support.wait_for("Support-Zugriff", timeout=30)
        await support.press("k")
        await support.wait_for("Geöffnet:", timeout=30)
        yield support


@pytest.mark.timeout(180)
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
async def test_shadowing_across_two_worker_processes(tmp_path: Path) -> None:
    """``serve --workers 2``: mia on one worker, support on the other; the request, the
    answer, the frames and the end travel over the supervisor's hub as bus signals."""
    from tests.e2e.test_workers import pid_of

    async with two_workers(tmp_path) as serve:
        port, workers = serve.port, serve.workers
        async with contextlib.AsyncExitStack() as stack:
            user = await stack.enter_async_context(
                interactive_session(port, "mia", "mia-demo", cols=100, rows=30))
            await user.wait_for("mia", timeout=30)
            user_pid = await pid_of(user, workers, port)
            support = await on_another_worker(stack, port, "support", "support-demo",
                                              workers, user_pid)
            await watch_across(user, support)

        rows = await sqlite_shadow_rows(tmp_path, 3)
        assert [a for a, _, _ in rows] == ["support.shadow_requested", "support.shadow_started",
                                           "support.shadow_ended"]
        assert {target for _, target, _ in rows} == {"mia"}


@dataclass
class TwoWorkers:
    proc: asyncio.subprocess.Process
    log: Path
    port: int
    workers: set[int]
    """The worker processes once both listen."""


@contextlib.asynccontextmanager
async def two_workers(tmp_path: Path) -> AsyncIterator[TwoWorkers]:
    """``serve --workers 2`` (consent 20 s) with both workers listening; killed at the end."""
    from tests.e2e.test_workers import (
        _free_port,
        children,
        kill_if_running,
        listening_lines,
        start_serve,
        until,
    )

    port = _free_port()
    proc, log = await start_serve(tmp_path, port,
                                  env={"LINEDESK_SHADOW_CONSENT_SECONDS": "20"})
    try:
        await until(lambda: listening_lines(log, port) >= 2, 90, "two workers not listening", log)
        yield TwoWorkers(proc, log, port, children(proc.pid))
    finally:
        await kill_if_running(proc)


@pytest.mark.timeout(300)
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
async def test_a_killed_worker_ends_the_watching_on_the_other_side_within_seconds(
    tmp_path: Path,
) -> None:
    """``kill -9`` of the worker holding mia's session while support (on the other worker)
    watches: support's mirror ends by itself within the keepalive timeout, with a notice, and
    support is back on its own screen; the end is in the Archiv. mia signs in again: her
    header says nothing of support. Then support's worker is killed while it watches her
    new session: her header stops saying "Support schaut zu" by itself, and her process
    writes the end into the Archiv."""
    import os
    import signal
    import sqlite3

    from ssh_server.shadow import PEER_TIMEOUT_SECONDS
    from tests.e2e.test_workers import children, listening_lines, pid_of, until

    bound = PEER_TIMEOUT_SECONDS + 3  # a check every second, a screen update, a loaded CI
    loop = asyncio.get_running_loop()
    async with two_workers(tmp_path) as serve:
        proc, log, port, workers = serve.proc, serve.log, serve.port, serve.workers
        async with contextlib.AsyncExitStack() as stack:
            user = await stack.enter_async_context(
                interactive_session(port, "mia", "mia-demo", cols=100, rows=30))
            await user.wait_for("mia", timeout=30)
            user_pid = await pid_of(user, workers, port)
            support = await on_another_worker(stack, port, "support", "support-demo",
                                              workers, user_pid)
            support_pid = await pid_of(support, workers, port)
            await open_muster(support)
            await start_watching(user, support)

            os.kill(user_pid, signal.SIGKILL)
            killed = loop.time()
            await support.wait_for("Die beobachtete Sitzung ist beendet", timeout=bound)
            await support.wait_for("Geöffnet:", timeout=30)  # support's own screen is back
            await support.wait_gone("Sie schauen mia zu", timeout=30)
            ended = loop.time() - killed
            print(f"support's mirror ended {ended:.1f} s after kill -9 of mia's worker")
            assert ended <= bound

            # the slot is restarted; mia signs in again (away from support's worker)
            await until(lambda: listening_lines(log, port) >= 3, 60,
                        "killed worker not restarted", log)
            workers = children(proc.pid)
            mia = await on_another_worker(stack, port, "mia", "mia-demo", workers,
                                          support_pid)
            await mia.wait_for("mia (Mitarbeiter", timeout=30)
            assert "Support schaut zu" not in mia.text()

            await start_watching(mia, support)  # support's keys are its own again
            os.kill(support_pid, signal.SIGKILL)
            killed = loop.time()
            await mia.wait_gone("Support schaut zu", timeout=bound)
            gone = loop.time() - killed
            print(f"mia's header was hers again {gone:.1f} s after kill -9 of support's worker")
            await mia.wait_for("Support schaut nicht mehr zu", timeout=30)
            await mia.press("?")  # her session goes on
            await mia.wait_for("Tastenbelegung", timeout=30)

        rows = await sqlite_shadow_rows(tmp_path, 6)
        assert [a for a, _, _ in rows] == ["support.shadow_requested", "support.shadow_started",
                                           "support.shadow_ended"] * 2
        # the first end written by support's process, the second (support's process gone)
        # by mia's, in support's name, as an ordinary end
        assert [json.loads(d)["ended_by"] for a, _, d in rows if a.endswith("_ended")] == [
            "lost", "lost"]
        db = sqlite3.connect(tmp_path / "data" / "linedesk.db")
        try:
            actors = db.execute("select distinct actor_username, actor_role, customer_id from "
                                "audit_events where action like 'support.shadow_%'").fetchall()
        finally:
            db.close()
        assert len(actors) == 1 and actors[0][:2] == ("support", "support")
        assert "Traceback" not in log.read_text(errors="replace")


async def sqlite_shadow_rows(tmp_path: Path, count: int) -> list[tuple[str, str, str]]:
    """The shadowing entries of a ``serve`` data directory (action, target, details), once
    there are ``count`` (the last one is written off the session, just after it ended)."""
    import sqlite3

    rows: list[tuple[str, str, str]] = []
    for _ in range(300):
        db = sqlite3.connect(tmp_path / "data" / "linedesk.db")
        try:
            rows = db.execute("select action, target, details from audit_events where action "
                              "like 'support.shadow_%' order by id").fetchall()
        finally:
            db.close()
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"expected {count} shadowing entries, got {rows}")


async def on_another_worker(stack: contextlib.AsyncExitStack, port: int, username: str,
                            password: str, workers: set[int], other_than: int) -> Term:
    """A session of ``username`` that the kernel gave to a worker other than ``other_than``
    (closed with ``stack``)."""
    from tests.e2e.test_workers import pid_of

    for _ in range(16):
        inner = contextlib.AsyncExitStack()
        term = await inner.enter_async_context(
            interactive_session(port, username, password, cols=120, rows=36))
        if await pid_of(term, workers, port) != other_than:
            stack.push_async_callback(inner.aclose)
            return term
        await inner.aclose()
    raise AssertionError("all sessions on one worker")


async def open_muster(support: Term) -> None:
    await support.wait_for("Suchen Sie einen Kunden", timeout=30)
    await support.type("Muster")
    await support.send("\r")
    await support.wait_for("1000001", timeout=30)
    await support.press("o")
    await support.wait_for("Support-Zugriff", timeout=30)
    await support.press("k")
    await support.wait_for("Geöffnet:", timeout=30)


async def start_watching(user: Term, support: Term) -> None:
    """Support (Muster GmbH open, on another process) asks to watch mia; she allows it."""
    await support.press("w")
    await support.wait_for("mia –", timeout=30)  # listed by the other worker
    await support.press("enter")
    await user.wait_for("Support möchte zuschauen", timeout=30)
    await user.wait_for("z Zulassen", timeout=30)
    await user.press("z")
    await support.wait_for("Sie schauen mia zu", timeout=30)
    await support.wait_for("mia (Mitarbeiter", timeout=30)
    await user.wait_for("Support schaut zu: support", timeout=30)


async def watch_across(user: Term, support: Term) -> None:
    """Support (another process) watches mia: consent, mirror, read-only, end by the user."""
    await open_muster(support)
    await start_watching(user, support)

    before = user.text()
    for key in ("2", "3", "\t", "x", "\r"):
        await support.send(key)
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    assert user.text() == before  # support's keys reached nothing

    await user.press("?")
    await support.wait_for("Tastenbelegung", timeout=30)  # live from the other worker
    await user.press("escape")
    await user.press("ctrl+x")
    await user.wait_gone("Support schaut zu", timeout=30)
    await support.wait_for("Geöffnet:", timeout=30)
    await support.wait_gone("Sie schauen mia zu")


@pytest.mark.timeout(240)
async def test_shadowing_across_two_nodes_on_postgresql(tmp_path: Path, pg_server: str) -> None:
    """Two nodes on one PostgreSQL database: mia on node A, support on node B; the signals
    travel over LISTEN/NOTIFY (every frame piece below its 8000-byte limit). Then node A is
    killed (``kill -9``) while support watches again: support's mirror ends by itself."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from ssh_server.shadow import PEER_TIMEOUT_SECONDS
    from tests.e2e.test_locks_e2e import start_node
    from tests.e2e.test_workers import _free_port, kill_if_running, listening_lines, until
    from tests.pg import create_database

    url = await create_database(pg_server)
    ports = [_free_port(), _free_port()]
    procs: list[asyncio.subprocess.Process] = []
    logs = []
    loop = asyncio.get_running_loop()
    try:
        for name, port in zip(("node-a", "node-b"), ports, strict=True):
            proc, log = await start_node(tmp_path, name, port, url)
            procs.append(proc)
            logs.append(log)
            await until(lambda log=log, port=port: listening_lines(log, port) >= 1, 90,
                        f"{name} not listening", log)
        async with interactive_session(ports[0], "mia", "mia-demo", cols=100, rows=30) as user, \
                interactive_session(ports[1], "support", "support-demo", cols=120,
                                    rows=36) as support:
            await user.wait_for("mia", timeout=30)
            await watch_across(user, support)

            await start_watching(user, support)
            procs[0].kill()  # node A disappears: nobody tells node B
            await procs[0].wait()
            killed = loop.time()
            await support.wait_for("Die beobachtete Sitzung ist beendet",
                                   timeout=PEER_TIMEOUT_SECONDS + 3)
            await support.wait_for("Geöffnet:", timeout=30)
            await support.wait_gone("Sie schauen mia zu", timeout=30)
            print(f"support's mirror ended {loop.time() - killed:.1f} s after kill -9 of "
                  "mia's node")
        engine = create_async_engine(url)
        try:
            for _ in range(300):
                async with engine.connect() as conn:
                    rows = (await conn.exec_driver_sql(
                        "select action, details from audit_events where action like "
                        "'support.shadow_%' order by id")).all()
                if len(rows) >= 6:
                    break
                await asyncio.sleep(0.1)
        finally:
            await engine.dispose()
        assert [r[0] for r in rows] == ["support.shadow_requested", "support.shadow_started",
                                        "support.shadow_ended"] * 2
        ended_by = [json.loads(r[1])["ended_by"] if isinstance(r[1], str) else r[1]["ended_by"]
                    for r in rows if r[0] == "support.shadow_ended"]
        assert ended_by == ["user", "lost"]
        for log in logs:
            assert "Traceback" not in log.read_text(errors="replace")
    finally:
        for proc in procs:
            await kill_if_running(proc)
