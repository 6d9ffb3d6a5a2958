"""New internet access credentials for a line (SPEC R2–R5) and line authentication (R7).

Generation happens in one transaction: the old credentials are revoked, the new ones
stored as a hash only, the line goes offline, and the e-mail (AES-256 ZIP holding the
plain password) and the SMS (the ZIP's decryption code) are queued in the outbox. The plain
password and the code leave this module only inside those encrypted outbox payloads.
"""

from __future__ import annotations

import asyncio
import io
import secrets
import string
from dataclasses import dataclass
from datetime import datetime

import pyzipper
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from core.authz import Actor, Permission, require
from core.db import is_unique_violation
from core.errors import Conflict, RuleViolation
from core.i18n import format_date, format_datetime, t
from core.models import (
    Account,
    Contract,
    CredentialStatus,
    CustomerNumber,
    LineCredential,
    OutboxKind,
    Role,
)
from core.outbox import Attachment
from core.security import hash_secret, mask_email, mask_phone, random_password, verify_secret
from core.services.contracts import (
    ELIGIBLE_TYPES,
    ContractView,
    get_contract,
    is_eligible,
    load_contract,
)
from core.uow import UnitOfWork

PASSWORD_LENGTH = 24
CODE_LENGTH = 12
LINE_DOMAIN = "business.linedesk.de"
_CODE_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


@dataclass(frozen=True)
class Eligibility:
    """R2 verdict for one contract, with the types that would be eligible."""

    contract_id: int
    contract_ref: str
    type: str
    eligible: bool
    eligible_types: tuple[str, ...] = ELIGIBLE_TYPES


@dataclass(frozen=True)
class CredentialPreview:
    """What the wizard shows before generating (R3, R4); ``version`` goes back to generate."""

    contract: ContractView
    eligible: bool
    eligible_types: tuple[str, ...]
    recipient: str
    """Username of the account whose e-mail and mobile receive the credentials."""
    email_masked: str | None
    mobile_masked: str | None
    line_online: bool
    easy_login: bool
    version: int

    @property
    def contact_complete(self) -> bool:
        return self.email_masked is not None and self.mobile_masked is not None


@dataclass(frozen=True)
class CredentialResult:
    contract_id: int
    contract_ref: str
    line_username: str
    """Not secret: the router login name; the password travels only inside the ZIP."""
    generated_at: datetime
    email_masked: str
    mobile_masked: str
    line_online: bool


async def _recipient(uow: UnitOfWork, actor: Actor, customer_id: int) -> Account | None:
    """The account whose stored contact receives the credentials: the actor itself, or for
    support staff acting on behalf of a customer, that customer's administrator."""
    if actor.role is Role.SUPPORT:
        return await uow.session.scalar(
            select(Account)
            .where(
                Account.customer_id == customer_id,
                Account.role == Role.ADMIN,
                Account.active.is_(True),
            )
            .order_by(Account.id)
            .limit(1)
        )
    return await uow.session.get(Account, actor.account_id)


async def check_eligibility(uow: UnitOfWork, actor: Actor, *, contract_id: int) -> Eligibility:
    """R2 for one contract, without refusing (the wizard explains instead)."""
    contract, _, _ = await load_contract(uow, actor, contract_id)
    return Eligibility(contract.id, contract.contract_ref, contract.type.value, is_eligible(contract))


async def prepare(uow: UnitOfWork, actor: Actor, *, contract_id: int) -> CredentialPreview:
    """Everything the wizard shows before the actor consents; changes nothing. A read:
    support staff may walk the wizard and give their reason only when generating."""
    _, _, customer_id = await load_contract(uow, actor, contract_id)
    view = await get_contract(uow, actor, contract_id=contract_id)
    account = await _recipient(uow, actor, customer_id)
    email = account.email if account else None
    mobile = account.mobile if account else None
    return CredentialPreview(
        contract=view,
        eligible=view.has_line,
        eligible_types=ELIGIBLE_TYPES,
        recipient=account.username if account else "–",
        email_masked=mask_email(email) if email else None,
        mobile_masked=mask_phone(mobile) if mobile else None,
        line_online=view.line_online,
        easy_login=view.easy_login,
        version=view.version,
    )


