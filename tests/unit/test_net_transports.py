"""SMTP and HTTP SMS delivery against a real aiosmtpd server and a local HTTP gateway,
including retries, idempotency keys and the visible dead-letter state."""

from __future__ import annotations

import asyncio
import email
import json
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from core.clock import FixedClock
from core.models import OutboxKind, OutboxStatus
from core.net_transports import DeliveryError, HttpSmsTransport, SmtpTarget, SmtpTransport
from core.outbox import Attachment, Message, list_messages
from core.runtime import Core
from tests.conftest import copy_template, make_settings


@dataclass
class SmtpSink:
    """A real SMTP server (aiosmtpd) on a free 127.0.0.1 port of the running loop."""

    port: int = 0
    mails: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    encrypted: list[bool] = field(default_factory=list)
    """Per mail: whether it came over TLS (implicit or after STARTTLS)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(mail, EmailMessage)
        self.mails.append(mail)
        implicit = server.transport.get_extra_info("ssl_object") is not None
        self.encrypted.append(session.ssl is not None or implicit)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@asynccontextmanager
async def smtp_sink(
    *, credentials: tuple[str, str] | None = None, tls: ssl.SSLContext | None = None,
    implicit_tls: bool = False,
) -> AsyncIterator[SmtpSink]:
    """``tls``: offer STARTTLS and require it before AUTH and MAIL; with ``implicit_tls`` the
    whole connection is TLS from the start (smtps)."""
    sink = SmtpSink()
    loop = asyncio.get_running_loop()

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and credentials is not None and (
            data.login.decode(), data.password.decode()) == credentials
        if ok:
            sink.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    starttls = tls if tls is not None and not implicit_tls else None

    def factory() -> SMTP:
        if credentials:
            return SMTP(sink, hostname="localhost", loop=loop, authenticator=authenticator,
                        auth_require_tls=starttls is not None, tls_context=starttls,
                        require_starttls=starttls is not None, auth_exclude_mechanism=["LOGIN"])
        return SMTP(sink, hostname="localhost", loop=loop, tls_context=starttls,
                    require_starttls=starttls is not None)

    server = await loop.create_server(factory, "127.0.0.1", 0, ssl=tls if implicit_tls else None)
    sink.port = server.sockets[0].getsockname()[1]
    try:
        yield sink
    finally:
        server.close()
        await server.wait_closed()


@dataclass
class SmsGateway:
    """A minimal HTTP SMS gateway: answers the queued status codes, then 200; dedupes by key."""

    port: int = 0
    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    delivered: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            doc = json.loads(body or b"{}")
            self.requests.append((headers, doc))
            status = self.statuses.pop(0) if self.statuses else 200
            if status == 200:
                self.delivered.setdefault(headers.get("idempotency-key", ""), doc)
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\nContent-Type: application/json\r\n"
                "Connection: close\r\n\r\n{}".encode()
            )
            await writer.drain()
        finally:
            writer.close()


@asynccontextmanager
async def sms_gateway() -> AsyncIterator[SmsGateway]:
    gateway = SmsGateway()
    server = await asyncio.start_server(gateway.handle, "127.0.0.1", 0)
    gateway.port = server.sockets[0].getsockname()[1]
    try:
        yield gateway
    finally:
        server.close()
        await server.wait_closed()


def message(kind: OutboxKind, key: str = "k-1", **kw: Any) -> Message:
    defaults: dict[str, Any] = {
        "to": "anna@example.org" if kind is OutboxKind.EMAIL else "+491701234567",
        "subject": "Betreff", "body": "Hallo Anna",
    }
    defaults.update(kw)
    return Message(kind=kind, key=key, **defaults)


def test_smtp_url_parsing() -> None:
    plain = SmtpTarget.parse("smtp://mail.example:2525")
    assert (plain.host, plain.port, plain.use_tls, plain.start_tls) == (
        "mail.example",
        2525,
        False,
        False,
    )
    tls = SmtpTarget.parse("smtps://u%40x:p%3Aw@mail.example")
    assert (tls.port, tls.use_tls, tls.username, tls.password) == (465, True, "u@x", "p:w")
    starttls = SmtpTarget.parse("smtp://mail.example?starttls=1")
    assert (starttls.port, starttls.start_tls) == (587, True)
    with pytest.raises(ValueError):
        SmtpTarget.parse("http://mail.example")


async def test_smtp_delivers_mail_with_attachment_once() -> None:
    async with smtp_sink() as sink:
        transport = SmtpTransport(sink.url, "portal@linedesk.example")
        msg = message(OutboxKind.EMAIL, key="abc123",
                      attachments=(Attachment("x.zip", b"PK\x03\x04data"),))
        await transport.send(msg)
        await transport.send(msg)
    assert len(sink.mails) == 1
    mail = sink.mails[0]
    assert sink.envelopes == [("portal@linedesk.example", ["anna@example.org"])]
    assert mail["Message-ID"] == "<abc123@linedesk.example>"
    assert mail["Subject"] == "Betreff"
    assert next(mail.iter_attachments()).get_content() == b"PK\x03\x04data"


async def test_smtp_login() -> None:
    async with smtp_sink(credentials=("relay", "s3cret")) as sink:
        transport = SmtpTransport(
            f"smtp://relay:s3cret@127.0.0.1:{sink.port}", "portal@linedesk.example"
        )
        await transport.send(message(OutboxKind.EMAIL))
        bad = SmtpTransport(
            f"smtp://relay:wrong@127.0.0.1:{sink.port}?timeout=10", "portal@linedesk.example"
        )
        with pytest.raises(DeliveryError) as err:
            await bad.send(message(OutboxKind.EMAIL, key="k-2"))
    assert sink.logins == ["relay"] and len(sink.mails) == 1
    assert "wrong" not in str(err.value)


@pytest.fixture(scope="module")
def smtp_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[trustme.CA, ssl.SSLContext, Path]:
    """A private CA, a server certificate for 127.0.0.1 and the CA file a client trusts."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    cafile = tmp_path_factory.mktemp("smtp-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return ca, server_context, cafile


