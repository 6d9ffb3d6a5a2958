"""New internet access credentials for a line (SPEC R2–R5) and line authentication (R7).

Generation happens in one transaction: the old credentials are revoked, the new ones
stored as a hash only, the line goes offline, and the e-mail (AES-256 ZIP holding the
plain password) and the SMS (the ZIP's decryption code) are queued in the outbox. The plain
password and the code leave this module only inside those encrypted outbox payloads.
"""

from __future__ import annotations

import asyncio
import io
import re
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pyzipper
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from core.authz import Actor, Permission, require
from core.clock import BERLIN
from core.db import is_unique_violation
from core.errors import Conflict, NotFound, RuleViolation, ValidationError
from core.i18n import format_date, format_datetime, t
from core.models import (
    Account,
    Contract,
    CredentialStatus,
    CustomerNumber,
    LineCredential,
    OutboxKind,
    Role,
    ScheduledReset,
)
from core.outbox import Attachment
from core.security import hash_secret, mask_email, mask_phone, random_password, verify_secret
from core.services import approval_guard as approvals
from core.services import stepup
from core.services.consent_notice import mail_consented_and_current
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
    return Eligibility(
        contract.id, contract.contract_ref, contract.type.value, is_eligible(contract)
    )


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
    code: str | None = None,
) -> CredentialResult:
    """R2–R5: revoke the old credentials, create new ones, take the line offline and queue
    the encrypted e-mail and the SMS with the code, all in the caller's transaction.

    ``expected_version`` is the contract version the actor saw (``prepare``); when somebody
    generated in between, the actor gets a :class:`Conflict` instead of a second set.
    ``code`` is the R20 step-up code (needed when the customer's policy is on).
    """
    contract, customer_id, account = await _checked(uow, actor, contract_id, consent=consent)
    if expected_version is not None and expected_version != contract.version:
        raise Conflict("credentials.error.stale", contract=contract.contract_ref)
    if not await stepup.verify(uow, actor, customer_id=customer_id, action=stepup.GENERATE,
                               object_id=contract.contract_ref, code=code):
        return stepup.refused()
    if not await approvals.guard(uow, actor, customer_id=customer_id, action=approvals.GENERATE,
                                 object_id=contract.contract_ref,
                                 params={"contract_id": contract.id,
                                         "contract": contract.contract_ref},
                                 consent=_consent(account), recipient=account.username):
        return stepup.refused()
    return await _issue(uow, actor, contract, customer_id, account)


def _consent(account: Account) -> approvals.Consent:
    assert account.email and account.mobile
    return approvals.Consent(account.id, account.email, account.mobile)


async def _checked(
    uow: UnitOfWork, actor: Actor, contract_id: int, *, consent: bool
) -> tuple[Contract, int, Account]:
    """Permission, R2 (line), R4 (consent, complete contact): the checks before generating
    now or scheduling; returns the contract, its customer and the recipient account."""
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
    # R21: an approved request delivers where its requester consented, never to the approver
    account = (await approvals.consented_recipient(uow, object_id=contract.contract_ref)
               or await _recipient(uow, actor, customer_id))
    for what, value in (("email", account.email if account else None),
                        ("mobile", account.mobile if account else None)):
        if not value:
            raise RuleViolation(
                "R4", "credentials.error.contact_missing",
                user=account.username if account else "–",
                what=t(locale, f"credentials.what.{what}"),
            )
    assert account is not None and account.email and account.mobile
    return contract, customer_id, account


