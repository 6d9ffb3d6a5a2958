"""The core as one object: database, clock, event bus, outbox and background jobs.

Front ends (TUI sessions, command mode, admin CLI) hold one :class:`Core` per process
and call services through :meth:`Core.run` / :meth:`Core.read`: one unit of work per
call, events published only after commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from core.authz import Actor
from core.clock import Clock, SystemClock
from core.config import Settings
from core.db import Database, transaction
from core.errors import DomainError
from core.events import DomainEvent, EventBus
from core.models import AuditEvent, OutboxKind
from core.outbox import Attachment, Dispatcher, Transport, enqueue
from core.secretbox import SecretBox

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class UnitOfWork:
    """One transaction plus what it causes: events to publish and messages to send."""

    def __init__(self, core: Core, session: AsyncSession) -> None:
        self.core = core
        self.session = session
        self.clock: Clock = core.clock
        self.settings: Settings = core.settings
        self.events: list[DomainEvent] = []
        self.outbox_count = 0
        self.error_after_commit: DomainError | None = None
        """Set by :meth:`fail_after_commit`: raised once the transaction has committed."""

    def fail_after_commit(self, error: DomainError) -> None:
        """Refuse the action but keep what was recorded (e.g. a wrong PIN attempt).

        Raising would roll the record back; instead the unit of work commits and then
        raises ``error`` to the caller.
        """
        self.error_after_commit = error

    def emit(self, name: str, customer_id: int | None, **payload: Any) -> None:
        """Queue a past-tense event (``NumberActivated``); published after commit only."""
        self.events.append(DomainEvent(name, customer_id, payload))

    def audit(
        self,
        actor: Actor | None,
        action: str,
        *,
        customer_id: int | None,
        target: str = "",
        **details: Any,
    ) -> AuditEvent:
        """R17: record who did what, on behalf of which customer, from where."""
        row = AuditEvent(
            at=self.clock.now(),
            customer_id=customer_id,
            actor_id=actor.account_id if actor else None,
            actor_username=actor.username if actor else "system",
            actor_role=actor.role.value if actor else "system",
            via_support=bool(actor and actor.via_support),
            reason=actor.reason if actor else None,
            action=action,
            target=target[:200],
            details=details,
            source_address=actor.source_address if actor else None,
            key_fingerprint=actor.key_fingerprint if actor else None,
        )
        self.session.add(row)
        self.emit("AuditRecorded", customer_id, action=action)
        return row

    def send(
        self,
        kind: OutboxKind,
        *,
        to: str,
        subject: str,
        body: str,
        attachments: tuple[Attachment, ...] = (),
        customer_id: int | None = None,
        key: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """Queue an e-mail, SMS or letter in this transaction (transactional outbox)."""
        enqueue(
            self.session, self.core.secret_box, self.clock, kind=kind, to=to, subject=subject,
            body=body, attachments=attachments, customer_id=customer_id, key=key, meta=meta,
        )
        self.outbox_count += 1


class Core:
    """Everything the front ends share inside one process."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        db: Database | None = None,
        bus: EventBus | None = None,
        transports: dict[OutboxKind, Transport] | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.db = db or Database(settings.effective_database_url)
        self.bus = bus or EventBus()
        self.secret_box = SecretBox.from_data_dir(settings.data_dir, settings.secret_key)
        if transports is None:
            from core.transports import build_transports

            transports = build_transports(settings)
        self.dispatcher = Dispatcher(self.db, self.secret_box, self.clock, transports)
        self._tasks: list[asyncio.Task[None]] = []
        self._bridge: Any = None
        self._inflight: set[asyncio.Future[Any]] = set()
        """Units of work still running (possibly for callers that were cancelled)."""

    @asynccontextmanager
    async def uow(self, *, readonly: bool = False) -> AsyncIterator[UnitOfWork]:
        async with transaction(self.db, readonly=readonly) as session:
            work = UnitOfWork(self, session)
            yield work
        # committed: now the world may hear about it
        for event in work.events:
            self.bus.publish(event)
        if work.outbox_count:
            self.dispatcher.wake()
        if work.error_after_commit is not None:
            raise work.error_after_commit

    async def run(
        self,
        fn: Callable[Concatenate[UnitOfWork, Actor, P], Awaitable[R]],
        actor: Actor,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Call a service in its own write unit of work."""
        return await self._to_completion(self._call(fn, actor, False, *args, **kwargs))

    async def read(
        self,
        fn: Callable[Concatenate[UnitOfWork, Actor, P], Awaitable[R]],
        actor: Actor,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Call a read-only service (SQLite: on the reader pool, never blocking writers)."""
        return await self._to_completion(self._call(fn, actor, True, *args, **kwargs))

    async def _call(
        self,
        fn: Callable[Concatenate[UnitOfWork, Actor, P], Awaitable[R]],
        actor: Actor,
        readonly: bool,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        async with self.uow(readonly=readonly) as work:
            return await fn(work, actor, *args, **kwargs)

    async def _to_completion(self, work: Coroutine[Any, Any, R]) -> R:
        """Run a unit of work that a cancelled caller (a session closing, a dropped exec
        channel) cannot interrupt half-way: it commits or rolls back cleanly on its own."""
        task = asyncio.ensure_future(work)
        self._inflight.add(task)
        task.add_done_callback(self._finished)
        return await asyncio.shield(task)

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._inflight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # retrieved here so that an abandoned unit of work's error is not "never retrieved"
            log.debug("unit of work failed: %r", task.exception())

    async def start_bridge(self, *, local_hub: Path | None = None) -> None:
        """Share bus events with the other server processes: on PostgreSQL with every node
        (LISTEN/NOTIFY); otherwise, given the supervisor's ``local_hub`` socket, with the
        other workers of this ``serve`` (one SQLite file cannot span hosts anyway)."""
        if self._bridge is not None:
            return
        if self.db.is_postgres:
            from core.pg_bridge import PostgresEventBridge

            self._bridge = PostgresEventBridge(self.db.url, self.bus)
            await self._bridge.start()
        elif local_hub is not None:
            from core.local_bridge import LocalEventBridge

            self._bridge = LocalEventBridge(local_hub, self.bus)
            await self._bridge.start()

    def start_background(self, *, dispatcher: bool = True, scheduler: bool = True) -> None:
        """Start the outbox dispatcher and the scheduler as tasks of the running loop."""
        if dispatcher:
            self._tasks.append(
                asyncio.create_task(self.dispatcher.run(self.settings.outbox_interval), name="outbox")
            )
        if scheduler:
            try:
                from core.scheduler import Scheduler
            except ImportError:
                return
            sched = Scheduler(self)
            self._tasks.append(
                asyncio.create_task(sched.run(self.settings.scheduler_interval), name="scheduler")
            )

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for units of work still running for callers that were cancelled."""
        if self._inflight:
            await asyncio.wait(list(self._inflight), timeout=timeout)

    async def close(self) -> None:
        await self.drain()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self._tasks.clear()
        if self._bridge is not None:
            await self._bridge.close()
            self._bridge = None
        await self.db.dispose()

