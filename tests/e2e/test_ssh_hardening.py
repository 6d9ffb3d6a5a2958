"""Hostile clients over real SSH: escape sequences in data, floods, idle, shutdown."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from core.models import Customer
from tests.e2e.harness import RunningServer, interactive_session, running_server

pytestmark = pytest.mark.e2e


async def test_user_data_with_escape_sequences_is_shown_sanitised(
    demo_server: RunningServer,
) -> None:
    async with demo_server.core.uow() as uow:
        await uow.session.execute(
            update(Customer).where(Customer.name == "Muster GmbH")
            .values(name="Evil\x1b]52;c;cHduZWQ=\x07\u202eHbmG\x1b[2J Corp")
        )
    async with interactive_session(demo_server.port, "admin", "admin-demo") as term:
        text = await term.wait_for("Evil", timeout=30)
        assert "Corp" in text
        raw = "".join(term.raw)
        assert "\x1b]52" not in raw
        assert "cHduZWQ" not in raw
        assert "\u202e" not in raw


async def test_flooding_session_does_not_stall_another(demo_server: RunningServer) -> None:
    async with interactive_session(demo_server.port, "mia", "mia-demo") as calm, \
            interactive_session(demo_server.port, "admin", "admin-demo") as flood:
        await calm.wait_for("Muster GmbH", timeout=30)
        await flood.wait_for("Muster GmbH", timeout=30)
        junk = "\x1b[200~" + "x" * (256 * 1024) + "\x1b[201~" + "\x1b[:u" * 2000 + "z" * 200_000
        flooding = asyncio.create_task(flood.send(junk))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await calm.press("2")
        await calm.wait_for("Rufnummern", timeout=30)
        latency = time.monotonic() - started
        flooding.cancel()
        assert latency < 10, latency
    # the server's queued input stayed bounded (flow control pushed back on the client)
    for session in demo_server.server.sessions:
        assert session.pump is None or session.pump.queued < 512 * 1024


async def test_idle_session_is_warned_then_closed(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path, templates=db_templates, idle_timeout=3) as srv:
        async with interactive_session(srv.port, "mia", "mia-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
            await term.wait_for("Inaktivität", timeout=30)
            await term.wait_closed(timeout=30)
        assert not srv.server.sessions


async def test_shutdown_notifies_then_closes_sessions(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path, templates=db_templates) as srv:
        async with interactive_session(srv.port, "tom", "tom-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
            shutdown = asyncio.create_task(srv.server.shutdown(notice_seconds=1.5))
            await term.wait_for("stopping", timeout=30)  # a stop (restart: test_shutdown_notice)
            await term.wait_closed(timeout=30)
            await asyncio.wait_for(shutdown, 15)
