"""The core as one object: database, clock, event bus, outbox and background jobs.

This is core's composition root: it builds the units of work (:mod:`core.uow`), the outbox
transports, the event bridge and the scheduler with the job list of :mod:`core.jobs`.
Nothing in ``core`` below it imports it (import-linter's acyclic contract).

Front ends (TUI sessions, command mode, admin CLI) hold one :class:`Core` per process
and call services through :meth:`Core.run` / :meth:`Core.read`: one unit of work per
call, events published only after commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from core.authz import REASON_REQUIRED, Actor
from core.clock import Clock, SystemClock
from core.config import Settings
from core.db import Database, transaction
from core.errors import PermissionDenied
from core.events import EventBus
from core.jobs import JOBS
from core.local_bridge import EventRelay
from core.models import OutboxKind
from core.outbox import Dispatcher, Transport
from core.scheduler import Scheduler
from core.secretbox import SecretBox
from core.transports import build_transports
from core.uow import UnitOfWork

if TYPE_CHECKING:
    from core.pg_bridge import PostgresEventBridge

__all__ = ["Core", "UnitOfWork"]
"""``UnitOfWork`` lives in :mod:`core.uow`; front ends may name it from here with ``Core``."""

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


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
            transports = build_transports(settings)
        self.dispatcher = Dispatcher(self.db, self.secret_box, self.clock, transports)
        self._tasks: list[asyncio.Task[None]] = []
        self._bridge: PostgresEventBridge | EventRelay | None = None
        self._inflight: set[asyncio.Future[Any]] = set()
        """Units of work still running (possibly for callers that were cancelled)."""

    @asynccontextmanager
    async def uow(self, *, readonly: bool = False) -> AsyncIterator[UnitOfWork]:
        async with transaction(self.db, readonly=readonly) as session:
            work = UnitOfWork(
                session, clock=self.clock, settings=self.settings, secret_box=self.secret_box
            )
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
        try:
            async with self.uow(readonly=readonly) as work:
                return await fn(work, actor, *args, **kwargs)
        except PermissionDenied as exc:
            if exc.key == REASON_REQUIRED:
                raise  # support is asked for its reason; the write with it is audited
            # the refused call rolled back; its denial is recorded on its own
            async with self.uow() as work:
                work.audit(actor, "access.denied", customer_id=actor.customer_id,
                           service=f"{fn.__module__}.{fn.__qualname__}"[:100], refusal=exc.key)
            raise

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

    async def start_bridge(self, *, local_hub: EventRelay | None = None) -> None:
        """Share bus events with the other server processes: on PostgreSQL with every node
        (LISTEN/NOTIFY); otherwise, given the supervisor's hub client (``local_hub``,
        :class:`ssh_server.hub.HubClient` on this core's bus), with the other workers of
        this ``serve`` (one SQLite file cannot span hosts anyway)."""
        if self._bridge is not None:
            return
        if self.db.is_postgres:
            # Imported here on purpose: asyncpg (~60 ms of import) is needed on PostgreSQL only.
            from core.pg_bridge import PostgresEventBridge

            self._bridge = PostgresEventBridge(self.db.url, self.bus)
            await self._bridge.start()
        elif local_hub is not None:
            self._bridge = local_hub
            await local_hub.start()

    def start_background(self, *, dispatcher: bool = True, scheduler: bool = True) -> None:
        """Start the outbox dispatcher and the scheduler as tasks of the running loop."""
        if dispatcher:
            self._tasks.append(
                asyncio.create_task(
                    self.dispatcher.run(self.settings.outbox_interval), name="outbox"
                )
            )
        if scheduler:
            sched = Scheduler(self, JOBS)
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

