"""End to end over real SSH: an admin completes the credential wizard by keys; the e-mail
arrives at a real SMTP server (aiosmtpd), the code at a local HTTP SMS gateway; the ZIP opens
with the code and its credentials bring the line online (R2–R5, R7)."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import pytest
import pyzipper
from sqlalchemy import select

from core.models import AuditEvent, Contract
from core.services import credentials
from tests.e2e.harness import interactive_session, running_server
from tests.unit.test_net_transports import SmsGateway, SmtpSink, sms_gateway, smtp_sink

pytestmark = pytest.mark.e2e


async def wait_delivered(
    sink: SmtpSink, gateway: SmsGateway, timeout: float = 30, *, sms: int = 1
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (sink.mails and len(gateway.delivered) >= sms):
        if loop.time() > deadline:
            raise AssertionError(f"not delivered: {len(sink.mails)} mails, "
                                 f"{len(gateway.delivered)} SMS")
        await asyncio.sleep(0.05)


async def wait_step_up_code(gateway: SmsGateway, timeout: float = 30) -> str:
    """The six digits of the step-up SMS (R20) once the gateway has it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for message in gateway.delivered.values():
            found = re.search(r"\b(\d{6})\b", message["text"])
            if found and "Bestätigungscode" in message["text"]:
                return found.group(1)
        if loop.time() > deadline:
            raise AssertionError("no step-up SMS")
        await asyncio.sleep(0.05)


async def test_wizard_over_ssh_delivers_working_credentials(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with smtp_sink() as sink, sms_gateway() as gateway, running_server(
        tmp_path, templates=db_templates, background=True, smtp_url=sink.url,
        sms_url=gateway.url, outbox_interval=0.2,
    ) as srv:
        async with interactive_session(srv.port, "admin", "admin-demo", cols=140, rows=45) as term:
            await term.wait_for("Muster GmbH", timeout=30)
            await term.press("1")
            await term.wait_for("Vertragsübersicht", timeout=30)
            await term.wait_for("V-1000001-0001", timeout=30)
            await term.press("slash")
            await term.type("leipzig")
            await term.key("enter")
            await term.wait_gone("V-1000001-0001", timeout=30)
            await term.wait_for("Filiale Leipzig", timeout=30)
            await term.press("n")
            await term.wait_for("Schritt 1 von 5", timeout=30)
            await term.wait_for("neue Zugangsdaten sind möglich", timeout=30)
            await term.press("w")
            await term.wait_for("Schritt 2 von 5", timeout=30)
            assert "Easy Login ist aktiviert" in term.text()
            await term.press("w")
            await term.wait_for("Schritt 3 von 5", timeout=30)
            assert "sa***@muster-gmbh.de" in term.text()
            await term.press("c")
            await term.press("w")
            await term.wait_for("Schritt 4 von 5", timeout=30)
            await term.press("g")
            # R20: the step-up code dialog; the code comes by SMS through the gateway
            await term.wait_for("Bestätigungscode eingeben", timeout=30)
            step_up = await wait_step_up_code(gateway)
            await term.type(step_up)
            await term.key("enter")
            await term.wait_for("Schritt 5 von 5", timeout=30)
            screen = term.text()
            assert "Es wurden neue Internet-Zugangsdaten generiert" in screen
            await term.press("w")
            await term.wait_for("Vertragsübersicht", timeout=30)

            await wait_delivered(sink, gateway, sms=2)
            [mail] = sink.mails
            [sms] = [m for m in gateway.delivered.values() if step_up not in m["text"]]
            assert mail["To"] == "sabine.muster@muster-gmbh.de" and sms["to"] == "+491701234567"
            code = sms["text"].rsplit(" ", 1)[-1]
            attachment = next(mail.iter_attachments())
            with pyzipper.AESZipFile(io.BytesIO(attachment.get_content())) as archive:
                archive.setpassword(code.encode())
                content = archive.read("zugangsdaten.txt").decode()
            username = re.search(r"Benutzername: (\S+)", content)
            password = re.search(r"Passwort: (\S+)", content)
            assert username and password
            assert password.group(1) not in screen and code not in screen

            async with srv.core.uow() as uow:
                assert await credentials.authenticate_line(
                    uow, username=username.group(1), password=password.group(1))
            async with srv.core.uow(readonly=True) as uow:
                contract = await uow.session.scalar(
                    select(Contract).where(Contract.site_name == "Filiale Leipzig"))
                audit = (await uow.session.scalars(select(AuditEvent))).all()
            assert contract is not None and contract.line_online
            assert {"credentials.generated", "line.online"} <= {a.action for a in audit}
            assert all(password.group(1) not in str(a.details) for a in audit)
