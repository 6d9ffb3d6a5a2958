"""R24 recordings without SSH: a full disk stops the recording (Archiv entry), never the
session's output; the retention job deletes day directories older than LINEDESK_RECORD_DAYS."""

from __future__ import annotations

import asyncio
import errno
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.authz import Actor
from core.clock import FixedClock
from core.jobs import JOBS
from core.models import AuditEvent
from core.runtime import Core
from core.services.support import open_customer
from ssh_server import recording
from ssh_server.recording import Recorder


async def _actions(core: Core, action: str) -> list[AuditEvent]:
    async with core.uow(readonly=True) as uow:
        return list(
            await uow.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        )


async def test_recording_written_in_chunks_and_listed(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    support = await demo_core.run(open_customer, actors["support"], customer_number="1000001",
                                  reason="T-1")
    rec = Recorder(demo_core, support, "abc123", (80, 24), term="xterm")
    for i in range(3000):  # ~ 3 chunks of 64 KiB
        rec.output(f"line {i:05d} " + "x" * 60 + "\r\n")
    rec.resize(100, 30)
    rec.output("end")
    await rec.close()
    lines = rec.path.read_text().splitlines()
    assert json.loads(lines[0])["version"] == 2 and len(lines) == 1 + 3002
    assert json.loads(lines[-2])[1:] == ["r", "100x30"]
    (row,) = await _actions(demo_core, "session.recorded")
    assert row.customer_id == support.customer_id and row.details["complete"] is True


async def test_full_disk_stops_the_recording_not_the_session(
    demo_core: Core, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path, data: bytes, *, create: bool) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(recording, "_append", full)
    rec = Recorder(demo_core, actors["support"], "full1", (80, 24))
    for _ in range(2000):
        rec.output("y" * 100)  # never raises
    for _ in range(50):
        if rec.stopped is not None:
            break
        await asyncio.sleep(0.02)
    assert rec.stopped == "disk_full"
    rec.output("after")  # ignored, no error
    await rec.close()
    for _ in range(50):
        stops = await _actions(demo_core, "session.recording_stopped")
        if stops:
            break
        await asyncio.sleep(0.02)
    assert [s.details["cause"] for s in stops] == ["disk_full"]
    (done,) = await _actions(demo_core, "session.recorded")
    assert done.details["complete"] is False


async def test_retention_job_deletes_old_days(demo_core: Core, clock: FixedClock) -> None:
    root = demo_core.settings.data_dir / "recordings"
    today = clock.today()
    keep = today - timedelta(days=89)
    old = today - timedelta(days=91)
    for day in (keep, old):
        folder = root / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"
        folder.mkdir(parents=True)
        (folder / "s1.cast").write_text("{}\n")
    async with demo_core.uow() as uow:
        assert await JOBS["recordings"](uow) == 1
    assert (root / f"{keep:%Y}" / f"{keep:%m}" / f"{keep:%d}" / "s1.cast").exists()
    assert not (root / f"{old:%Y}" / f"{old:%m}" / f"{old:%d}").exists()
    (row,) = await _actions(demo_core, "recordings.deleted")
    assert row.details == {"count": 1, "days": 90}
