"""Network delivery of the outbox: SMTP (aiosmtplib) and an HTTP SMS gateway (httpx).

Both are chosen by :func:`core.transports.build_transports` when ``LINEDESK_SMTP_URL`` /
``LINEDESK_SMS_URL`` are set. A failure raises; the dispatcher retries with backoff and
dead-letters after its attempts, so nothing is dropped silently. Error texts never carry
message contents or URL credentials (they end up in the outbox row and the log).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import httpx

from core.outbox import Message, build_email

log = logging.getLogger(__name__)

_RECENT_KEYS = 4096


class DeliveryError(RuntimeError):
    """A transport could not deliver; the text is safe to store and log."""


class _RecentKeys:
    """Keys delivered by this transport instance, so a re-delivery after a crash between
    sending and marking sent (same process) is skipped. Bounded: oldest keys drop out."""

    def __init__(self, size: int = _RECENT_KEYS) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def add(self, key: str) -> None:
        self._keys[key] = None
        self._keys.move_to_end(key)
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)


def _flag(values: dict[str, list[str]], name: str) -> bool:
    return values.get(name, ["0"])[-1].strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpTarget:
    """Parsed ``smtp://[user:pass@]host:port[?starttls=1]`` or ``smtps://...``; with TLS the
    server's certificate is always verified, against ``?cafile=PATH`` (an internal CA) or the
    system's trust store."""

    host: str
    port: int
    use_tls: bool
    start_tls: bool
    username: str | None
    password: str | None
    timeout: float
    cafile: str | None = None

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("LINEDESK_SMTP_URL must look like smtp://host:port or smtps://host:port")
        query = parse_qs(parts.query)
        use_tls = parts.scheme == "smtps"
        start_tls = not use_tls and _flag(query, "starttls")
        default_port = 465 if use_tls else (587 if start_tls else 25)
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            use_tls=use_tls,
            start_tls=start_tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=float(query.get("timeout", ["30"])[-1]),
            cafile=query.get("cafile", [None])[-1] or None,
        )


class SmtpTransport:
    """Sends e-mails through an SMTP server (STARTTLS / implicit TLS and login optional).

    Idempotency: the Message-ID is derived from the outbox key, so a repeated delivery is
    recognisable by every mail system, and keys already delivered by this instance are skipped.
    """

    def __init__(self, url: str, sender: str) -> None:
        self.target = SmtpTarget.parse(url)
        self.sender = sender
        self._sent = _RecentKeys()

    async def send(self, message: Message) -> None:
        if message.key in self._sent:
            return
        mail = build_email(message, self.sender)
        del mail["Message-ID"]
        mail["Message-ID"] = f"<{message.key}@{self.sender.rsplit('@', 1)[-1]}>"
        target = self.target
        try:
            await aiosmtplib.send(
                mail,
                sender=self.sender,
                recipients=[message.to],
                hostname=target.host,
                port=target.port,
                use_tls=target.use_tls,
                start_tls=target.start_tls,
                username=target.username,
                password=target.password,
                timeout=target.timeout,
                cert_bundle=target.cafile,
            )
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP server refused: {exc.code}") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP delivery failed: {type(exc).__name__}") from None
        self._sent.add(message.key)


class HttpSmsTransport:
    """Posts each SMS as JSON ``{"id", "to", "text"}`` to an HTTP gateway.

    The outbox key travels as ``Idempotency-Key`` header (and ``id``), so the gateway sends
    one SMS however often we post. Transient failures (connection errors, 5xx, 429) are
    retried a few times with exponential backoff before the dispatcher's own backoff
    takes over; other 4xx answers fail at once.
    """

    def __init__(
        self,
        url: str,
        *,
        attempts: int = 3,
        backoff: float = 0.5,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("LINEDESK_SMS_URL must be an http:// or https:// URL")
        self.url = url
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout
        self._transport = transport
        self._sent = _RecentKeys()
        # Built once: a client of its own (per message) loaded the CA bundle each time,
        # ~30 ms of CPU on the event loop per SMS (every session of the worker waited).
        self._tls = httpx.create_ssl_context()

    async def _post(self, client: httpx.AsyncClient, message: Message) -> int:
        response = await client.post(
            self.url,
            json={"id": message.key, "to": message.to, "text": message.body},
            headers={"Idempotency-Key": message.key},
        )
        return response.status_code

    async def send(self, message: Message) -> None:
        if message.key in self._sent:
            return
        last = "no attempt"
        async with httpx.AsyncClient(timeout=self.timeout, transport=self._transport,
                                     verify=self._tls) as client:
            for attempt in range(1, self.attempts + 1):
                try:
                    status = await self._post(client, message)
                except httpx.HTTPError as exc:
                    last = f"SMS gateway unreachable: {type(exc).__name__}"
                else:
                    if 200 <= status < 300:
                        self._sent.add(message.key)
                        return
                    last = f"SMS gateway answered HTTP {status}"
                    if 400 <= status < 500 and status not in (408, 429):
                        break
                if attempt < self.attempts:
                    log.info("sms delivery attempt %s failed (%s), retrying", attempt, last)
                    await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise DeliveryError(last)
