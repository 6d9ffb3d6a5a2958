"""R24 over SSH: a support session is recorded as asciicast v2 (header, ``o`` and ``r``
events, never input) under ``recordings/YYYY/MM/DD/<session id>.cast``; replaying its ``o``
events through pyte reproduces the screen the client saw last; the recording is in the
opened customer's Archiv; an employee's session is not recorded by default."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pyte
import pytest
from sqlalchemy import select

from core.models import AuditEvent
from tests.e2e.harness import RunningServer, interactive_session, running_server

pytestmark = [pytest.mark.e2e]


async def recorded_entries(srv: RunningServer) -> list[AuditEvent]:
    async with srv.core.uow(readonly=True) as uow:
        return list(await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "session.recorded")))


async def wait_recorded(srv: RunningServer, count: int) -> list[AuditEvent]:
    for _ in range(200):
        rows = await recorded_entries(srv)
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError("recording not listed in the Archiv")


def replay(path: Path) -> tuple[dict[str, object], list[list[object]], pyte.Screen]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    events = [json.loads(line) for line in lines[1:]]
    screen = pyte.Screen(int(header["width"]), int(header["height"]))
    stream = pyte.Stream(screen)
    for _at, kind, data in events:
        if kind == "o":
            stream.feed(data)
        elif kind == "r":
            cols, rows = (int(x) for x in str(data).split("x"))
            screen.resize(rows, cols)
    return header, events, screen


@pytest.mark.timeout(90)
async def test_support_session_recorded_as_asciicast_v2_and_replays_to_the_last_screen(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path, templates=db_templates) as srv:
        async with interactive_session(srv.port, "support", "support-demo",
                                       cols=110, rows=32) as term:
            await term.wait_for("Kundensuche", timeout=30)
            await term.resize(100, 30)
            await term.type("Muster")
            await term.send("\r")
            await term.wait_for("1000001", timeout=15)
            await term.press("o")  # open the customer: its Archiv lists the recording
            await term.wait_for("Support-Zugriff", timeout=15)
            await asyncio.sleep(0.5)
            last = await term.wait_for("Muster GmbH")
            await asyncio.sleep(1.0)  # nothing more to draw
            seen = list(term.screen.display)
            session_id = next(iter(srv.server.sessions)).connection.session_id
        (row,) = await wait_recorded(srv, 1)
        files = list((srv.data_dir / "recordings").rglob("*.cast"))
        assert [f.name for f in files] == [f"{session_id}.cast"]
        path = files[0]
        y, m, d = path.parent.relative_to(srv.data_dir / "recordings").parts
        assert len(y) == 4 and len(m) == 2 and len(d) == 2
        assert (path.stat().st_mode & 0o777) == 0o600

        header, events, screen = replay(path)
        assert header["version"] == 2 and (header["width"], header["height"]) == (110, 32)
        assert isinstance(header["timestamp"], int)
        kinds = {e[1] for e in events}
        assert kinds == {"o", "r"}, kinds  # never input
        assert [e[2] for e in events if e[1] == "r"] == ["100x30"]
        times = [float(e[0]) for e in events]
        assert times == sorted(times)
        assert list(screen.display) == seen, "\n".join(screen.display) + "\n---\n" + last

        async with srv.core.uow(readonly=True) as uow:
            customer = await uow.session.scalar(
                select(AuditEvent.customer_id).where(AuditEvent.action == "support.customer_opened")
            )
        assert row.customer_id == customer and row.target == path.name
        assert row.details["complete"] is True and row.details["size"] == path.stat().st_size

        # an employee's session is not recorded (LINEDESK_RECORD=support)
        async with interactive_session(srv.port, "mia", "mia-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
        await asyncio.sleep(0.5)
        assert len(list((srv.data_dir / "recordings").rglob("*.cast"))) == 1


@pytest.mark.timeout(60)
async def test_record_all_records_employees_and_none_records_nobody(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path / "all", templates=db_templates, record="all") as srv:
        async with interactive_session(srv.port, "mia", "mia-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
        await wait_recorded(srv, 1)
        assert len(list((srv.data_dir / "recordings").rglob("*.cast"))) == 1
    async with running_server(tmp_path / "none", templates=db_templates, record="none") as srv:
        async with interactive_session(srv.port, "support", "support-demo") as term:
            await term.wait_for("Kundensuche", timeout=30)
        await asyncio.sleep(0.5)
        assert not (srv.data_dir / "recordings").exists()
