"""The scheduler: due deactivations applied idempotently, after downtime, exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core import scheduler
from core.authz import Actor
from core.clock import FixedClock
from core.jobs import JOBS, due_deactivations
from core.models import AuditEvent, Number, NumberStatus, SchedulerLease
from core.runtime import Core, UnitOfWork
from core.scheduler import LEASE_SECONDS, Scheduler
from core.services import numbers

PENDING = "+4930123456103"
TOM_NUMBER = "+4930123456101"


async def statuses(core: Core, *e164: str) -> list[str]:
    async with core.uow(readonly=True) as uow:
        rows = await uow.session.scalars(
            select(Number).where(Number.e164.in_(e164)).order_by(Number.e164)
        )
        return [r.status.value for r in rows]


async def deactivated_audits(core: Core) -> int:
    async with core.uow(readonly=True) as uow:
        return int(
            await uow.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "number.deactivated")
            )
            or 0
        )


async def test_nothing_due_before_the_last_day_passes(demo_core: Core, clock: FixedClock) -> None:
    clock.set(datetime(2026, 12, 31, 22, 30, tzinfo=UTC))  # 23:30 in Berlin: still the last day
    assert (await Scheduler(demo_core, JOBS).run_once())["deactivations"] == 0
    assert await statuses(demo_core, PENDING) == ["pending_deactivation"]
    clock.set(datetime(2026, 12, 31, 23, 5, tzinfo=UTC))  # 00:05 on 1 January in Berlin
    assert (await Scheduler(demo_core, JOBS).run_once())["deactivations"] == 1
    assert await statuses(demo_core, PENDING) == ["inactive"]


async def test_run_once_is_idempotent(demo_core: Core, clock: FixedClock) -> None:
    clock.set(datetime(2027, 1, 2, 8, 0, tzinfo=UTC))
    sched = Scheduler(demo_core, JOBS)
    seen: list[str] = []
    sub = demo_core.bus.subscribe(lambda e: seen.append(e.name))
    assert (await sched.run_once())["deactivations"] == 1
    assert (await sched.run_once())["deactivations"] == 0
    sub.close()
    assert seen.count("NumberDeactivated") == 1
    assert await deactivated_audits(demo_core) == 1
    async with demo_core.uow(readonly=True) as uow:
        lease = await uow.session.get(SchedulerLease, "deactivations")
        assert lease is not None and lease.holder is None and lease.last_run_at == clock.now()


async def test_catch_up_after_downtime(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    # marked in November (due after 31.12.) and in January (due after 28.02.); server down until
    # April
    clock.set(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    await demo_core.run(numbers.deactivate, actors["admin"], number=TOM_NUMBER)
    clock.set(datetime(2027, 4, 3, 9, 0, tzinfo=UTC))
    assert (await Scheduler(demo_core, JOBS).run_once())["deactivations"] == 2
    assert await statuses(demo_core, TOM_NUMBER, PENDING) == ["inactive", "inactive"]


async def test_two_schedulers_at_once_apply_once(demo_core: Core, clock: FixedClock) -> None:
    clock.set(datetime(2027, 1, 2, 8, 0, tzinfo=UTC))
    first, second = Scheduler(demo_core, JOBS), Scheduler(demo_core, JOBS)
    results = await asyncio.gather(first.run_once(), second.run_once())
    assert sum(r.get("deactivations", 0) for r in results) == 1
    assert await deactivated_audits(demo_core) == 1


async def test_held_lease_blocks_other_runner_until_it_expires(
    demo_core: Core, clock: FixedClock
) -> None:
    clock.set(datetime(2027, 1, 2, 8, 0, tzinfo=UTC))
    holder, other = (
        Scheduler(demo_core, JOBS, holder="node-a"),
        Scheduler(demo_core, JOBS, holder="node-b"),
    )
    assert await holder.acquire("deactivations")  # node-a crashed while holding it
    assert "deactivations" not in await other.run_once()
    assert await statuses(demo_core, PENDING) == ["pending_deactivation"]
    clock.advance(timedelta(seconds=LEASE_SECONDS + 1))
    assert (await other.run_once())["deactivations"] == 1
    assert await statuses(demo_core, PENDING) == ["inactive"]


async def test_failing_job_is_rolled_back_and_does_not_stop_the_others(
    demo_core: Core, clock: FixedClock
) -> None:
    clock.set(datetime(2027, 1, 2, 8, 0, tzinfo=UTC))

    async def broken(uow: UnitOfWork) -> int:
        await numbers.apply_due_deactivations(uow, today=uow.clock.today())
        raise RuntimeError("carrier unreachable")

    sched = Scheduler(demo_core, {"broken": broken, "deactivations": due_deactivations},
                      holder="node-a")
    assert await sched.run_once() == {"deactivations": 1}
    assert await deactivated_audits(demo_core) == 1  # the broken job's changes were rolled back
    assert await Scheduler(demo_core, JOBS, holder="node-b").acquire(
        "broken"
    )  # its lease was released


async def test_every_registered_job_runs_each_round(demo_core: Core, clock: FixedClock) -> None:
    """The job list is explicit (core.jobs): a round runs the deactivations, the porting
    steps and the scheduled credential resets (R19), each under its own lease, and the
    runtime's scheduler gets the same list."""
    clock.set(datetime(2027, 1, 2, 8, 0, tzinfo=UTC))
    assert list(JOBS) == ["deactivations", "porting", "credential_resets", "recordings"]
    assert set(await Scheduler(demo_core, JOBS).run_once()) == {
        "deactivations", "porting", "credential_resets", "recordings"}
    async with demo_core.uow(readonly=True) as uow:
        leases = await uow.session.scalars(select(SchedulerLease.job).order_by(SchedulerLease.job))
        assert list(leases) == ["credential_resets", "deactivations", "porting", "recordings"]


