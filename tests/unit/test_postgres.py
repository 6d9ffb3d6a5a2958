"""The same core on PostgreSQL (``postgresql+asyncpg://``): migrations, demo data, login,
outbox, optimistic concurrency and concurrent writers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.models import Account, OutboxKind, OutboxMessage, OutboxStatus
from core.runtime import Core
from tests.conftest import DEMO_NOW, login, make_settings
from tests.pg import create_database


@pytest.fixture
async def pg_core(pg_server: str, tmp_path: Path) -> AsyncIterator[Core]:
    from core import migrate
    from core.demo import seed_demo

    url = await create_database(pg_server)
    c = Core(make_settings(tmp_path, database_url=url), clock=FixedClock(DEMO_NOW))
    await migrate.upgrade(c.db)
    async with c.uow() as uow:
        await seed_demo(uow)
    yield c
    await c.close()


async def test_migrations_and_demo_data_on_postgres(pg_core: Core) -> None:
    from core import migrate

    assert await migrate.current_revision(pg_core.db) == migrate.head_revision()
    async with pg_core.uow(readonly=True) as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Account)) == 6
    actor = await login(pg_core, "admin")
    assert actor.customer_name == "Muster GmbH"


async def test_outbox_exactly_once_on_postgres(pg_core: Core) -> None:
    from core.outbox import Dispatcher
    from core.transports import build_transports

    async with pg_core.uow() as uow:
        for i in range(10):
            uow.send(OutboxKind.SMS, to="+491701234567", subject="", body=f"sms {i}")
    transports = build_transports(pg_core.settings)
    dispatchers = [
        Dispatcher(pg_core.db, pg_core.secret_box, pg_core.clock, transports, node_id=f"n{i}")
        for i in range(3)
    ]
    delivered = await asyncio.gather(*(d.dispatch_once() for d in dispatchers))
    assert sum(delivered) == 10
    lines = (pg_core.settings.data_dir / "sms.jsonl").read_text().splitlines()
    assert len(lines) == 10
    async with pg_core.uow(readonly=True) as uow:
        statuses = set(await uow.session.scalars(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}


async def test_stale_update_is_a_conflict_on_postgres(pg_core: Core) -> None:
    from core.errors import Conflict

    async with pg_core.uow(readonly=True) as uow:
        account = await uow.session.scalar(select(Account).where(Account.username == "mia"))
    assert account is not None
    async with pg_core.uow() as uow:
        fresh = await uow.session.get(Account, account.id)
        assert fresh is not None
        fresh.full_name = "Mia S."
    with pytest.raises(Conflict):
        async with pg_core.uow() as uow:
            stale = await uow.session.merge(account)  # carries the old version
            stale.full_name = "Mia Schneider-Alt"


async def test_events_cross_nodes_through_listen_notify(pg_core: Core, tmp_path: Path) -> None:
    """A change committed on one node reaches the sessions of another node."""
    other = Core(
        make_settings(tmp_path / "node2", database_url=pg_core.db.url), clock=pg_core.clock
    )
    received: list[str] = []
    arrived = asyncio.Event()

    def listener(event: object) -> None:
        received.append(event.name)  # type: ignore[attr-defined]
        arrived.set()

    try:
        await pg_core.start_bridge()
        await other.start_bridge()
        other.bus.subscribe(listener, customer_id=1)
        async with pg_core.uow() as uow:
            uow.emit("NumberDeactivated", 1, number="+4930123456100")
        await asyncio.wait_for(arrived.wait(), timeout=30)
        assert received == ["NumberDeactivated"]
    finally:
        await other.close()
