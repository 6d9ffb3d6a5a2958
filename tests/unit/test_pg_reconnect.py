"""The LISTEN/NOTIFY bridge survives lost connections (as after a PostgreSQL restart):
LISTEN comes back, listeners are told to re-fetch, and events flow again both ways."""

from __future__ import annotations

import asyncio

import asyncpg

from core.events import DomainEvent, EventBus
from core.pg_bridge import RESUMED, PostgresEventBridge, asyncpg_dsn
from tests.pg import create_database


async def _terminate_all_but(url: str, conn: asyncpg.Connection) -> int:
    """What a restart does to every client: their backends end."""
    return int(await conn.fetchval(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"))


async def _until(predicate: object, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


async def test_listen_comes_back_after_the_connections_were_lost(pg_server: str) -> None:
    url = await create_database(pg_server)
    bus_a, bus_b = EventBus(), EventBus()
    a = PostgresEventBridge(url, bus_a, node_id="a")
    b = PostgresEventBridge(url, bus_b, node_id="b")
    seen_a: list[str] = []
    seen_b: list[str] = []
    bus_a.subscribe(lambda e: seen_a.append(e.name))
    bus_b.subscribe(lambda e: seen_b.append(e.name))
    admin = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await a.start()
        await b.start()
        bus_a.publish(DomainEvent("NumberDeactivated", 1, {}))
        await _until(lambda: "NumberDeactivated" in seen_b)

        assert await _terminate_all_but(url, admin) == 4  # both LISTEN and both NOTIFY
        await _until(lambda: a.reconnects == 1 and b.reconnects == 1)
        assert a.listening and b.listening
        assert seen_a.count(RESUMED) == 1 and seen_b.count(RESUMED) == 1  # re-fetch now

        seen_b.clear()
        bus_a.publish(DomainEvent("NumberActivated", 1, {}))  # its NOTIFY connection too
        await _until(lambda: "NumberActivated" in seen_b)
        bus_b.publish(DomainEvent("NumberSwapped", 1, {}))
        await _until(lambda: "NumberSwapped" in seen_a)
    finally:
        await admin.close()
        await a.close()
        await b.close()
