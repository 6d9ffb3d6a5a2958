"""The runner of background jobs (the jobs themselves are listed in :mod:`core.jobs`).

Every node may run a :class:`Scheduler`; a job runs only while its runner holds the
job's row in ``scheduler_leases`` (taken with a conditional UPDATE, or an INSERT that
loses on the primary key), so two schedulers never run the same job at once. Jobs are
idempotent and work off everything due up to today, so downtime is caught up.

The runner knows no services: :class:`core.runtime.Core` hands it the named jobs, so the
scheduler sits below the services and the runtime above both.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Protocol

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from core.clock import Clock
from core.db import Database
from core.models import SchedulerLease
from core.uow import UnitOfWork, UnitsOfWork

log = logging.getLogger(__name__)

LEASE_SECONDS = 300
"""A crashed runner's lease expires after this; a job must finish well within it."""

Job = Callable[[UnitOfWork], Awaitable[int]]
"""A job gets its own unit of work and returns how many items it handled."""


class JobHost(UnitsOfWork, Protocol):
    """What the scheduler needs of :class:`core.runtime.Core`."""

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...


class Scheduler:
    """Runs the periodic jobs of one node."""

    def __init__(
        self, core: JobHost, jobs: Mapping[str, Job], *, holder: str | None = None
    ) -> None:
        self.core = core
        self.jobs: Mapping[str, Job] = jobs
        """Run in this order each round, each under its own lease."""
        self.holder = holder or f"sched-{secrets.token_hex(4)}"
        """Identifies this runner in the lease table."""

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
        for name, job in self.jobs.items():
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
