"""Operator reads for monitoring (``/metrics``, ``/health``): no tenant data, no actor.

What is counted here is the database's (shared by every node): the outbox backlog and the
scheduler's last runs. What one process knows (sessions, logins) is counted by the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from core.models import (
    Account,
    LiveSession,
    NodeHeartbeat,
    OutboxMessage,
    OutboxStatus,
    SchedulerLease,
)
from core.uow import UnitOfWork

HEARTBEAT_INTERVAL = 5.0
"""Seconds between a serving process's heartbeats."""
STALE_AFTER = 3 * HEARTBEAT_INTERVAL
"""A process whose last heartbeat is older is shown as not answering."""
FORGET_AFTER = 3600.0
"""Seconds after its last heartbeat a killed process's rows are deleted (:func:`prune`)."""


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


@dataclass(frozen=True)
class WorkerState:
    node: str
    worker: int
    pid: int
    started_at: datetime
    beat_at: datetime
    sessions: int
    connections: int
    accepting: bool
    stale: bool
    """No heartbeat for :data:`STALE_AFTER` seconds: the process is gone or hangs."""


async def beat(uow: UnitOfWork, *, node: str, worker: int, pid: int, started_at: datetime,
               sessions: int, connections: int, accepting: bool) -> None:
    """Record one process's heartbeat (its own row: no other writer)."""
    now = uow.clock.now()
    values = {"worker": worker, "started_at": started_at, "beat_at": now, "sessions": sessions,
              "connections": connections, "accepting": accepting}
    result = await uow.session.execute(
        update(NodeHeartbeat).where(NodeHeartbeat.node == node, NodeHeartbeat.pid == pid)
        .values(**values))
    if not getattr(result, "rowcount", 0):
        uow.session.add(NodeHeartbeat(node=node, pid=pid, **values))


async def leave(uow: UnitOfWork, *, node: str, pid: int) -> None:
    """A process that stops removes its row (and its sessions')."""
    await uow.session.execute(
        delete(NodeHeartbeat).where(NodeHeartbeat.node == node, NodeHeartbeat.pid == pid))
    await uow.session.execute(
        delete(LiveSession).where(LiveSession.node == node, LiveSession.pid == pid))


async def cluster(uow: UnitOfWork) -> list[WorkerState]:
    """Every serving process that sent a heartbeat (stale ones marked), by node and worker."""
    now = uow.clock.now()
    rows = (await uow.session.scalars(
        select(NodeHeartbeat).order_by(NodeHeartbeat.node, NodeHeartbeat.worker))).all()
    return [WorkerState(
        node=row.node, worker=row.worker, pid=row.pid, started_at=row.started_at,
        beat_at=row.beat_at, sessions=row.sessions, connections=row.connections,
        accepting=row.accepting,
        stale=(now - row.beat_at).total_seconds() > STALE_AFTER) for row in rows]


async def claim_session(uow: UnitOfWork, *, key: str, account_id: int, node: str, pid: int,
                        limit: int) -> bool:
    """Count a new session of ``account_id`` against ``limit`` across every node; False at
    the limit. Sessions of processes without a fresh heartbeat do not count (killed).
    The account row is locked first (PostgreSQL), so two nodes cannot both take the last
    place; SQLite serializes writers anyway."""
    await uow.session.execute(
        select(Account.id).where(Account.id == account_id).with_for_update())
    fresh = uow.clock.now() - timedelta(seconds=STALE_AFTER)
    live = await uow.session.scalar(
        select(func.count()).select_from(LiveSession).join(
            NodeHeartbeat, (NodeHeartbeat.node == LiveSession.node)
            & (NodeHeartbeat.pid == LiveSession.pid))
        .where(LiveSession.account_id == account_id, NodeHeartbeat.beat_at >= fresh))
    if (live or 0) >= limit:
        return False
    uow.session.add(LiveSession(key=key, account_id=account_id, node=node, pid=pid,
                                started_at=uow.clock.now()))
    return True


async def prune(uow: UnitOfWork) -> int:
    """Forget processes killed long ago (no clean stop removed their rows) and sessions
    whose process has no heartbeat row; returns the processes forgotten."""
    old = uow.clock.now() - timedelta(seconds=FORGET_AFTER)
    result = await uow.session.execute(delete(NodeHeartbeat).where(NodeHeartbeat.beat_at < old))
    gone = getattr(result, "rowcount", 0) or 0
    await uow.session.execute(delete(LiveSession).where(~select(NodeHeartbeat.pid).where(
        NodeHeartbeat.node == LiveSession.node, NodeHeartbeat.pid == LiveSession.pid)
        .exists()))
    return int(gone)


async def release_session(uow: UnitOfWork, *, key: str) -> None:
    await uow.session.execute(delete(LiveSession).where(LiveSession.key == key))