async def _issue(
    uow: UnitOfWork, actor: Actor | None, contract: Contract, customer_id: int, account: Account,
    *, audit_extra: dict[str, object] | None = None,
) -> CredentialResult:
    """Generate and deliver (R5) to ``account``'s stored contact; ``actor`` None is the
    scheduler running a scheduled reset (R19)."""
    assert account.email and account.mobile
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
        status=CredentialStatus.ACTIVE, generated_at=now,
        generated_by_id=actor.account_id if actor else None,
    )
    uow.session.add(credential)
    contract.line_online = False
    contract.credentials_generated_at = now
    ref = contract.contract_ref  # a failed flush rolls back and expires ``contract``
    try:
        await uow.session.flush()
    except StaleDataError as exc:
        raise Conflict("credentials.error.stale", contract=ref) from exc
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise Conflict("credentials.error.stale", contract=ref) from exc
        raise

    email_masked, mobile_masked = mask_email(account.email), mask_phone(account.mobile)
    uow.audit(
        actor, "credentials.generated", customer_id=customer_id, target=contract.contract_ref,
        line_username=line_username, recipient=account.username, email=email_masked,
        mobile=mobile_masked, **(audit_extra or {}),
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


# --- R19: scheduled reset -------------------------------------------------------------

MIN_LEAD = timedelta(minutes=15)
MAX_LEAD = timedelta(days=30)
SUGGESTED_LOCAL_TIME = time(22, 0)
LATE_AFTER = timedelta(minutes=5)
"""A scheduled reset generated later than this after its time tells the admin it ran late."""


@dataclass(frozen=True)
class ScheduledResetView:
    id: int
    contract_id: int
    contract_ref: str
    at: datetime
    status: str
    """scheduled, done or cancelled."""
    requested_by: str
    recipient: str
    email_masked: str
    mobile_masked: str
    created_at: datetime
    done_at: datetime | None
    late: bool
    cancel_reason: str | None


def suggested_reset_time(now: datetime) -> datetime:
    """The next 22:00 Europe/Berlin that is at least :data:`MIN_LEAD` ahead (UTC)."""
    local = now.astimezone(BERLIN)
    day = local.date()
    while True:
        candidate = datetime.combine(day, SUGGESTED_LOCAL_TIME, tzinfo=BERLIN)
        if candidate - now >= MIN_LEAD:
            return candidate.astimezone(UTC)
        day += timedelta(days=1)


_GERMAN_TIME = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}),?\s+(\d{1,2}):(\d{2})")
"""``TT.MM.JJJJ HH:MM``: how the portal shows a time in German (and what a German user
types into the dialog, which shows the scheduled reset as ``02.12.2026 22:00``)."""


def parse_reset_time(text: str) -> datetime:
    """ISO 8601 date and time, or ``TT.MM.JJJJ HH:MM``; without an offset it is local
    time Europe/Berlin."""
    raw = text.strip()
    try:
        if m := _GERMAN_TIME.fullmatch(raw):
            day, month, year, hour, minute = (int(g) for g in m.groups())
            value = datetime(year, month, day, hour, minute)
        else:
            value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError("credentials.error.bad_time", value=text[:40]) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=BERLIN)
    return value.astimezone(UTC)


def _schedule_view(row: ScheduledReset, contract_ref: str, recipient: str) -> ScheduledResetView:
    return ScheduledResetView(
        id=row.id, contract_id=row.contract_id, contract_ref=contract_ref, at=row.at,
        status=row.status, requested_by=row.requested_by, recipient=recipient,
        email_masked=mask_email(row.consent_email), mobile_masked=mask_phone(row.consent_mobile),
        created_at=row.created_at, done_at=row.done_at, late=row.late,
        cancel_reason=row.cancel_reason,
    )


