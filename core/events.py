"""In-process event bus. Units of work publish past-tense events after commit; every
session's App subscribes on mount and unsubscribes on unmount.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened, e.g. ``NumberActivated`` for customer 1."""

    name: str
    customer_id: int | None
    payload: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[DomainEvent], None]

EVENTS_INTERRUPTED = "EventsInterrupted"
"""Published on a node's own bus (customer-less, never forwarded) when its connection to the
other nodes' events was lost (PostgreSQL restarting): sessions say so."""
EVENTS_RESUMED = "EventsResumed"
"""Published on a node's own bus when that connection is back: events of the gap were
missed, so every open screen re-fetches what it shows."""


class Subscription:
    def __init__(self, bus: EventBus, listener: Listener, customer_id: int | None) -> None:
        self._bus = bus
        self.listener = listener
        self.customer_id = customer_id
        """Only events of this customer (and customer-less ones) reach the listener; None = all."""

    def close(self) -> None:
        self._bus._subscriptions.discard(self)


class EventBus:
    """Synchronous fan-out: listeners must be cheap (post a message, set an event)."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._bridges: list[Callable[[DomainEvent], Any]] = []
        self._pending: set[asyncio.Future[Any]] = set()

    def subscribe(self, listener: Listener, *, customer_id: int | None = None) -> Subscription:
        sub = Subscription(self, listener, customer_id)
        self._subscriptions.add(sub)
        return sub

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions)

    def add_bridge(self, forward: Callable[[DomainEvent], Any]) -> None:
        """Forward locally published events to other nodes (e.g. PostgreSQL NOTIFY)."""
        self._bridges.append(forward)

    def publish(self, event: DomainEvent, *, from_bridge: bool = False) -> None:
        for sub in list(self._subscriptions):
            if sub.customer_id is not None and event.customer_id not in (None, sub.customer_id):
                continue
            try:
                sub.listener(event)
            except Exception:  # one broken session must not stop the others
                log.exception("event listener failed for %s", event.name)
        if not from_bridge:
            for forward in self._bridges:
                result = forward(event)
                if asyncio.iscoroutine(result):
                    task = asyncio.ensure_future(result)
                    self._pending.add(task)
                    task.add_done_callback(self._pending.discard)