async def test_run_loop_applies_due_deactivations(demo_core: Core, clock: FixedClock) -> None:
    clock.set(datetime(2027, 1, 2, 8, 0, tzinfo=UTC))
    task = asyncio.create_task(Scheduler(demo_core, JOBS).run(0.01))
    try:
        for _ in range(200):
            if await statuses(demo_core, PENDING) == ["inactive"]:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        # ended before the fixture drops the database (CI saw a loop still running then)
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
    assert await statuses(demo_core, PENDING) == [NumberStatus.INACTIVE.value]


async def test_a_runner_cancelled_while_its_lease_keeper_stops_ends(
    demo_core: Core, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopping a node cancels its scheduler; the cancel may arrive while a round waits for
    the job's lease keeper to wind down. It must end the runner, not be taken for the
    keeper's own cancellation and swallowed (the loop then went on forever)."""
    clock.set(datetime(2027, 1, 2, 8, 0, tzinfo=UTC))
    winding_down, go_on = asyncio.Event(), asyncio.Event()

    async def slow_keeper(self: Scheduler, job: str, work: asyncio.Future[int]) -> bool:
        try:
            await asyncio.Event().wait()
        finally:
            winding_down.set()
            await go_on.wait()  # a renewal's round trip still under way when cancelled
        return False

    monkeypatch.setattr(Scheduler, "_keep", slow_keeper)
    runner = asyncio.create_task(Scheduler(demo_core, JOBS).run(0.01))
    await asyncio.wait_for(winding_down.wait(), 10)
    runner.cancel()
    go_on.set()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(runner, 10)
    assert runner.cancelled()


def aware(moment: datetime | None) -> datetime:
    """SQLite hands stored times back without their zone (they are stored in UTC)."""
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def wait_for_lease(core: Core, condition: Callable[[SchedulerLease], bool]) -> None:
    """Poll the deactivations lease (bounded) until ``condition`` holds for it."""
    for _ in range(500):
        async with core.uow(readonly=True) as uow:
            lease = await uow.session.get(SchedulerLease, "deactivations")
            if lease is not None and condition(lease):
                return
        await asyncio.sleep(0.02)
    raise AssertionError("the lease never reached the expected state")


async def test_a_long_job_keeps_its_lease_and_a_lost_lease_cancels_it(
    demo_core: Core, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lease is short (a killed node frees its jobs within seconds) and renewed while
    the job runs: another runner does not take a long job over; a runner that finds its
    lease lost (another took it after it ran out) cancels its job (its unit of work rolls
    back) and the round goes on. (The job waits before it writes: SQLite has one writer.)"""
    monkeypatch.setattr(scheduler, "RENEW_SECONDS", 0.05)
    clock.set(datetime(2027, 1, 2, 8, 0, tzinfo=UTC))
    release, entered = asyncio.Event(), asyncio.Event()

    async def long_job(uow: UnitOfWork) -> int:
        clock.advance(timedelta(seconds=LEASE_SECONDS + 1))  # longer than one lease
        entered.set()  # the lease is node-a's from here on
        await release.wait()  # renewals meanwhile
        return await numbers.apply_due_deactivations(uow, today=uow.clock.today())

    first = Scheduler(demo_core, {"deactivations": long_job}, holder="node-a")
    other = Scheduler(demo_core, JOBS, holder="node-b")
    running = asyncio.create_task(first.run_once())
    # waited for, not slept: on a busy CI machine 0.3 s was not always enough for the job
    # to start and for one renewal to land after its clock jump
    await asyncio.wait_for(entered.wait(), 10)
    await wait_for_lease(demo_core, lambda lease: aware(lease.until) > clock.now())
    assert not await other.acquire("deactivations")  # renewed: still node-a's
    release.set()
    assert await running == {"deactivations": 1}
    assert await deactivated_audits(demo_core) == 1

    # node-a's lease ran out while it was stuck and node-b took it
    release.clear()
    clock.set(datetime(2027, 1, 3, 8, 0, tzinfo=UTC))
    async with demo_core.uow() as uow:
        [number] = await uow.session.scalars(select(Number).where(Number.e164 == TOM_NUMBER))
        number.status = NumberStatus.PENDING_DEACTIVATION
        number.deactivation_date = date(2027, 1, 1)
    entered.clear()
    running = asyncio.create_task(first.run_once())
    await asyncio.wait_for(entered.wait(), 10)
    async with demo_core.uow() as uow:  # what an expired lease taken by node-b looks like
        lease = await uow.session.get(SchedulerLease, "deactivations")
        assert lease is not None and lease.holder == "node-a"
        lease.holder = "node-b"
    assert await asyncio.wait_for(running, 5) == {}  # cancelled, not counted as run
    assert await deactivated_audits(demo_core) == 1
    assert await statuses(demo_core, TOM_NUMBER) == ["pending_deactivation"]
    async with demo_core.uow(readonly=True) as uow:  # node-a did not release node-b's lease
        lease = await uow.session.get(SchedulerLease, "deactivations")
        assert lease is not None and lease.holder == "node-b"
