"""New internet access credentials (R2–R5) and line authentication (R7)."""

from __future__ import annotations

import asyncio
import email
import io
import json
import logging
import re
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
import pyzipper
from sqlalchemy import select

from core.authz import Actor
from core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from core.models import (
    CREDENTIAL_ELIGIBLE_TYPES,
    Account,
    AuditEvent,
    Contract,
    ContractType,
    CredentialStatus,
    LineCredential,
    OutboxMessage,
)
from core.runtime import Core
from core.services import credentials, stepup
from tests.conftest import stored_bytes
from tests.stepup_helpers import request_code, run_with_code, set_policy

ELIGIBLE = sorted(t.value for t in CREDENTIAL_ELIGIBLE_TYPES)
INELIGIBLE = sorted(t.value for t in ContractType if t not in CREDENTIAL_ELIGIBLE_TYPES)


async def contract_id(core: Core, ctype: str, customer: str = "1000") -> int:
    async with core.uow(readonly=True) as uow:
        rows = await uow.session.scalars(
            select(Contract).where(Contract.type == ContractType(ctype)).order_by(Contract.id)
        )
        return next(c.id for c in rows if c.contract_ref.startswith(f"V-{customer}"))


def read_delivery(data_dir: Path) -> tuple[EmailMessage, dict[str, str]]:
    """The newest e-mail in the Maildir and the newest SMS."""
    mails = sorted((data_dir / "mail" / "new").iterdir(), key=lambda p: p.stat().st_mtime_ns)
    mail = email.message_from_bytes(mails[-1].read_bytes(), policy=default_policy)
    sms = json.loads((data_dir / "sms.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert isinstance(mail, EmailMessage)
    return mail, sms


def open_credentials(mail: EmailMessage, sms_text: str) -> tuple[str, str, str]:
    """Open the ZIP of the e-mail with the code of the SMS: (username, password, code)."""
    code = sms_text.rsplit(" ", 1)[-1]
    attachment = next(mail.iter_attachments())
    with pyzipper.AESZipFile(io.BytesIO(attachment.get_content())) as archive:
        archive.setpassword(code.encode())
        text = archive.read(archive.namelist()[0]).decode()
    username = re.search(r"(?:Benutzername|Username): (\S+)", text)
    password = re.search(r"(?:Passwort|Password): (\S+)", text)
    assert username and password
    return username.group(1), password.group(1), code


async def generate_and_open(core: Core, actor: Actor, cid: int) -> tuple[str, str, str]:
    await run_with_code(core, credentials.generate, actor, contract_id=cid, consent=True)
    assert await core.dispatcher.dispatch_once() == 2
    mail, sms = read_delivery(core.settings.data_dir)
    return open_credentials(mail, sms["text"])


async def authenticate(core: Core, username: str, password: str) -> bool:
    async with core.uow() as uow:
        return await credentials.authenticate_line(uow, username=username, password=password)


@pytest.mark.parametrize("ctype", ELIGIBLE)
async def test_eligible_types_get_credentials(
    demo_core: Core, actors: dict[str, Actor], ctype: str
) -> None:
    cid = await contract_id(demo_core, ctype)
    verdict = await demo_core.read(credentials.check_eligibility, actors["admin"], contract_id=cid)
    assert verdict.eligible
    result = await run_with_code(
        demo_core, credentials.generate, actors["admin"], contract_id=cid, consent=True
    )
    assert result.contract_id == cid and not result.line_online
    async with demo_core.uow(readonly=True) as uow:
        creds = (await uow.session.scalars(
            select(LineCredential).where(LineCredential.contract_id == cid)
        )).all()
        contract = await uow.session.get(Contract, cid)
    assert [c.username for c in creds if c.status is CredentialStatus.ACTIVE] == [
        result.line_username
    ]
    assert any(c.status is CredentialStatus.REVOKED for c in creds)
    assert contract is not None and not contract.line_online
    assert contract.credentials_generated_at == result.generated_at


@pytest.mark.parametrize("ctype", INELIGIBLE)
async def test_ineligible_types_are_refused_naming_r2(
    demo_core: Core, actors: dict[str, Actor], ctype: str
) -> None:
    cid = await contract_id(demo_core, ctype)
    verdict = await demo_core.read(credentials.check_eligibility, actors["admin"], contract_id=cid)
    assert not verdict.eligible and len(verdict.eligible_types) == 5
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(credentials.generate, actors["admin"], contract_id=cid, consent=True)
    assert err.value.rule == "R2"
    text = err.value.render("de")
    assert "[R2]" not in text and "Cloud PBX Filialvertrag" in text
    assert "CompanyFlex Access Plus" in err.value.render("en")
    async with demo_core.uow(readonly=True) as uow:
        assert not (await uow.session.scalars(select(OutboxMessage))).all()


async def test_no_consent_no_generation(demo_core: Core, actors: dict[str, Actor]) -> None:
    cid = await contract_id(demo_core, "cloud_pbx_main")
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(credentials.generate, actors["admin"], contract_id=cid, consent=False)
    assert err.value.rule == "R4"
    async with demo_core.uow(readonly=True) as uow:
        contract = await uow.session.get(Contract, cid)
        assert contract is not None and contract.line_online
        assert not (await uow.session.scalars(select(OutboxMessage))).all()


async def test_missing_mobile_is_refused_clearly(demo_core: Core, actors: dict[str, Actor]) -> None:
    async with demo_core.uow() as uow:
        admin = await uow.session.get(Account, actors["admin"].account_id)
        assert admin is not None
        admin.mobile = None
    cid = await contract_id(demo_core, "cloud_pbx_main")
    preview = await demo_core.read(credentials.prepare, actors["admin"], contract_id=cid)
    assert preview.mobile_masked is None and not preview.contact_complete
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(credentials.generate, actors["admin"], contract_id=cid, consent=True)
    assert "Mobilfunk-Rufnummer" in err.value.render("de")


async def test_preview_masks_contact_and_shows_line_state(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    cid = await contract_id(demo_core, "companyflex_msn_complete")
    preview = await demo_core.read(credentials.prepare, actors["admin"], contract_id=cid)
    assert preview.eligible and preview.contact_complete
    assert preview.email_masked == "sa***@muster-gmbh.de"
    assert preview.mobile_masked == "+49170*****67"
    assert preview.line_online and preview.easy_login
    assert preview.version == preview.contract.version


async def test_tenant_and_role_refusals(demo_core: Core, actors: dict[str, Actor]) -> None:
    cid = await contract_id(demo_core, "cloud_pbx_main")
    for name in ("beispiel", "mia", "support"):
        # another tenant's contract: "not found", as if it did not exist (no existence oracle)
        with pytest.raises(NotFound if name == "beispiel" else PermissionDenied):
            await demo_core.run(credentials.generate, actors[name], contract_id=cid, consent=True)
    from core.authz import ViewMode

    user_view = actors["admin"].with_view_mode(ViewMode.USER)
    with pytest.raises(PermissionDenied):
        await demo_core.run(credentials.generate, user_view, contract_id=cid, consent=True)
    support = actors["support"].for_customer(
        actors["admin"].customer_id, customer_name="Muster GmbH"
    )
    with pytest.raises(PermissionDenied) as err:
        await demo_core.run(credentials.generate, support, contract_id=cid, consent=True)
    assert err.value.key == "error.support_reason_required"
    async with demo_core.uow(readonly=True) as uow:
        assert not (await uow.session.scalars(select(OutboxMessage))).all()


async def test_support_with_reason_delivers_to_customer_admin(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    cid = await contract_id(demo_core, "cloud_pbx_main")
    support = actors["support"].for_customer(
        actors["admin"].customer_id, customer_name="Muster GmbH", reason="TICKET-42"
    )
    result = await run_with_code(demo_core, credentials.generate, support, contract_id=cid,
                                 consent=True)
    assert result.email_masked == "sa***@muster-gmbh.de"
    async with demo_core.uow(readonly=True) as uow:
        row = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "credentials.generated")
        )
    assert row is not None and row.via_support and row.reason == "TICKET-42"
    assert row.customer_id == actors["admin"].customer_id


async def test_new_credentials_bring_line_online_and_old_ones_fail(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    cid = await contract_id(demo_core, "cloud_pbx_branch")
    first_user, first_pw, _ = await generate_and_open(demo_core, actors["admin"], cid)
    assert len(first_pw) >= 20
    assert not await authenticate(demo_core, first_user, first_pw + "x")
    assert await authenticate(demo_core, first_user, first_pw)
    view = await demo_core.read(credentials.prepare, actors["admin"], contract_id=cid)
    assert view.line_online

    second_user, second_pw, _ = await generate_and_open(demo_core, actors["admin"], cid)
    assert (second_user, second_pw) != (first_user, first_pw)
    assert not await authenticate(demo_core, first_user, first_pw)
    view = await demo_core.read(credentials.prepare, actors["admin"], contract_id=cid)
    assert not view.line_online
    assert await authenticate(demo_core, second_user, second_pw)
    assert not await authenticate(demo_core, "nobody@business.linedesk.de", second_pw)


async def test_mail_and_sms_follow_recipient_locale(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with demo_core.uow() as uow:
        admin = await uow.session.get(Account, actors["admin"].account_id)
        assert admin is not None
        admin.locale = "en"
    cid = await contract_id(demo_core, "companyflex_access_plus")
    await run_with_code(demo_core, credentials.generate, actors["admin"], contract_id=cid,
                        consent=True)
    await demo_core.dispatcher.dispatch_once()
    mail, sms = read_delivery(demo_core.settings.data_dir)
    assert mail["Subject"].startswith("Your new internet access credentials")
    assert mail["To"] == "sabine.muster@muster-gmbh.de" and sms["to"] == "+491701234567"
    assert sms["text"].startswith("Business Service Portal: code")
    attachment = next(mail.iter_attachments())
    assert attachment.get_content_type() == "application/zip"
    with pyzipper.AESZipFile(io.BytesIO(attachment.get_content())) as archive:
        info = archive.infolist()[0]
        assert info.filename == "credentials.txt"
        with pytest.raises(RuntimeError):
            archive.read(info.filename)  # no password: AES-encrypted
    username, _, code = open_credentials(mail, sms["text"])
    assert username.endswith("@business.linedesk.de")
    assert code not in mail.as_string()


async def test_concurrent_generation_one_wins(demo_core: Core, actors: dict[str, Actor]) -> None:
    from core.services import operators

    async with demo_core.uow() as uow:
        await operators.add_account(
            uow, username="admin2", role="admin", customer_number="1000001",
            password="second-admin-pw", email="admin2@muster-gmbh.de", mobile="+491709999999",
        )
    from tests.conftest import login

    second = await login(demo_core, "admin2", "second-admin-pw")
    cid = await contract_id(demo_core, "companyflex_complete")
    preview = await demo_core.read(credentials.prepare, actors["admin"], contract_id=cid)
    codes = [await request_code(demo_core, a, stepup.GENERATE, preview.contract.contract_ref)
             for a in (actors["admin"], second)]
    results = await asyncio.gather(
        demo_core.run(credentials.generate, actors["admin"], contract_id=cid, consent=True,
                      expected_version=preview.version, code=codes[0]),
        demo_core.run(credentials.generate, second, contract_id=cid, consent=True,
                      expected_version=preview.version, code=codes[1]),
        return_exceptions=True,
    )
    assert sum(isinstance(r, credentials.CredentialResult) for r in results) == 1
    loser = next(r for r in results if isinstance(r, Exception))
    assert isinstance(loser, Conflict) and "V-" in loser.render("de")
    async with demo_core.uow(readonly=True) as uow:
        active = (await uow.session.scalars(select(LineCredential).where(
            LineCredential.contract_id == cid, LineCredential.status == CredentialStatus.ACTIVE
        ))).all()
        outbox = (await uow.session.scalars(select(OutboxMessage))).all()
    assert len(active) == 1 and len(outbox) == 2


async def test_generation_without_version_never_leaves_two_valid_sets(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    cid = await contract_id(demo_core, "companyflex_complete")
    # three generations at once by one account: a single-use step-up code would let only
    # one run, so the policy is off here to race three real generations
    await set_policy(demo_core, actors["admin"], required=False)
    results = await asyncio.gather(*(
        demo_core.run(credentials.generate, actors["admin"], contract_id=cid, consent=True)
        for _ in range(3)
    ), return_exceptions=True)
    # SQLite serializes the writers (all three generate, one after the other); PostgreSQL
    # runs them at once: the contract's version lets one win, the others are a Conflict
    assert any(isinstance(r, credentials.CredentialResult) for r in results)
    assert all(isinstance(r, credentials.CredentialResult | Conflict) for r in results), results
    async with demo_core.uow(readonly=True) as uow:
        active = (await uow.session.scalars(select(LineCredential).where(
            LineCredential.contract_id == cid, LineCredential.status == CredentialStatus.ACTIVE
        ))).all()
    assert len(active) == 1


async def test_secrets_never_in_database_audit_or_logs(
    demo_core: Core, actors: dict[str, Actor], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cid = await contract_id(demo_core, "cloud_pbx_main")
    await run_with_code(demo_core, credentials.generate, actors["admin"], contract_id=cid,
                        consent=True)
    data_dir = demo_core.settings.data_dir
    before = await stored_bytes(demo_core)
    await demo_core.dispatcher.dispatch_once()
    mail, sms = read_delivery(data_dir)
    username, password, code = open_credentials(mail, sms["text"])
    assert await authenticate(demo_core, username, password)
    await demo_core.db.dispose()  # checkpoint-free: scan the main file and the WAL as they are
    after = await stored_bytes(demo_core)
    assert username.encode() in after  # the scan sees the rows
    for blob in (before, after):
        assert password.encode() not in blob
        assert code.encode() not in blob
    async with demo_core.uow(readonly=True) as uow:
        audit = (await uow.session.scalars(select(AuditEvent))).all()
    dumped = json.dumps([[a.action, a.target, a.details] for a in audit])
    assert "credentials.generated" in dumped and "line.online" in dumped
    assert password not in dumped and code not in dumped
    assert password not in caplog.text and code not in caplog.text
    assert password not in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
