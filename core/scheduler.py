"""Background jobs: due deactivations (R12) and porting steps (R16).

Every node may run a :class:`Scheduler`; a job runs only while its runner holds the
job's row in ``scheduler_leases`` (taken with a conditional UPDATE, or an INSERT that
loses on the primary key), so two schedulers never run the same job at once. Jobs are
idempotent and work off everything due up to today, so downtime is caught up.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from core.models import SchedulerLease
from core.runtime import UnitOfWork
from core.services import numbers

if TYPE_CHECKING:
    from core.runtime import Core

log = logging.getLogger(__name__)

LEASE_SECONDS = 300
"""A crashed runner's lease expires after this; a job must finish well within it."""

Job = Callable[[UnitOfWork], Awaitable[int]]


async def _due_deactivations(uow: UnitOfWork) -> int:
    return await numbers.apply_due_deactivations(uow, today=uow.clock.today())


def _porting_job() -> Job | None:
    """The porting engineer's ``advance_due``, if that module exists yet."""
    try:
        from core.services import porting
    except ImportError:
        return None
    advance = getattr(porting, "advance_due", None)
    return advance if callable(advance) else None


class Scheduler:
    """Runs the periodic jobs of one node."""

    def __init__(self, core: Core, *, holder: str | None = None) -> None:
        self.core = core
        self.holder = holder or f"sched-{secrets.token_hex(4)}"
        """Identifies this runner in the lease table."""

    def jobs(self) -> dict[str, Job]:
        jobs: dict[str, Job] = {"deactivations": _due_deactivations}
        porting = _porting_job()
        if porting is not None:
            jobs["porting"] = porting
        return jobs

    async def acquire(self, job: str) -> bool:
        """Take the job's lease unless another runner holds an unexpired one."""
        now = self.core.clock.now()
        until = now + timedelta(seconds=LEASE_SECONDS)
        try:
            async with self.core.db.session() as session, session.begin():
                result = await session.execute(
                    update(SchedulerLease)
                    .where(
                        SchedulerLease.job == job,
                        or_(SchedulerLease.holder.is_(None), SchedulerLease.until.is_(None),
                            SchedulerLease.until < now, SchedulerLease.holder == self.holder),
                    )
                    .values(holder=self.holder, until=until)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    return True
                if await session.get(SchedulerLease, job) is not None:
                    return False
                session.add(SchedulerLease(job=job, holder=self.holder, until=until))
        except IntegrityError:
            return False  # another runner inserted the row first
        return True

    async def release(self, job: str, *, ran: bool) -> None:
        values: dict[str, object] = {"holder": None, "until": None}
        if ran:
            values["last_run_at"] = self.core.clock.now()
        async with self.core.db.session() as session, session.begin():
            await session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.job == job, SchedulerLease.holder == self.holder)
                .values(**values)
            )

    async def run_once(self) -> dict[str, int]:
        """Run every job whose lease we get; returns how many items each job handled.

        Jobs held by another runner are left out, and so is a job that failed: its
        transaction rolled back, it is logged and retried next round, and the other
        jobs still run."""
        done: dict[str, int] = {}
        for name, job in self.jobs().items():
            if not await self.acquire(name):
                continue
            ran = False
            try:
                async with self.core.uow() as uow:
                    done[name] = await job(uow)
                ran = True
            except Exception:
                log.exception("scheduler job %s failed", name)
            finally:
                await self.release(name, ran=ran)
        return done

    async def run(self, interval: float) -> None:
        """Loop forever; a failing round is logged and retried next round."""
        while True:
            try:
                result = await self.run_once()
                if any(result.values()):
                    log.info("scheduler round: %s", result)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler round failed")
            await asyncio.sleep(interval)
