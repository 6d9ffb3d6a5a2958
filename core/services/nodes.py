"""Operator reads for monitoring (``/metrics``, ``/health``): no tenant data, no actor.

What is counted here is the database's (shared by every node): the outbox backlog and the
scheduler's last runs. What one process knows (sessions, logins) is counted by the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from core.models import OutboxMessage, OutboxStatus, SchedulerLease
from core.uow import UnitOfWork


@dataclass(frozen=True)
class Backlog:
    pending: int
    dead: int
    oldest_pending: datetime | None
    """When the oldest message still to be delivered was due."""


async def ping(uow: UnitOfWork) -> bool:
    """Does the database answer?"""
    return (await uow.session.scalar(select(1))) == 1


async def outbox_backlog(uow: UnitOfWork) -> Backlog:
    rows = (await uow.session.execute(
        select(OutboxMessage.status, func.count(), func.min(OutboxMessage.next_attempt_at))
        .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.DEAD]))
        .group_by(OutboxMessage.status))).all()
    counts = {status: (count, oldest) for status, count, oldest in rows}
    pending, oldest = counts.get(OutboxStatus.PENDING, (0, None))
    dead, _ = counts.get(OutboxStatus.DEAD, (0, None))
    return Backlog(pending=int(pending), dead=int(dead), oldest_pending=oldest)


async def scheduler_runs(uow: UnitOfWork) -> dict[str, datetime | None]:
    """Each background job's last completed run (``None``: never ran)."""
    rows = (await uow.session.execute(
        select(SchedulerLease.job, SchedulerLease.last_run_at))).all()
    return {job: last for job, last in rows}