async def test_smtp_starttls_with_login(smtp_ca: tuple[trustme.CA, ssl.SSLContext, Path]) -> None:
    _, server_context, cafile = smtp_ca
    async with smtp_sink(credentials=("relay", "s3cret"), tls=server_context) as sink:
        transport = SmtpTransport(
            f"smtp://relay:s3cret@127.0.0.1:{sink.port}?starttls=1&cafile={cafile}",
            "portal@linedesk.example",
        )
        await transport.send(message(OutboxKind.EMAIL))
        plain = SmtpTransport(
            f"smtp://relay:s3cret@127.0.0.1:{sink.port}?timeout=10", "p@linedesk.example"
        )
        with pytest.raises(DeliveryError):  # the server insists on STARTTLS first
            await plain.send(message(OutboxKind.EMAIL, key="k-plain"))
    assert sink.logins == ["relay"] and sink.encrypted == [True]


async def test_smtps_implicit_tls(smtp_ca: tuple[trustme.CA, ssl.SSLContext, Path]) -> None:
    _, server_context, cafile = smtp_ca
    async with smtp_sink(tls=server_context, implicit_tls=True) as sink:
        transport = SmtpTransport(
            f"smtps://127.0.0.1:{sink.port}?cafile={cafile}", "portal@linedesk.example"
        )
        await transport.send(message(OutboxKind.EMAIL))
    assert sink.encrypted == [True] and len(sink.mails) == 1


async def test_smtp_tls_refuses_an_untrusted_certificate(
    smtp_ca: tuple[trustme.CA, ssl.SSLContext, Path], tmp_path: Path
) -> None:
    """Without the CA (the system store does not know it) the certificate is not accepted:
    the credentials and the mail never go to a server that could be anybody."""
    _, server_context, _ = smtp_ca
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    async with smtp_sink(credentials=("relay", "s3cret"), tls=server_context) as sink:
        for query in ("starttls=1&timeout=10", f"starttls=1&timeout=10&cafile={other}"):
            transport = SmtpTransport(
                f"smtp://relay:s3cret@127.0.0.1:{sink.port}?{query}", "p@linedesk.example"
            )
            with pytest.raises(DeliveryError):
                await transport.send(message(OutboxKind.EMAIL, key=query))
    assert sink.logins == [] and sink.mails == []


