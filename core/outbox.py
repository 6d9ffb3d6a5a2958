"""Transactional outbox: e-mails, SMS and letters are rows written in the same transaction
as the change that causes them, and delivered afterwards by a dispatcher with retries.

Payloads are encrypted at rest (they may carry decryption codes or PINs) and wiped once
delivered. Claiming a row is an atomic conditional UPDATE, so two dispatchers (two
nodes, or one started twice) never deliver the same message twice; transports are
idempotent by the message key as well, for a crash between sending and marking sent.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db import Database
from core.models import OutboxKind, OutboxMessage, OutboxStatus
from core.secretbox import SecretBox
from core.security import mask_email, mask_phone

log = logging.getLogger(__name__)

CLAIM_SECONDS = 120
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/zip"


@dataclass(frozen=True)
class Message:
    """A message as a transport sees it, decrypted."""

    kind: OutboxKind
    key: str
    to: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)


class Transport(Protocol):
    async def send(self, message: Message) -> None:
        """Deliver or raise; must be idempotent by ``message.key``."""
        ...


def build_email(message: Message, sender: str) -> EmailMessage:
    """The RFC 5322 form of an outbox e-mail (Maildir and SMTP deliver the same bytes)."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=message.key[:16], domain=sender.split("@")[-1])
    mail["X-Linedesk-Key"] = message.key
    mail.set_content(message.body)
    for att in message.attachments:
        maintype, _, subtype = att.mime_type.partition("/")
        mail.add_attachment(att.content, maintype=maintype, subtype=subtype, filename=att.filename)
    return mail


def _hint(kind: OutboxKind, to: str) -> str:
    if kind is OutboxKind.EMAIL:
        return mask_email(to)
    if kind is OutboxKind.SMS:
        return mask_phone(to)
    return to.splitlines()[0][:60] if to else "–"


def _seal(box: SecretBox, key: str, message: Message) -> bytes:
    doc = {
        "to": message.to,
        "subject": message.subject,
        "body": message.body,
        "meta": message.meta,
        "attachments": [
            {"filename": a.filename, "mime": a.mime_type, "b64": base64.b64encode(a.content).decode()}
            for a in message.attachments
        ],
    }
    return box.seal(json.dumps(doc).encode(), aad=key.encode())


def _unseal(box: SecretBox, row: OutboxMessage) -> Message:
    assert row.payload is not None
    doc = json.loads(box.open(row.payload, aad=row.idempotency_key.encode()))
    return Message(
        kind=row.kind,
        key=row.idempotency_key,
        to=doc["to"],
        subject=doc["subject"],
        body=doc["body"],
        meta=doc.get("meta", {}),
        attachments=tuple(
            Attachment(a["filename"], base64.b64decode(a["b64"]), a["mime"])
            for a in doc["attachments"]
        ),
    )


def enqueue(
    session: AsyncSession,
    box: SecretBox,
    clock: Clock,
    *,
    kind: OutboxKind,
    to: str,
    subject: str,
    body: str,
    attachments: tuple[Attachment, ...] = (),
    customer_id: int | None = None,
    key: str | None = None,
    meta: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Add a message to the caller's transaction; it is sent only if that transaction commits."""
    key = key or uuid.uuid4().hex
    message = Message(kind, key, to, subject, body, attachments, meta or {})
    row = OutboxMessage(
        kind=kind,
        idempotency_key=key,
        recipient_hint=_hint(kind, to),
        subject_hint=subject[:200] if kind is not OutboxKind.SMS else "",
        payload=_seal(box, key, message),
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=clock.now(),
        customer_id=customer_id,
        created_at=clock.now(),
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class OutboxView:
    id: int
    kind: str
    recipient: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime


async def list_messages(
    db: Database, *, status: OutboxStatus | None = None, limit: int = 100
) -> list[OutboxView]:
    async with db.session(readonly=True) as session:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
        if status is not None:
            stmt = stmt.where(OutboxMessage.status == status)
        rows = (await session.scalars(stmt)).all()
    return [
        OutboxView(
            r.id, r.kind.value, r.recipient_hint, r.subject_hint, r.status.value, r.attempts,
            r.last_error, r.created_at, r.sent_at, r.next_attempt_at,
        )
        for r in rows
    ]


async def retry_dead(db: Database, clock: Clock, message_id: int | None = None) -> int:
    """Put dead-lettered messages back in the queue (operator action after fixing a transport)."""
    async with db.session() as session, session.begin():
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.DEAD)
            .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=clock.now())
        )
        if message_id is not None:
            stmt = stmt.where(OutboxMessage.id == message_id)
        result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


class Dispatcher:
    """Delivers due outbox rows; safe to run on every node at once."""

    def __init__(
        self,
        db: Database,
        box: SecretBox,
        clock: Clock,
        transports: dict[OutboxKind, Transport],
        *,
        node_id: str | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        backoff_base: float = 5.0,
        backoff_max: float = 3600.0,
    ) -> None:
        self.db = db
        self.box = box
        self.clock = clock
        self.transports = transports
        self.node_id = node_id or f"node-{secrets.token_hex(4)}"
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.backoff_max, self.backoff_base * 2 ** (attempts - 1)))

    async def _claim(self, limit: int) -> list[int]:
        now = self.clock.now()
        async with self.db.session(readonly=True) as session:
            candidates = (
                await session.scalars(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.status == OutboxStatus.PENDING,
                        OutboxMessage.next_attempt_at <= now,
                        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
                    )
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                )
            ).all()
        claimed: list[int] = []
        for message_id in candidates:
            async with self.db.session() as session, session.begin():
                result = await session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id == message_id,
                        OutboxMessage.status == OutboxStatus.PENDING,
                        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
                    )
                    .values(
                        claimed_by=self.node_id,
                        claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
                    )
                )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(message_id)
        return claimed

    async def _deliver(self, message_id: int) -> bool:
        async with self.db.session(readonly=True) as session:
            row = await session.get(OutboxMessage, message_id)
        if row is None or row.payload is None:
            return False
        transport = self.transports.get(row.kind)
        error: str | None = None
        try:
            if transport is None:
                raise RuntimeError(f"no transport for {row.kind.value}")
            await transport.send(_unseal(self.box, row))
        except Exception as exc:  # any transport failure is retried, never dropped
            # Only the exception type and a short text: transports must not put payloads there.
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
            log.warning("outbox %s delivery failed (attempt %s): %s", message_id, row.attempts + 1, error)
        now = self.clock.now()
        async with self.db.session() as session, session.begin():
            if error is None:
                values: dict[str, Any] = {
                    "status": OutboxStatus.SENT, "sent_at": now, "payload": None,
                    "attempts": row.attempts + 1, "claimed_until": None, "last_error": None,
                }
            else:
                attempts = row.attempts + 1
                values = {
                    "attempts": attempts,
                    "last_error": error,
                    "claimed_until": None,
                    "next_attempt_at": now + self.backoff(attempts),
                    "status": OutboxStatus.DEAD if attempts >= self.max_attempts else OutboxStatus.PENDING,
                }
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == self.node_id)
                .values(**values)
            )
        return error is None

    async def dispatch_once(self, limit: int = 50) -> int:
        """Deliver what is due now; returns how many were delivered."""
        delivered = 0
        for message_id in await self._claim(limit):
            if await self._deliver(message_id):
                delivered += 1
        return delivered

    async def run(self, interval: float = 1.0) -> None:
        while True:
            try:
                await self.dispatch_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox dispatcher round failed")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=interval)
            except TimeoutError:
                pass
