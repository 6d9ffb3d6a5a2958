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
from core.services.recordings import DayBudget
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
    for _ in range(750):
        if rec.stopped is not None:
            break
        await asyncio.sleep(0.02)
    assert rec.stopped == "disk_full"
    rec.output("after")  # ignored, no error
    await rec.close()
    for _ in range(750):
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


def test_recorded_command_line_masks_secrets_and_escapes() -> None:
    """R24: the command line a command recording keeps has no code, PIN or control
    character; a line that does not parse keeps only its command words."""
    from ssh_server.commands import MASK, recorded_command_line

    line = recorded_command_line(
        "numbers swap 030 123456101 030 123456102 --yes --code 482913 --customer 1000001 "
        "--reason T-1")
    assert "482913" not in line and f"--code={MASK}" in line
    assert line.startswith("numbers swap '030 123456101' '030 123456102' --yes")
    assert "--customer=1000001" in line and "--reason=T-1" in line
    assert recorded_command_line("areas verify 040 4711") == f"areas verify 040 {MASK}"
    assert recorded_command_line("approvals approve 7 --code=112233") == (
        f"approvals approve 7 --code={MASK}")
    assert "4711" not in recorded_command_line("areas verify 040 4711 too many")
    assert recorded_command_line("areas verify 040 4711 too many") == "areas verify …"
    escaped = recorded_command_line("customers search Muster\x1b]0;x\x07 GmbH --customer 1")
    assert "\x1b" not in escaped and "\x07" not in escaped and "\\x1b" in escaped
    quoted = recorded_command_line("areas request-pin 040 --address Marienplatz 1, München")
    assert quoted == "areas request-pin 040 --address='Marienplatz 1, München'"


