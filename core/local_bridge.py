"""The core's side of the event relay between the worker processes of one ``linedesk
serve`` on SQLite (R17: every open session updates live, whichever worker serves it).

The relay itself (the supervisor's hub, its wire format and client) belongs to the server
(:mod:`ssh_server.hub`); the core only turns its bus's events into plain documents for it
and publishes the documents it receives (:class:`EventForwarder`), and runs whatever relay
``Core.start_bridge`` is given (:class:`EventRelay`). PostgreSQL deployments use
:mod:`core.pg_bridge` instead (it also spans hosts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from core.events import DomainEvent, EventBus


class EventRelay(Protocol):
    """What :meth:`core.runtime.Core.start_bridge` runs: started once, closed with the core."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class EventForwarder:
    """Between a bus and a relay: every event this process publishes goes out as a document
    (``{"t": "event", "name", "customer_id", "payload"}``); a document that comes in is
    checked and published on the bus as coming from the bridge (not sent out again)."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self.received = 0

    @staticmethod
    def outgoing(event: DomainEvent) -> dict[str, Any]:
        return {"t": "event", "name": event.name, "customer_id": event.customer_id,
                "payload": event.payload}

    def attach(self, send: Callable[[DomainEvent], Any]) -> None:
        """Hand every locally published event to ``send``."""
        self.bus.add_bridge(send)

    def incoming(self, doc: dict[str, Any]) -> None:
        name = doc.get("name")
        if not isinstance(name, str):
            return
        customer_id = doc.get("customer_id")
        payload = doc.get("payload")
        self.received += 1
        self.bus.publish(
            DomainEvent(name, customer_id if isinstance(customer_id, int) else None,
                        payload if isinstance(payload, dict) else {}),
            from_bridge=True,
        )