async def schedule(
    uow: UnitOfWork,
    actor: Actor,
    *,
    contract_id: int,
    at: datetime,
    consent: bool,
    code: str | None = None,
) -> ScheduledResetView:
    """R19: generate new credentials at ``at`` (15 minutes to 30 days ahead) instead of now.

    The consent (R4) is recorded with the e-mail and mobile it was given for; the scheduler
    delivers there or, if they change before, not at all. Needs the R20 code like ``generate``."""
    contract, customer_id, account = await _checked(uow, actor, contract_id, consent=consent)
    assert account.email and account.mobile
    if at.tzinfo is None:
        raise ValidationError("credentials.error.bad_time", value=at.isoformat()[:40])
    now = uow.clock.now()
    locale = actor.locale
    if at - now < MIN_LEAD:
        raise RuleViolation("R19", "credentials.error.schedule_too_soon",
                            minutes=int(MIN_LEAD.total_seconds() // 60),
                            at=format_datetime(at, locale))
    if at - now > MAX_LEAD:
        raise RuleViolation("R19", "credentials.error.schedule_too_far", days=MAX_LEAD.days,
                            at=format_datetime(at, locale))
    existing = await uow.session.scalar(
        select(ScheduledReset).where(ScheduledReset.contract_id == contract.id,
                                     ScheduledReset.status == "scheduled"))
    if existing is not None:
        raise RuleViolation("R19", "credentials.error.already_scheduled",
                            contract=contract.contract_ref, id=existing.id,
                            at=format_datetime(existing.at, locale))
    if not await stepup.verify(uow, actor, customer_id=customer_id, action=stepup.GENERATE,
                               object_id=contract.contract_ref, code=code):
        return stepup.refused()
    if not await approvals.guard(uow, actor, customer_id=customer_id, action=approvals.SCHEDULE,
                                 object_id=contract.contract_ref,
                                 params={"contract_id": contract.id,
                                         "contract": contract.contract_ref,
                                         "at": at.astimezone(UTC).isoformat()},
                                 consent=_consent(account), recipient=account.username):
        return stepup.refused()
    row = ScheduledReset(
        contract_id=contract.id, customer_id=customer_id, requested_by_id=actor.account_id,
        requested_by=actor.username, recipient_id=account.id, at=at.astimezone(UTC),
        consent_email=account.email, consent_mobile=account.mobile, created_at=now,
        status="scheduled", late=False,
    )
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(actor, "reset.scheduled", customer_id=customer_id,
              target=contract.contract_ref, at=row.at.isoformat(), recipient=account.username,
              email=mask_email(account.email), mobile=mask_phone(account.mobile))
    uow.emit("CredentialResetScheduled", customer_id, contract_id=contract.id, reset_id=row.id)
    return _schedule_view(row, contract.contract_ref, account.username)


async def list_scheduled(
    uow: UnitOfWork, actor: Actor, *, include_past: bool = False
) -> list[ScheduledResetView]:
    """The customer's scheduled resets by time (with ``include_past`` also done/cancelled)."""
    require(actor, Permission.CONTRACT_READ, customer_id=actor.customer_id)
    query = (
        select(ScheduledReset, Contract.contract_ref, Account.username)
        .join(Contract, Contract.id == ScheduledReset.contract_id)
        .join(Account, Account.id == ScheduledReset.recipient_id)
        .where(ScheduledReset.customer_id == actor.customer_id)
        .order_by(ScheduledReset.at, ScheduledReset.id)
    )
    if not include_past:
        query = query.where(ScheduledReset.status == "scheduled")
    rows = (await uow.session.execute(query)).all()
    return [_schedule_view(row, ref, name) for row, ref, name in rows]


async def cancel_scheduled(uow: UnitOfWork, actor: Actor, *, reset_id: int) -> ScheduledResetView:
    """R19: cancel a scheduled reset until it has run."""
    row = await uow.session.get(ScheduledReset, reset_id)
    if row is None or row.customer_id != actor.customer_id:
        require(actor, Permission.CREDENTIALS_GENERATE, customer_id=actor.customer_id)
        raise NotFound("credentials.error.no_such_schedule", id=reset_id)
    require(actor, Permission.CREDENTIALS_GENERATE, customer_id=row.customer_id)
    contract = await uow.session.get(Contract, row.contract_id)
    recipient = await uow.session.get(Account, row.recipient_id)
    ref = contract.contract_ref if contract else "–"
    if row.status != "scheduled":
        raise RuleViolation("R19", "credentials.error.schedule_cancelled" if row.status ==
                            "cancelled" else "credentials.error.schedule_done", id=row.id)
    cancelled = await uow.session.execute(
        update(ScheduledReset)
        .where(ScheduledReset.id == row.id, ScheduledReset.status == "scheduled")
        .values(status="cancelled", cancel_reason="user")
    )
    if cancelled.rowcount != 1:  # type: ignore[attr-defined]
        raise RuleViolation("R19", "credentials.error.schedule_done", id=row.id)
    await uow.session.refresh(row)
    uow.audit(actor, "reset.cancelled", customer_id=row.customer_id, target=ref,
              at=row.at.isoformat())
    uow.emit("CredentialResetCancelled", row.customer_id, contract_id=row.contract_id,
             reset_id=row.id)
    return _schedule_view(row, ref, recipient.username if recipient else "–")


def _notice(
    uow: UnitOfWork, row: ScheduledReset, account: Account, ref: str, kind: str, **params: object
) -> None:
    """An e-mail to the consenting admin about its scheduled reset (ran late, cancelled);
    to the consented address and, if it changed, to the current one too."""
    loc = account.locale
    mail_consented_and_current(
        uow, consented=row.consent_email, current=account.email,
        subject=t(loc, f"credentials.mail.{kind}.subject", contract=ref),
        body=t(loc, f"credentials.mail.{kind}.body", name=account.full_name or account.username,
               contract=ref, at=format_datetime(row.at, loc), **params),
        customer_id=row.customer_id, key=f"reset-{row.id}-{kind}")


async def cancel_for_contact_change(uow: UnitOfWork, account: Account) -> int:
    """R19: the stored e-mail or mobile of ``account`` changed: its scheduled resets (whose
    consent named the old contact) are cancelled and the account is told; likewise (R21)
    the open credentials approval requests that consented to deliver there are withdrawn
    and their requesters told. The one hook every contact change calls, in the same
    transaction (:func:`core.services.users.update_contact`)."""
    withdrawn = await approvals.withdraw_for_contact_change(uow, account)
    rows = (await uow.session.scalars(
        select(ScheduledReset).where(ScheduledReset.recipient_id == account.id,
                                     ScheduledReset.status == "scheduled"))).all()
    for row in rows:
        if (row.consent_email, row.consent_mobile) == (account.email, account.mobile):
            continue
        row.status, row.cancel_reason = "cancelled", "contact_changed"
        contract = await uow.session.get(Contract, row.contract_id)
        ref = contract.contract_ref if contract else "–"
        uow.audit(None, "reset.cancelled", customer_id=row.customer_id, target=ref,
                  at=row.at.isoformat(), cause="contact_changed")
        uow.emit("CredentialResetCancelled", row.customer_id, contract_id=row.contract_id,
                 reset_id=row.id)
        _notice(uow, row, account, ref, "reset_cancelled")
    await uow.session.flush()
    return len(rows) + withdrawn


async def run_due_resets(uow: UnitOfWork) -> int:
    """The scheduler job (R19): every scheduled reset whose time has come is generated and
    delivered exactly once. Each row is claimed with a conditional UPDATE in the same
    transaction as the generation, so a second scheduler (another node) finds it taken;
    downtime is caught up and the admin is told the reset ran late."""
    now = uow.clock.now()
    due = (await uow.session.scalars(
        select(ScheduledReset.id).where(ScheduledReset.status == "scheduled",
                                        ScheduledReset.at <= now)
        .order_by(ScheduledReset.at, ScheduledReset.id))).all()
    done = 0
    for reset_id in due:
        claimed = await uow.session.execute(
            update(ScheduledReset)
            .where(ScheduledReset.id == reset_id, ScheduledReset.status == "scheduled")
            .values(status="done", done_at=now)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        row = await uow.session.get(ScheduledReset, reset_id, populate_existing=True)
        assert row is not None
        contract = await uow.session.get(Contract, row.contract_id)
        account = await uow.session.get(Account, row.recipient_id)
        assert contract is not None and account is not None
        if (not account.active or not is_eligible(contract)
                or (account.email, account.mobile) != (row.consent_email, row.consent_mobile)):
            row.status, row.cancel_reason = "cancelled", "not_possible"
            uow.audit(None, "reset.cancelled", customer_id=row.customer_id,
                      target=contract.contract_ref, at=row.at.isoformat(), cause="not_possible")
            _notice(uow, row, account, contract.contract_ref, "reset_cancelled")
            continue
        row.late = now - row.at > LATE_AFTER
        await _issue(uow, None, contract, row.customer_id, account,
                     audit_extra={"scheduled_by": row.requested_by, "late": row.late})
        if row.late:
            _notice(uow, row, account, contract.contract_ref, "reset_late",
                    done=format_datetime(now, account.locale))
        uow.emit("CredentialResetDone", row.customer_id, contract_id=row.contract_id,
                 reset_id=row.id)
        done += 1
    await uow.session.flush()
    return done
