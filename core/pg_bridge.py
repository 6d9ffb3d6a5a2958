"""Carries bus events between server nodes through PostgreSQL LISTEN/NOTIFY (R17: every
open session updates live, across server nodes too)."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from typing import Any

import asyncpg

from core.events import DomainEvent, EventBus

log = logging.getLogger(__name__)

CHANNEL = "linedesk_events"
MAX_PAYLOAD = 7900  # NOTIFY payloads must stay below 8000 bytes


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

    async def start(self) -> None:
        self._listen = await asyncpg.connect(self.dsn)
        self._send = await asyncpg.connect(self.dsn)
        await self._listen.add_listener(CHANNEL, self._on_notify)
        self.bus.add_bridge(self.forward)

    async def close(self) -> None:
        for conn in (self._listen, self._send):
            if conn is not None:
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
                await self._send.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
        except (asyncpg.PostgresError, OSError):
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
