"""Carries bus events between server nodes through PostgreSQL LISTEN/NOTIFY (R17: every
open session updates live, across server nodes too)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from typing import Any

import asyncpg

from core.events import EVENTS_INTERRUPTED, EVENTS_RESUMED, DomainEvent, EventBus

log = logging.getLogger(__name__)

CHANNEL = "linedesk_events"
MAX_PAYLOAD = 7900  # NOTIFY payloads must stay below 8000 bytes
INTERRUPTED = EVENTS_INTERRUPTED
"""Published on this node's bus (not forwarded) when the LISTEN connection is lost."""
RESUMED = EVENTS_RESUMED
"""Published on this node's bus (not forwarded) when LISTEN is back after the connection
was lost (a PostgreSQL restart): events of the gap were missed, so listeners re-fetch."""
RECONNECT_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)
"""Seconds between reconnection attempts (the last one repeats)."""


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)


class PostgresEventBridge:
    def __init__(self, database_url: str, bus: EventBus, *, node_id: str | None = None) -> None:
        self.dsn = asyncpg_dsn(database_url)
        self.bus = bus
        self.node_id = node_id or secrets.token_hex(6)
        self._listen: asyncpg.Connection | None = None
        self._send: asyncpg.Connection | None = None
        self._send_lock = asyncio.Lock()
        self._closing = False
        self._reconnecting: asyncio.Task[None] | None = None
        self.reconnects = 0
        """LISTEN connections re-established after a loss."""

    async def start(self) -> None:
        await self._open_listen()
        self._send = await asyncpg.connect(self.dsn)
        self.bus.add_bridge(self.forward)

    async def _open_listen(self) -> None:
        conn = await asyncpg.connect(self.dsn)
        await conn.add_listener(CHANNEL, self._on_notify)
        conn.add_termination_listener(self._listen_lost)
        self._listen = conn

    @property
    def listening(self) -> bool:
        return self._listen is not None and not self._listen.is_closed()

    def _listen_lost(self, _conn: Any) -> None:
        """The LISTEN connection ended (PostgreSQL restarted, the backend was terminated)."""
        if self._closing or self._reconnecting is not None:
            return
        log.warning("LISTEN connection to PostgreSQL lost; reconnecting")
        self._listen = None
        self.bus.publish(DomainEvent(INTERRUPTED, None, {}), from_bridge=True)
        self._reconnecting = asyncio.get_running_loop().create_task(
            self._reconnect(), name="linedesk-listen-reconnect")

    async def _reconnect(self) -> None:
        attempt = 0
        try:
            while not self._closing:
                try:
                    await self._open_listen()
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError,
                        TimeoutError) as exc:
                    delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
                    attempt += 1
                    log.debug("LISTEN reconnect failed (%s); again in %.1f s",
                              type(exc).__name__, delay)
                    await asyncio.sleep(delay)
                    continue
                self.reconnects += 1
                log.info("LISTEN connection to PostgreSQL back after %d attempt(s)", attempt + 1)
                # events sent while it was down are lost: whoever listens re-fetches
                self.bus.publish(DomainEvent(RESUMED, None, {}), from_bridge=True)
                return
        finally:
            self._reconnecting = None

    async def close(self) -> None:
        self._closing = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
        for conn in (self._listen, self._send):
            if conn is not None and not conn.is_closed():
                await conn.close()
        self._listen = self._send = None

    async def forward(self, event: DomainEvent) -> None:
        if self._send is None:
            return
        payload = json.dumps(
            {"node": self.node_id, "name": event.name, "customer_id": event.customer_id,
             "payload": event.payload},
            default=str,
        )
        if len(payload.encode()) > MAX_PAYLOAD:
            payload = json.dumps({"node": self.node_id, "name": event.name,
                                  "customer_id": event.customer_id, "payload": {}})
        try:
            async with self._send_lock:
                if self._send.is_closed():  # lost (PostgreSQL restarted): one new connection
                    self._send = await asyncpg.connect(self.dsn)
                await self._send.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            log.exception("could not forward event %s to other nodes", event.name)

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            doc = json.loads(payload)
        except ValueError:
            return
        if doc.get("node") == self.node_id:
            return
        self.bus.publish(
            DomainEvent(doc["name"], doc.get("customer_id"), doc.get("payload") or {}),
            from_bridge=True,
        )
