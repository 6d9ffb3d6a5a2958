"""The runner of background jobs (the jobs themselves are listed in :mod:`core.jobs`).

Every node may run a :class:`Scheduler`; a job runs only while its runner holds the
job's row in ``scheduler_leases`` (taken with a conditional UPDATE, or an INSERT that
loses on the primary key), so two schedulers never run the same job at once. The lease is
short (:data:`LEASE_SECONDS`) and renewed while the job runs, so a runner that was killed
(``kill -9``, a node lost) frees its jobs within seconds, and a long job is never taken
over while its runner is alive. A job is one unit of work: killed half-way it rolls back
whole. Jobs are idempotent and work off everything due up to today, so downtime is caught
up.

The runner knows no services: :class:`core.runtime.Core` hands it the named jobs, so the
scheduler sits below the services and the runtime above both.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Protocol

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from core.clock import Clock
from core.db import Database, is_connection_lost
from core.models import SchedulerLease
from core.uow import UnitOfWork, UnitsOfWork

log = logging.getLogger(__name__)

LEASE_SECONDS = 15
"""A crashed runner's lease expires after this (the others take its jobs over then)."""
RENEW_SECONDS = 5.0
"""While a job runs, its lease is renewed this often (a job may run longer than a lease)."""

Job = Callable[[UnitOfWork], Awaitable[int]]
"""A job gets its own unit of work and returns how many items it handled."""


def process_label(kind: str) -> str:
    """``KIND:HOST:PID:RANDOM`` naming one process (a node's worker) in lease columns, so an
    operator (and a test) sees which process holds a row; random for a second runner."""
    return f"{kind}:{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(3)}"


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
        self.holder = holder or process_label("sched")
        """Identifies this runner in the lease table (host and process id: who holds it)."""

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

    async def renew(self, job: str) -> bool:
        """Extend the lease this runner holds; False when it no longer holds it."""
        until = self.core.clock.now() + timedelta(seconds=LEASE_SECONDS)
        async with self.core.db.session() as session, session.begin():
            result = await session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.job == job, SchedulerLease.holder == self.holder)
                .values(until=until)
            )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def _keep(self, job: str, work: asyncio.Future[int]) -> bool:
        """Renew ``job``'s lease until cancelled; a lease found lost (it ran out, another
        runner took it) cancels the work (its unit of work rolls back) and returns True."""
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                held = await self.renew(job)
            except Exception as exc:  # the next renewal tries again; the lease is several
                log.warning("scheduler lease renewal of %s failed", job,
                            exc_info=not is_connection_lost(exc))
                continue
            if not held:
                log.error("scheduler lost the lease of %s; its run is rolled back", job)
                work.cancel()
                return True

    async def _run(self, job: Job) -> int:
        async with self.core.uow() as uow:
            return await job(uow)

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
            work = asyncio.ensure_future(self._run(job))
            keeper = asyncio.create_task(self._keep(name, work), name=f"lease-{name}")
            try:
                done[name] = await work
                ran = True
            except asyncio.CancelledError:
                if not (keeper.done() and not keeper.cancelled() and keeper.result()):
                    work.cancel()  # this runner is being stopped: the job rolls back
                    raise
                # the lease was lost: the job rolled back, its new holder runs it
            except Exception:
                log.exception("scheduler job %s failed", name)
            finally:
                keeper.cancel()
                # wait() does not raise the keeper's own CancelledError, and unlike a
                # suppress(CancelledError) around `await keeper` it does not swallow this
                # runner being cancelled meanwhile (the scheduler then never stopped)
                await asyncio.wait([keeper])
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
            except Exception as exc:
                if is_connection_lost(exc):  # PostgreSQL restarting: the next round retries
                    log.warning("scheduler: database unreachable (%s)", type(exc).__name__)
                else:
                    log.exception("scheduler round failed")
            await asyncio.sleep(interval)