async def test_smtp_unreachable_raises_delivery_error() -> None:
    async with smtp_sink() as sink:
        port = sink.port
    with pytest.raises(DeliveryError):
        await SmtpTransport(f"smtp://127.0.0.1:{port}?timeout=5", "p@x.example").send(
            message(OutboxKind.EMAIL)
        )


async def test_sms_gateway_gets_json_and_idempotency_key() -> None:
    async with sms_gateway() as gateway:
        transport = HttpSmsTransport(gateway.url, backoff=0.01)
        await transport.send(message(OutboxKind.SMS, key="sms-1", body="Code: 1234"))
    headers, doc = gateway.requests[0]
    assert headers["idempotency-key"] == "sms-1"
    assert headers["content-type"] == "application/json"
    assert doc == {"id": "sms-1", "to": "+491701234567", "text": "Code: 1234"}


async def test_sms_retries_transient_errors_with_backoff() -> None:
    async with sms_gateway() as gateway:
        gateway.statuses = [503, 429]
        await HttpSmsTransport(gateway.url, backoff=0.01).send(message(OutboxKind.SMS, key="r"))
    assert len(gateway.requests) == 3
    assert {h["idempotency-key"] for h, _ in gateway.requests} == {"r"}
    assert list(gateway.delivered) == ["r"]


async def test_sms_client_error_is_not_retried() -> None:
    async with sms_gateway() as gateway:
        gateway.statuses = [400]
        with pytest.raises(DeliveryError) as err:
            await HttpSmsTransport(gateway.url, backoff=0.01).send(message(OutboxKind.SMS))
    assert len(gateway.requests) == 1 and "HTTP 400" in str(err.value)


@pytest.fixture
async def net_core(
    db_templates: dict[str, Path], tmp_path: Path, clock: FixedClock
) -> AsyncIterator[tuple[Core, SmtpSink, SmsGateway]]:
    """A demo core whose outbox delivers through SMTP and the HTTP gateway (settings URLs)."""
    data_dir = copy_template(db_templates["demo"], tmp_path / "data")
    async with smtp_sink() as sink, sms_gateway() as gateway:
        core = Core(make_settings(data_dir, smtp_url=sink.url, sms_url=gateway.url), clock=clock)
        try:
            yield core, sink, gateway
        finally:
            await core.close()


async def test_settings_select_network_transports(
    net_core: tuple[Core, SmtpSink, SmsGateway],
) -> None:
    core, sink, gateway = net_core
    assert isinstance(core.dispatcher.transports[OutboxKind.EMAIL], SmtpTransport)
    assert isinstance(core.dispatcher.transports[OutboxKind.SMS], HttpSmsTransport)
    async with core.uow() as uow:
        uow.send(OutboxKind.EMAIL, to="anna@example.org", subject="Hallo", body="Text")
        uow.send(OutboxKind.SMS, to="+491701234567", subject="", body="SMS-Text")
    assert await core.dispatcher.dispatch_once() == 2
    assert [m["Subject"] for m in sink.mails] == ["Hallo"]
    assert [d["text"] for d in gateway.delivered.values()] == ["SMS-Text"]
    assert not (core.settings.data_dir / "sms.jsonl").exists()


async def test_failing_gateway_ends_dead_lettered_and_visible(
    net_core: tuple[Core, SmtpSink, SmsGateway], clock: FixedClock
) -> None:
    from datetime import timedelta

    core, _, gateway = net_core
    sms = core.dispatcher.transports[OutboxKind.SMS]
    assert isinstance(sms, HttpSmsTransport)
    sms.backoff = 0.0
    core.dispatcher.max_attempts = 3
    gateway.statuses = [500] * 9
    async with core.uow() as uow:
        uow.send(OutboxKind.SMS, to="+491701234567", subject="", body="geheimer Code 987654")
    for _ in range(3):
        assert await core.dispatcher.dispatch_once() == 0
        clock.advance(timedelta(hours=2))
    dead = await list_messages(core.db, status=OutboxStatus.DEAD)
    assert len(dead) == 1 and dead[0].attempts == 3
    assert dead[0].last_error is not None and "HTTP 500" in dead[0].last_error
    assert "987654" not in dead[0].last_error and dead[0].recipient == "+49170*****67"
    assert len(gateway.requests) == 9  # three dispatcher attempts, three gateway tries each
    assert await core.dispatcher.dispatch_once() == 0  # dead stays dead until an operator retries