async def test_command_recording_is_the_output_sized_to_it_and_listed_for_the_customer(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """A command's recording: header (version, size fitting the output, timestamp, masked
    command), only ``o`` events with ``\\r\\n`` line ends; replayed through pyte it is the
    output; listed in the Archiv of the customer support acted for, with the command."""
    import pyte

    from core.services.audit import list_events
    from ssh_server.recording import CommandRecorder

    support = actors["support"]
    rec = CommandRecorder(demo_core, support, "cmd001", "numbers list --customer 1000001")
    acting = await demo_core.run(open_customer, support, customer_number="1000001",
                                 reason="T-9")
    rec.acting(acting)
    wide = "Rufnummer  " + "x" * 110
    rec.output("Kopf\n" + wide + "\nEnde\n")
    rec.output("1 Hinweis\n")  # what went to stderr
    await rec.close()
    lines = rec.path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["version"] == 2 and isinstance(header["timestamp"], int)
    assert header["command"] == "numbers list --customer 1000001"
    assert (header["width"], header["height"]) == (121, 24)
    events = [json.loads(line) for line in lines[1:]]
    assert {e[1] for e in events} == {"o"}
    assert "".join(e[2] for e in events) == f"Kopf\r\n{wide}\r\nEnde\r\n1 Hinweis\r\n"
    screen = pyte.Screen(header["width"], header["height"])
    stream = pyte.Stream(screen)
    for event in events:
        stream.feed(event[2])
    assert [row.rstrip() for row in screen.display[:4]] == ["Kopf", wide, "Ende", "1 Hinweis"]

    (row,) = await _actions(demo_core, "session.recorded")
    assert row.customer_id == acting.customer_id and row.target == "cmd001.cast"
    assert row.details["command"] == "numbers list --customer 1000001"
    assert row.details["complete"] is True and row.details["size"] == rec.path.stat().st_size
    admin = actors["admin"]
    assert admin.customer_id == acting.customer_id
    listed = await demo_core.read(list_events, admin, query="session.recorded")
    assert [v.target for v in listed] == ["cmd001.cast"]
    assert "numbers list --customer 1000001" in listed[0].description


async def test_command_output_beyond_the_backlog_is_cut_off_not_lost(
    demo_core: Core, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bounded like a session's: output beyond MAX_PENDING_BYTES is cut off; what came before
    is written, the recording is listed as incomplete with an *Aufzeichnung abgebrochen*."""
    from ssh_server.recording import CommandRecorder

    monkeypatch.setattr(recording, "MAX_PENDING_BYTES", 40_000)
    monkeypatch.setattr(recording, "COMMAND_PIECE_CHARS", 1000)
    rec = CommandRecorder(demo_core, actors["support"], "cmd002", "numbers export --csv")
    rec.output("a" * 100_000)
    await rec.close()
    size = rec.path.stat().st_size
    assert 30_000 < size <= 40_000 + 200
    (row,) = await _actions(demo_core, "session.recorded")
    assert row.details["complete"] is False and row.customer_id is None
    stops = await _actions(demo_core, "session.recording_stopped")
    assert [s.details["cause"] for s in stops] == ["backlog"]
    header = json.loads(rec.path.read_text().splitlines()[0])
    assert (header["width"], header["height"]) == (500, 24)  # what was kept: one long line


def test_command_pieces_keep_line_ends_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    from ssh_server.recording import CommandRecorder

    monkeypatch.setattr(recording, "COMMAND_PIECE_CHARS", 4)
    rec = CommandRecorder.__new__(CommandRecorder)  # only the tap, no core
    events: list[str] = []
    rec._cut = None
    rec._columns = rec._rows = rec._column = 0
    rec._event = lambda kind, data: events.append(data)  # type: ignore[method-assign]
    rec.output("abc\ndefgh\n")
    assert events == ["abc\r\n", "defg", "h\r\n"]
    assert (rec._columns, rec._rows) == (5, 2)


def _bounded(monkeypatch: pytest.MonkeyPatch, core: Core, **mb: int) -> None:
    monkeypatch.setattr(core, "settings", core.settings.with_(**mb))


async def test_a_recording_beyond_its_size_bound_stops_not_the_session(
    demo_core: Core, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    """R24: LINEDESK_RECORD_MAX_MB: the recording stops at its bound with an Archiv entry
    naming the cause and the bound; what came before is kept, the session goes on."""
    _bounded(monkeypatch, demo_core, record_max_mb=1, record_account_day_mb=0)
    rec = Recorder(demo_core, actors["mia"], "big1", (80, 24))
    for _ in range(30):  # 30 x ~100 KiB: beyond 1 MiB
        rec.output("z" * 100_000)
        await rec.drain()
    assert rec.stopped == "too_large"
    rec.output("after")  # ignored, no error
    await rec.close()
    assert 0 < rec.path.stat().st_size <= 1024 * 1024
    (stop,) = await _actions(demo_core, "session.recording_stopped")
    assert (stop.details["cause"], stop.details["limit_mb"]) == ("too_large", 1)
    assert stop.actor_username == "mia"
    (done,) = await _actions(demo_core, "session.recorded")
    assert done.details["complete"] is False
    assert done.details["size"] == rec.path.stat().st_size


async def test_an_accounts_recordings_of_a_day_are_bounded_together(
    demo_core: Core, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    """R24: LINEDESK_RECORD_ACCOUNT_DAY_MB bounds all recordings one account started that
    day: the recording that reaches it stops (Archiv entry), another account's goes on; a
    fresh process counts what the Archiv lists as finished that day."""
    _bounded(monkeypatch, demo_core, record_max_mb=0, record_account_day_mb=1)

    async def session(actor: Actor, name: str, chunks: int) -> Recorder:
        rec = Recorder(demo_core, actor, name, (80, 24))
        for _ in range(chunks):
            rec.output("q" * 100_000)
            await rec.drain()
        await rec.close()
        return rec

    first = await session(actors["mia"], "mia1", 6)  # ~600 KiB: within the day's MiB
    assert first.stopped is None
    second = await session(actors["mia"], "mia2", 6)  # together beyond it: stops
    assert second.stopped == "account_day_limit"
    other = await session(actors["tom"], "tom1", 6)  # another account: its own budget
    assert other.stopped is None
    assert first.path.stat().st_size + second.path.stat().st_size <= 1024 * 1024
    (stop,) = await _actions(demo_core, "session.recording_stopped")
    assert (stop.target, stop.details["cause"], stop.details["limit_mb"]) == (
        "mia2.cast", "account_day_limit", 1)
    # a new process (another worker, a restart) knows nothing of them but the Archiv
    recording._BUDGETS.pop(demo_core)
    third = await session(actors["mia"], "mia3", 6)
    assert third.stopped == "account_day_limit"
    assert not third.path.exists() or third.path.stat().st_size <= 1024 * 1024 - (
        first.path.stat().st_size + second.path.stat().st_size)


def test_day_budget_counts_per_account_and_day_and_forgets_old_days() -> None:
    """R24: the per-account daily bound's bookkeeping; a node running for months keeps only
    the days a running recording can still count on (the day it started: today, yesterday)."""
    budget = DayBudget()
    monday, tuesday, wednesday = (1, "2026-11-30"), (1, "2026-12-01"), (1, "2026-12-02")
    budget.finished_elsewhere(monday, {"2026/11/30/other.cast": 70})
    budget.add(monday, "2026/11/30/a.cast", 20)
    budget.add(monday, "2026/11/30/a.cast", 5)
    assert budget.used(monday) == 95
    assert budget.allows(monday, 5, 100) and not budget.allows(monday, 6, 100)
    assert budget.allows((2, "2026-11-30"), 100, 100)  # another account: its own budget
    budget.add(tuesday, "2026/12/01/b.cast", 10)
    assert budget.used(monday) == 95  # yesterday's recording may still be running
    budget.add(wednesday, "2026/12/02/c.cast", 1)
    assert budget.used(monday) == 0 and budget.used(tuesday) == 10
    assert budget._own.keys() == {tuesday, wednesday} and not budget._elsewhere
