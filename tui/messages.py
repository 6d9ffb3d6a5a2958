"""Messages the App sends down to its screens."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from core.events import DomainEvent


@dataclass
class DomainEventMessage(Message):
    """A committed change in the core (possibly made by another session)."""

    event: DomainEvent


class ActorChanged(Message):
    """View mode, language or the customer a support agent acts for changed."""


class DatabaseResumed(Message):
    """The connection to the database (and the other nodes' events) is back after it was
    lost: events of the gap were missed, so a screen showing live data re-fetches it."""
