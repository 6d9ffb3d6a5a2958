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
from tests.e2e.harness import RunningServer, interactive_session, run_exec, running_server

pytestmark = [pytest.mark.e2e]


async def recorded_entries(srv: RunningServer) -> list[AuditEvent]:
    async with srv.core.uow(readonly=True) as uow:
        return list(await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "session.recorded")))


async def wait_recorded(srv: RunningServer, count: int) -> list[AuditEvent]:
    for _ in range(600):
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
            await term.wait_for("1000001", timeout=30)
            await term.press("o")  # open the customer: its Archiv lists the recording
            await term.wait_for("Support-Zugriff", timeout=30)
            await asyncio.sleep(0.5)
            last = await term.wait_for("Muster GmbH")
            await term.quiet(1.0)  # nothing more to draw
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
async def test_support_command_recorded_replays_to_its_output_and_masks_the_code(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    """R24 for command mode: ``ssh support@host numbers list --customer ...`` leaves one
    asciicast v2 file whose ``o`` events replay through pyte to what the command printed;
    the header names the command with its ``--code`` masked; the recording is in the Archiv
    of the customer the command acted on. An employee's command is not recorded."""
    async with running_server(tmp_path, templates=db_templates) as srv:
        root = srv.data_dir / "recordings"
        code, out, err = await run_exec(srv.port, "support", "support-demo",
                                        "numbers list --customer 1000001 --reason T-1")
        assert code == 0 and err == "" and "123456101" in out.replace(" ", "")
        (row,) = await wait_recorded(srv, 1)
        (path,) = list(root.rglob("*.cast"))
        header, events, screen = replay(path)
        assert header["version"] == 2 and isinstance(header["timestamp"], int)
        assert header["command"] == "numbers list --customer=1000001 --reason=T-1"
        assert {e[1] for e in events} == {"o"}  # never input, no resize
        printed = out.rstrip("\n").split("\n")
        assert int(header["height"]) > len(printed)
        assert [line.rstrip() for line in screen.display[:len(printed)]] == [
            line.rstrip() for line in printed]
        async with srv.core.uow(readonly=True) as uow:
            customer = await uow.session.scalar(
                select(AuditEvent.customer_id).where(AuditEvent.action == "support.customer_opened")
            )
        assert row.customer_id == customer and row.target == path.name
        assert row.details["command"] == header["command"] and row.details["complete"] is True

        # a secret on the command line never reaches the file (a wrong code: refused, exit 4)
        code, out, err = await run_exec(
            srv.port, "support", "support-demo",
            "numbers swap 030 123456101 030 123456102 --yes --code 482913 --customer 1000001 "
            "--reason T-2")
        assert code != 0 and err
        rows = await wait_recorded(srv, 2)
        (second,) = [p for p in root.rglob("*.cast") if p != path]
        text = second.read_text(encoding="utf-8")
        assert "482913" not in text
        header, events, screen = replay(second)
        assert "--code=***" in str(header["command"])
        assert "".join(str(e[2]) for e in events) == (out + err).replace("\n", "\r\n")
        assert {r.customer_id for r in rows} == {customer}

        # an employee's command is not recorded (LINEDESK_RECORD=support)
        code, out, _ = await run_exec(srv.port, "mia", "mia-demo", "whoami")
        assert code == 0
        await asyncio.sleep(0.3)
        assert len(list(root.rglob("*.cast"))) == 2


@pytest.mark.timeout(60)
async def test_record_all_records_employees_and_none_records_nobody(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with running_server(tmp_path / "all", templates=db_templates, record="all") as srv:
        async with interactive_session(srv.port, "mia", "mia-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
        await wait_recorded(srv, 1)
        assert len(list((srv.data_dir / "recordings").rglob("*.cast"))) == 1
        code, _, _ = await run_exec(srv.port, "mia", "mia-demo", "whoami")  # commands too
        assert code == 0
        (row,) = [r for r in await wait_recorded(srv, 2) if "command" in r.details]
        assert row.details["command"] == "whoami" and row.customer_id is not None
    async with running_server(tmp_path / "none", templates=db_templates, record="none") as srv:
        async with interactive_session(srv.port, "support", "support-demo") as term:
            await term.wait_for("Kundensuche", timeout=30)
        assert (await run_exec(srv.port, "support", "support-demo",
                               "numbers list --customer 1000001 --reason T-1"))[0] == 0
        await asyncio.sleep(0.5)
        assert not (srv.data_dir / "recordings").exists()


@pytest.mark.timeout(60)
async def test_command_ended_by_a_lock_is_recorded_with_the_notice(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    """A support command still waiting for its input when the account is locked (R25) ends
    with the notice on stderr; the recording ends with that notice and is listed."""
    from core.services import locks
    from tests.e2e.harness import connect

    async with running_server(tmp_path, templates=db_templates) as srv:
        conn = await connect(srv.port, "support", "support-demo")
        try:
            proc = await conn.create_process(
                "numbers import-assignments --dry-run --customer 1000001 --reason T-3",
                encoding="utf-8")
            for _ in range(600):  # the command runs (support opened the customer)
                async with srv.core.uow(readonly=True) as uow:
                    opened = await uow.session.scalar(select(AuditEvent.id).where(
                        AuditEvent.action == "support.customer_opened"))
                if opened is not None:
                    break
                await asyncio.sleep(0.05)
            assert opened is not None, "the command did not start"  # (else the lock came first)
            async with srv.core.uow() as uow:
                await locks.operator_lock(uow, username="support", reason="Test", operator="t")
            await asyncio.wait_for(proc.wait_closed(), 30)
            notice = await asyncio.wait_for(proc.stderr.read(), 30)
            assert "gesperrt" in notice and proc.exit_status == 1
        finally:
            conn.close()
        (row,) = await wait_recorded(srv, 1)
        (path,) = list((srv.data_dir / "recordings").rglob("*.cast"))
        _header, events, _screen = replay(path)
        assert str(events[-1][2]).rstrip("\r\n") == notice.rstrip("\r\n")
        assert row.details["command"] == (
            "numbers import-assignments --dry-run --customer=1000001 --reason=T-3")
