"""The unit of work: one transaction plus the events and messages it causes.

Services take a :class:`UnitOfWork` as their first argument and never commit: the
caller's :meth:`core.runtime.Core.uow` commits, then publishes the queued events and
wakes the outbox dispatcher. This module sits below the services and knows nothing of
:class:`core.runtime.Core` (which builds the units of work and imports the services'
background jobs), so the services never import the runtime.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from core.authz import Actor
from core.clock import Clock
from core.config import Settings
from core.errors import DomainError
from core.events import DomainEvent
from core.models import AuditEvent, OutboxKind
from core.outbox import Attachment, enqueue
from core.secretbox import SecretBox


class UnitOfWork:
    """One transaction plus what it causes: events to publish and messages to send."""

    def __init__(
        self, session: AsyncSession, *, clock: Clock, settings: Settings, secret_box: SecretBox
    ) -> None:
        self.session = session
        self.clock = clock
        self.settings = settings
        self.secret_box = secret_box
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
        if actor is not None and actor.session_id:
            details = {**details, "session": actor.session_id}
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
            self.session, self.secret_box, self.clock, kind=kind, to=to, subject=subject,
            body=body, attachments=attachments, customer_id=customer_id, key=key, meta=meta,
        )
        self.outbox_count += 1


class UnitsOfWork(Protocol):
    """What opens units of work (:class:`core.runtime.Core`); for code below the runtime."""

    def uow(self, *, readonly: bool = False) -> AbstractAsyncContextManager[UnitOfWork]: ...
