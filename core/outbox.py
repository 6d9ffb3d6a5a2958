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
import os
import secrets
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db import Database, is_connection_lost
from core.models import OutboxKind, OutboxMessage, OutboxStatus
from core.secretbox import SecretBox
from core.security import mask_email, mask_phone

log = logging.getLogger(__name__)

LEASE_SECONDS = 10.0
"""A claimed row is this dispatcher's for this long, renewed while it works on it: a row
that a dead process held is free again within this time."""
RENEW_SECONDS = 3.0
CLAIM_BATCH = 200
"""Rows a dispatcher claims per round (one transaction)."""
RESULT_BATCH = 50
"""Deliveries recorded per transaction."""
CONCURRENCY = 8
"""Deliveries in flight at once (SMTP and the SMS gateway are network round trips)."""
MAX_ATTEMPTS = 16
"""Failed deliveries before a message is dead-lettered: with the backoff (5 s doubling, at
most an hour) that is ~6.4 h of an SMTP server or SMS gateway being down (8 was 10.6 min)."""


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
        """Deliver or raise; must be idempotent by ``message.key``. A transport may also
        have ``async def sync()``: called after a batch of sends and before the batch is
        marked sent, it makes them durable (one fsync per batch instead of per message)."""
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
            {
                "filename": a.filename,
                "mime": a.mime_type,
                "b64": base64.b64encode(a.content).decode(),
            }
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
    """Delivers due outbox rows; safe to run on every node at once.

    A round claims up to ``limit`` due rows in one transaction (a lease of
    :data:`LEASE_SECONDS`, renewed every :data:`RENEW_SECONDS` while the round works, so
    rows held by a process that died are free again within seconds), reads them in one
    query, delivers them (:data:`CONCURRENCY` at a time) and records the results in one
    transaction per :data:`RESULT_BATCH` deliveries; after each of those it adopts rows
    whose lease ran out (a dead dispatcher's), so they wait for one lease, not for this
    round's own deliveries as well. A crash between delivering and
    recording means the message is delivered again by whoever takes it over; transports
    are idempotent by the message key, so the recipient still gets it once.
    """

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
        lease_seconds: float = LEASE_SECONDS,
        renew_seconds: float = RENEW_SECONDS,
    ) -> None:
        self.db = db
        self.box = box
        self.clock = clock
        self.transports = transports
        self.node_id = node_id or (
            f"outbox:{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(3)}")
        """``claimed_by`` of the rows this dispatcher holds: host and process id say who."""
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.lease = timedelta(seconds=lease_seconds)
        self.renew_seconds = renew_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.backoff_max, self.backoff_base * 2 ** (attempts - 1)))

    @staticmethod
    def _free(now: datetime) -> Any:
        return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)

    @staticmethod
    def _orphaned(now: datetime) -> Any:
        """Claimed, but the lease ran out: its holder died (or stalled) with the row."""
        return and_(OutboxMessage.claimed_until.is_not(None), OutboxMessage.claimed_until < now)

    async def _claim(self, limit: int, *, orphans: bool = False) -> list[int]:
        """Lease up to ``limit`` due rows to this dispatcher, in one transaction (with
        ``orphans``: only rows whose lease ran out). The conditional UPDATE decides: of two
        dispatchers that picked the same candidates, each row goes to one (PostgreSQL
        re-checks the condition after the row lock; SQLite has one writer)."""
        now = self.clock.now()
        free = self._orphaned(now) if orphans else self._free(now)
        async with self.db.session() as session, session.begin():
            candidates = (
                await session.scalars(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.status == OutboxStatus.PENDING,
                        OutboxMessage.next_attempt_at <= now,
                        free,
                    )
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                )
            ).all()
            if not candidates:
                return []
            result = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(candidates),
                    OutboxMessage.status == OutboxStatus.PENDING,
                    free,
                )
                .values(claimed_by=self.node_id, claimed_until=now + self.lease)
                .returning(OutboxMessage.id)
                .execution_options(synchronize_session=False)
            )
            return sorted(result.scalars().all())

    async def _renew(self, held: set[int]) -> None:
        """Keep the lease of the rows this round still holds (until cancelled)."""
        while True:
            await asyncio.sleep(self.renew_seconds)
            if not held:
                continue
            try:
                async with self.db.session() as session, session.begin():
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id.in_(sorted(held)),
                               OutboxMessage.claimed_by == self.node_id,
                               # not a row whose result was recorded meanwhile (the record
                               # ends the claim: a renewal racing it set a lease on a sent
                               # row, or kept a failed one from its retry)
                               OutboxMessage.status == OutboxStatus.PENDING,
                               OutboxMessage.claimed_until.is_not(None))
                        .values(claimed_until=self.clock.now() + self.lease)
                        .execution_options(synchronize_session=False)
                    )
            except Exception as exc:  # the next renewal tries again; the lease is several
                log.warning("outbox lease renewal failed", exc_info=not is_connection_lost(exc))

    async def _send(self, row: OutboxMessage) -> str | None:
        """Deliver one row; the error text or None."""
        transport = self.transports.get(row.kind)
        try:
            if transport is None:
                raise RuntimeError(f"no transport for {row.kind.value}")
            await transport.send(_unseal(self.box, row))
        except Exception as exc:  # any transport failure is retried, never dropped
            # Only the exception type and a short text: transports must not put payloads there.
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
            log.warning("outbox %s delivery failed (attempt %s): %s", row.id, row.attempts + 1,
                        error)
            return error
        return None

    async def _record(self, results: list[tuple[OutboxMessage, str | None]]) -> None:
        """One transaction for a batch of outcomes: all sent rows in one UPDATE."""
        if not results:
            return
        now = self.clock.now()
        sent = [row.id for row, error in results if error is None]
        async with self.db.session() as session, session.begin():
            if sent:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(sent), OutboxMessage.claimed_by == self.node_id)
                    .values(status=OutboxStatus.SENT, sent_at=now, payload=None,
                            attempts=OutboxMessage.attempts + 1, claimed_until=None,
                            last_error=None)
                    .execution_options(synchronize_session=False)
                )
            for row, error in results:
                if error is None:
                    continue
                attempts = row.attempts + 1
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.claimed_by == self.node_id)
                    .values(
                        attempts=attempts, last_error=error, claimed_until=None,
                        next_attempt_at=now + self.backoff(attempts),
                        status=OutboxStatus.DEAD if attempts >= self.max_attempts
                        else OutboxStatus.PENDING,
                    )
                    .execution_options(synchronize_session=False)
                )

    async def _sync(self, kinds: Iterable[OutboxKind]) -> None:
        """Let the transports of this batch make its deliveries durable before they count as
        sent; a failing sync leaves them claimed (the lease runs out, they are retried and
        the transports' idempotency keeps them single)."""
        for kind in set(kinds):
            sync = getattr(self.transports.get(kind), "sync", None)
            if sync is not None:
                await sync()

    async def _any_orphan(self) -> bool:
        """A due row whose lease ran out exists (a read: no write lock on SQLite)."""
        now = self.clock.now()
        async with self.db.session(readonly=True) as session:
            found = await session.scalar(
                select(OutboxMessage.id)
                .where(OutboxMessage.status == OutboxStatus.PENDING,
                       OutboxMessage.next_attempt_at <= now, self._orphaned(now))
                .limit(1))
        return found is not None

    async def _load(self, ids: list[int]) -> list[OutboxMessage]:
        """The claimed rows still this dispatcher's, with their payload, in id order."""
        async with self.db.session(readonly=True) as session:
            rows = list(await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == self.node_id)
                .order_by(OutboxMessage.id)
            ))
        return [row for row in rows if row.payload is not None]

    async def dispatch_once(self, limit: int = CLAIM_BATCH) -> int:
        """Deliver what is due now (up to ``limit`` rows); returns how many were delivered."""
        ids = await self._claim(limit)
        if not ids:
            return 0
        held = set(ids)
        renewal = asyncio.create_task(self._renew(held), name="outbox-lease")
        delivered = 0
        try:
            rows = await self._load(ids)
            held.intersection_update(row.id for row in rows)
            start = 0
            while start < len(rows):
                batch = rows[start:start + RESULT_BATCH]
                start += len(batch)
                errors: list[str | None] = []
                for first in range(0, len(batch), CONCURRENCY):
                    errors += await asyncio.gather(
                        *(self._send(row) for row in batch[first:first + CONCURRENCY]))
                results = list(zip(batch, errors, strict=True))
                await self._sync(row.kind for row, error in results if error is None)
                await self._record(results)
                held.difference_update(row.id for row in batch)
                delivered += sum(1 for error in errors if error is None)
                # rows a dead dispatcher held are taken over as soon as their lease ran
                # out, not only after this round's own rows (a round of slow deliveries
                # takes longer than a lease)
                adopted = await self._claim(RESULT_BATCH, orphans=True) if (
                    await self._any_orphan()) else []
                if adopted:
                    more = await self._load(adopted)
                    held.update(row.id for row in more)
                    rows += more
        finally:
            renewal.cancel()
        return delivered

    async def run(self, interval: float = 1.0) -> None:
        while True:
            delivered = 0
            try:
                delivered = await self.dispatch_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_connection_lost(exc):  # PostgreSQL restarting: the next round retries
                    log.warning("outbox: database unreachable (%s)", type(exc).__name__)
                else:
                    log.exception("outbox dispatcher round failed")
            if delivered:
                continue  # a full round: there may be more due at once
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=interval)
            except TimeoutError:
                pass