def _code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _encrypted_zip(filename: str, content: str, code: str) -> bytes:
    """WinZip AES-256 archive with one text file; CPU work, run in a thread."""
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(code.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr(filename, content.encode("utf-8"))
    return buffer.getvalue()


async def generate(
    uow: UnitOfWork,
    actor: Actor,
    *,
    contract_id: int,
    consent: bool,
    expected_version: int | None = None,
) -> CredentialResult:
    """R2–R5: revoke the old credentials, create new ones, take the line offline and queue
    the encrypted e-mail and the SMS with the code, all in the caller's transaction.

    ``expected_version`` is the contract version the actor saw (``prepare``); when somebody
    generated in between, the actor gets a :class:`Conflict` instead of a second set.
    """
    contract, _, customer_id = await load_contract(uow, actor, contract_id)
    require(actor, Permission.CREDENTIALS_GENERATE, customer_id=customer_id)
    locale = actor.locale
    if not is_eligible(contract):
        raise RuleViolation(
            "R2", "credentials.error.not_eligible", contract=contract.contract_ref,
            type=t(locale, f"contracts.type.{contract.type.value}"),
        )
    if not consent:
        raise RuleViolation("R4", "credentials.error.consent_required")
    account = await _recipient(uow, actor, customer_id)
    for what, value in (("email", account.email if account else None),
                        ("mobile", account.mobile if account else None)):
        if not value:
            raise RuleViolation(
                "R4", "credentials.error.contact_missing",
                user=account.username if account else "–", what=t(locale, f"credentials.what.{what}"),
            )
    assert account is not None and account.email and account.mobile
    if expected_version is not None and expected_version != contract.version:
        raise Conflict("credentials.error.stale", contract=contract.contract_ref)

    now = uow.clock.now()
    base = (contract.line_id or contract.contract_ref).lower()
    line_username = f"{base}-{secrets.token_hex(3)}@{LINE_DOMAIN}"
    password = random_password(PASSWORD_LENGTH)
    code = _code()
    password_hash = await hash_secret(password)
    rloc = account.locale
    site = contract.site_name or contract.contract_ref
    filename = t(rloc, "credentials.zip.filename")
    content = t(
        rloc, "credentials.zip.content", contract=contract.contract_ref, site=site,
        line=contract.line_id or "–", username=line_username, password=password,
        date=format_datetime(now, rloc),
    )
    archive = await asyncio.to_thread(_encrypted_zip, filename, content, code)
    del password, content

    await uow.session.execute(
        update(LineCredential)
        .where(LineCredential.contract_id == contract.id,
               LineCredential.status == CredentialStatus.ACTIVE)
        .values(status=CredentialStatus.REVOKED, revoked_at=now)
    )
    credential = LineCredential(
        contract_id=contract.id, username=line_username, password_hash=password_hash,
        status=CredentialStatus.ACTIVE, generated_at=now, generated_by_id=actor.account_id,
    )
    uow.session.add(credential)
    contract.line_online = False
    contract.credentials_generated_at = now
    try:
        await uow.session.flush()
    except StaleDataError as exc:
        raise Conflict("credentials.error.stale", contract=contract.contract_ref) from exc
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise Conflict("credentials.error.stale", contract=contract.contract_ref) from exc
        raise

    email_masked, mobile_masked = mask_email(account.email), mask_phone(account.mobile)
    uow.audit(
        actor, "credentials.generated", customer_id=customer_id, target=contract.contract_ref,
        line_username=line_username, recipient=account.username, email=email_masked,
        mobile=mobile_masked,
    )
    uow.emit("CredentialsGenerated", customer_id, contract_id=contract.id,
             contract_ref=contract.contract_ref)
    uow.emit("LineOffline", customer_id, contract_id=contract.id)
    zip_name = f"{filename.rsplit('.', 1)[0]}-{contract.contract_ref}.zip"
    uow.send(
        OutboxKind.EMAIL, to=account.email,
        subject=t(rloc, "credentials.mail.subject", contract=contract.contract_ref),
        body=t(rloc, "credentials.mail.body", name=account.full_name or account.username,
               contract=contract.contract_ref, site=site, date=format_date(now, rloc),
               filename=zip_name, mobile=mobile_masked),
        attachments=(Attachment(zip_name, archive, "application/zip"),),
        customer_id=customer_id, key=f"credentials-{credential.id}-email",
        meta={"contract_ref": contract.contract_ref},
    )
    uow.send(
        OutboxKind.SMS, to=account.mobile, subject="",
        body=t(rloc, "credentials.sms", contract=contract.contract_ref, code=code),
        customer_id=customer_id, key=f"credentials-{credential.id}-sms",
        meta={"contract_ref": contract.contract_ref},
    )
    return CredentialResult(
        contract_id=contract.id, contract_ref=contract.contract_ref, line_username=line_username,
        generated_at=now, email_masked=email_masked, mobile_masked=mobile_masked,
        line_online=False,
    )


async def authenticate_line(uow: UnitOfWork, *, username: str, password: str) -> bool:
    """R7, as the operator's access server would: the active credentials of a line bring it
    online; revoked or unknown ones are refused (with the same work, so timing tells nothing)."""
    credential = await uow.session.scalar(
        select(LineCredential).where(
            LineCredential.username == username, LineCredential.status == CredentialStatus.ACTIVE
        )
    )
    if not await verify_secret(credential.password_hash if credential else None, password):
        return False
    assert credential is not None
    contract, customer_id = (
        await uow.session.execute(
            select(Contract, CustomerNumber.customer_id)
            .join(CustomerNumber, Contract.customer_number_id == CustomerNumber.id)
            .where(Contract.id == credential.contract_id)
        )
    ).one()
    if not contract.line_online:
        contract.line_online = True
        uow.audit(None, "line.online", customer_id=customer_id, target=contract.contract_ref,
                  line_username=username)
        uow.emit("LineOnline", customer_id, contract_id=contract.id)
    return True
