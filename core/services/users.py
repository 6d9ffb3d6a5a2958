"""User management (R6, R14): own profile and contact data, language, employee accounts.

Every account sees and changes its own profile; the customer's administrator (admin view)
also manages the customer's employee accounts. New and reset passwords travel only in the
(encrypted) outbox e-mail to the employee and are stored as argon2 hashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from core.authz import Actor, Permission, require
from core.db import is_unique_violation
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from core.i18n import LOCALES, format_datetime, t
from core.models import (
    Account,
    AuditEvent,
    CallRecord,
    Customer,
    LoginFailure,
    Number,
    NumberKind,
    NumberStatus,
    OutboxKind,
    Role,
)
from core.security import (
    hash_secret,
    mask_email,
    mask_phone,
    random_password,
    validate_email,
    validate_mobile,
    validate_username,
    verify_secret,
)
from core.services import auth, credentials
from core.services import numbers as number_service
from core.uow import UnitOfWork

_ASSIGNABLE = (NumberStatus.ACTIVE, NumberStatus.PENDING_DEACTIVATION)


@dataclass(frozen=True)
class ProfileView:
    """The signed-in account's own data (unmasked: it is the owner looking)."""

    id: int
    username: str
    role: str
    full_name: str
    email: str | None
    mobile: str | None
    locale: str
    customer_name: str | None
    version: int


@dataclass(frozen=True)
class EmployeeView:
    id: int
    username: str
    role: str
    full_name: str
    email: str | None
    mobile: str | None
    locale: str
    active: bool
    numbers: tuple[str, ...]

    @property
    def email_masked(self) -> str:
        return mask_email(self.email)


@dataclass(frozen=True)
class OwnCallView:
    """One of the signed-in employee's own call records (Einzelverbindungsnachweis)."""

    id: int
    number: str
    """The own number the call was made on (E.164)."""
    started_at: datetime
    duration_seconds: int
    remote_number: str
    """As the operator stores it: shortened, last digits masked."""
    cost_cents: int


@dataclass(frozen=True)
class OwnFaxCredentialView:
    """Fax printer-driver credentials sent to the signed-in account (R15); never the secret."""

    number: str
    personal: bool
    """True for the account's personal fax number, False for a shared one."""
    login: str
    sent_at: datetime | None
    """When they were last sent (from the audit log); None if that is not recorded."""


MAX_OWN_CALLS = 200


async def _own_account(uow: UnitOfWork, actor: Actor) -> Account:
    account = await uow.session.get(Account, actor.account_id)
    if account is None or not account.active:
        raise NotFound()
    return account


async def _profile(uow: UnitOfWork, account: Account) -> ProfileView:
    customer_name = None
    if account.customer_id is not None:
        customer_name = await uow.session.scalar(
            select(Customer.name).where(Customer.id == account.customer_id)
        )
    return ProfileView(
        id=account.id, username=account.username, role=account.role.value,
        full_name=account.full_name, email=account.email, mobile=account.mobile,
        locale=account.locale, customer_name=customer_name, version=account.version,
    )


def _require_own(actor: Actor, permission: Permission) -> None:
    """Own profile only. A support agent's own account is not customer data: it needs neither
    an opened customer nor a ticket id."""
    if actor.role is Role.SUPPORT:
        return
    require(actor, permission, owner_id=actor.account_id)


async def get_profile(uow: UnitOfWork, actor: Actor) -> ProfileView:
    _require_own(actor, Permission.PROFILE_READ)
    return await _profile(uow, await _own_account(uow, actor))


async def update_contact(
    uow: UnitOfWork,
    actor: Actor,
    *,
    email: str,
    mobile: str | None,
    current_password: str,
) -> ProfileView:
    """R6: change the own e-mail address and mobile number (validated; needs the current
    password). A notice goes to the previous address so a hijacked session is noticed; a wrong
    password counts towards the login lockout."""
    _require_own(actor, Permission.PROFILE_UPDATE)
    account = await _own_account(uow, actor)
    if not (email or "").strip():
        raise ValidationError("users.error.email_required")
    new_email = validate_email(email)
    new_mobile = validate_mobile(mobile) if mobile and mobile.strip() else None
    if not current_password:
        # A form error, not a failed login: it never counts towards the lockout.
        raise ValidationError("users.error.password_required")
    if await auth.is_locked(uow, account.id):
        raise PermissionDenied("users.error.locked")
    if not await verify_secret(account.password_hash, current_password or ""):
        # Guessing the password here must be as limited as at the login prompt.
        uow.session.add(LoginFailure(account_id=account.id, source=actor.source_address or "",
                                     at=uow.clock.now()))
        uow.fail_after_commit(PermissionDenied("users.error.wrong_password"))
        return await _profile(uow, account)
    if (new_email, new_mobile) == (account.email, account.mobile):
        return await _profile(uow, account)
    old_email = account.email
    changed = [name for name, old, new in (("email", account.email, new_email),
                                           ("mobile", account.mobile, new_mobile)) if old != new]
    account.email, account.mobile = new_email, new_mobile
    await uow.session.flush()
    await credentials.cancel_for_contact_change(uow, account)  # R19: consent named the old
    uow.audit(actor, "profile.contact_changed", customer_id=account.customer_id,
              target=account.username, changed=changed, email=mask_email(new_email),
              mobile=mask_phone(new_mobile))
    uow.emit("AccountChanged", account.customer_id, username=account.username)
    if old_email:
        loc = account.locale
        uow.send(
            OutboxKind.EMAIL,
            to=old_email,
            subject=t(loc, "users.mail.contact_changed.subject"),
            body=t(
                loc,
                "users.mail.contact_changed.body",
                name=account.full_name or account.username,
                user=account.username,
                date=format_datetime(uow.clock.now(), loc),
                email=mask_email(new_email),
                mobile=mask_phone(new_mobile),
            ),
            customer_id=account.customer_id,
        )
    return await _profile(uow, account)


def _require_own_customer_data(actor: Actor) -> int:
    """The actor's own records in its customer (employees, and admins for themselves)."""
    require(actor, Permission.CALLS_READ, customer_id=actor.customer_id, owner_id=actor.account_id)
    if actor.role is Role.SUPPORT or actor.customer_id is None:
        raise PermissionDenied("error.employee_own_only")
    return actor.customer_id


async def own_call_records(
    uow: UnitOfWork, actor: Actor, *, limit: int = MAX_OWN_CALLS
) -> list[OwnCallView]:
    """SPEC §2: an employee's own call records on its customer's numbers, newest first.
    Records whose traffic data was deleted on reassignment (R14) are not shown."""
    customer_id = _require_own_customer_data(actor)
    rows = await uow.session.execute(
        select(CallRecord, Number.e164)
        .join(Number, Number.id == CallRecord.number_id)
        .where(Number.customer_id == customer_id, CallRecord.account_id == actor.account_id,
               CallRecord.deleted.is_(False), CallRecord.duration_seconds.is_not(None))
        .order_by(CallRecord.started_at.desc(), CallRecord.id.desc())
        .limit(max(1, min(int(limit), MAX_OWN_CALLS)))
    )
    return [
        OwnCallView(
            r.id, e164, r.started_at, r.duration_seconds or 0, r.remote_number, r.cost_cents
        )
        for r, e164 in rows
    ]


async def own_fax_credentials(uow: UnitOfWork, actor: Actor) -> list[OwnFaxCredentialView]:
    """SPEC §2 / R15: the fax numbers whose printer-driver credentials were sent to the
    actor, with the login name and when they were sent (the password is only a hash)."""
    customer_id = _require_own_customer_data(actor)
    faxes = list(await uow.session.scalars(
        select(Number)
        .where(Number.customer_id == customer_id, Number.kind == NumberKind.FAX)
        .order_by(Number.e164)
    ))
    mine = []
    for n in faxes:
        entry = ((n.settings or {}).get(number_service.FAX_CREDENTIALS_KEY) or {}).get(
            actor.username)
        if isinstance(entry, dict):
            mine.append((n, str(entry.get("login") or "")))
    if not mine:
        return []
    sent: dict[str, datetime] = {}
    for n, _ in mine:
        recorded = n.settings[number_service.FAX_CREDENTIALS_KEY][actor.username].get("sent_at")
        if isinstance(recorded, str):
            sent[n.e164] = datetime.fromisoformat(recorded)
    for target, at, details in await uow.session.execute(
        select(AuditEvent.target, AuditEvent.at, AuditEvent.details)
        .where(AuditEvent.customer_id == customer_id,
               AuditEvent.action == "number.fax_credentials_sent",
               AuditEvent.target.in_([n.e164 for n, _ in mine]))
        .order_by(AuditEvent.at)
    ):
        if actor.username in ((details or {}).get("recipients") or ()):
            sent[target] = at
    return [
        OwnFaxCredentialView(number=n.e164, personal=n.fax_owner_id == actor.account_id,
                             login=login, sent_at=sent.get(n.e164))
        for n, login in mine
    ]


async def set_locale(uow: UnitOfWork, actor: Actor, *, locale: str) -> ProfileView:
    """The account's UI language; the App applies it to the running session at once."""
    _require_own(actor, Permission.PROFILE_UPDATE)
    if locale not in LOCALES:
        raise ValidationError("error.invalid_locale", value=(locale or "")[:10])
    account = await _own_account(uow, actor)
    if account.locale != locale:
        account.locale = locale
        await uow.session.flush()
        uow.audit(actor, "profile.locale_changed", customer_id=account.customer_id,
                  target=account.username, locale=locale)
    return await _profile(uow, account)


async def _employee_views(uow: UnitOfWork, accounts: list[Account]) -> list[EmployeeView]:
    numbers: dict[int, list[str]] = {}
    ids = [a.id for a in accounts]
    if ids:
        for account_id, e164 in await uow.session.execute(
            select(Number.assigned_account_id, Number.e164)
            .where(Number.assigned_account_id.in_(ids))
            .order_by(Number.e164)
        ):
            numbers.setdefault(cast(int, account_id), []).append(e164)
    return [
        EmployeeView(
            id=a.id, username=a.username, role=a.role.value, full_name=a.full_name,
            email=a.email, mobile=a.mobile, locale=a.locale, active=a.active,
            numbers=tuple(numbers.get(a.id, [])),
        )
        for a in accounts
    ]


async def list_employees(uow: UnitOfWork, actor: Actor) -> list[EmployeeView]:
    """All accounts of the actor's customer (administrators first, then employees)."""
    require(actor, Permission.USER_READ)
    accounts = list(await uow.session.scalars(
        select(Account)
        .where(Account.customer_id == actor.customer_id)
        .order_by(Account.role, Account.username)
    ))
    return await _employee_views(uow, accounts)


async def assignable_numbers(uow: UnitOfWork, actor: Actor) -> list[str]:
    """Numbers in use that nobody is assigned to yet: the choices for a new employee (R14)."""
    require(actor, Permission.NUMBER_MANAGE)
    rows = await uow.session.scalars(
        select(Number.e164)
        .where(Number.customer_id == actor.customer_id, Number.status.in_(_ASSIGNABLE),
               Number.assigned_account_id.is_(None))
        .order_by(Number.e164)
    )
    return list(rows)


async def _employee(uow: UnitOfWork, actor: Actor, username: str) -> Account:
    require(actor, Permission.USER_MANAGE)
    account = await uow.session.scalar(
        select(Account).where(Account.username == (username or "").strip().lower())
    )
    if account is None or account.customer_id != actor.customer_id:
        raise NotFound("users.error.not_employee", user=(username or "")[:64])
    require(actor, Permission.USER_MANAGE, customer_id=account.customer_id)
    if account.role is not Role.EMPLOYEE:
        raise PermissionDenied("users.error.not_employee", user=account.username)
    return account


async def insert_account(uow: UnitOfWork, account: Account) -> None:
    """Insert a new account; a taken username (also taken by a concurrent insert) is an input
    error, not a crash."""
    uow.session.add(account)
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise ValidationError("error.username_taken", value=account.username) from exc
        raise


class EmployeeFormInvalid(ValidationError):
    """Every wrong field of a new employee at once (a form can mark them all): ``fields`` maps
    ``username``/``email``/``mobile``/``locale`` to its error, in form order; ``key`` and
    ``params`` are the first one's, so a front end that shows one message says that one."""

    def __init__(self, fields: dict[str, ValidationError]) -> None:
        first = next(iter(fields.values()))
        super().__init__(first.key, **first.params)
        self.fields = fields


def _check_new_employee(
    username: str, email: str, mobile: str | None, locale: str
) -> tuple[str, str, str | None]:
    """The new employee's username, e-mail and mobile, each checked; all errors together."""
    errors: dict[str, ValidationError] = {}
    name = (username or "").strip().lower()
    try:
        name = validate_username(name)
    except ValidationError as error:
        errors["username"] = error
    address = ""
    try:
        if not (email or "").strip():
            raise ValidationError("users.error.email_required")
        address = validate_email(email)
    except ValidationError as error:
        errors["email"] = error
    phone: str | None = None
    try:
        phone = validate_mobile(mobile) if mobile and mobile.strip() else None
    except ValidationError as error:
        errors["mobile"] = error
    if locale not in LOCALES:
        errors["locale"] = ValidationError("error.invalid_locale", value=(locale or "")[:10])
    if errors:
        raise EmployeeFormInvalid(errors)
    return name, address, phone


async def create_employee(
    uow: UnitOfWork,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    email: str,
    mobile: str | None = None,
    locale: str = "de",
    numbers: list[str] | tuple[str, ...] = (),
) -> EmployeeView:
    """A new employee account of the actor's customer; its initial password goes by e-mail
    to the employee, and the chosen numbers are assigned to it (R14) in the same transaction."""
    require(actor, Permission.USER_MANAGE, customer_id=actor.customer_id)
    username, address, phone = _check_new_employee(username, email, mobile, locale)
    password = random_password(16)
    account = Account(
        username=username, role=Role.EMPLOYEE, customer_id=actor.customer_id,
        full_name=(full_name or "").strip()[:200], email=address, mobile=phone, locale=locale,
        password_hash=await hash_secret(password), active=True, created_at=uow.clock.now(),
    )
    await insert_account(uow, account)
    uow.audit(actor, "account.created", customer_id=actor.customer_id, target=username,
              role=Role.EMPLOYEE.value, email=mask_email(address))
    uow.emit("AccountCreated", actor.customer_id, username=username)
    if numbers:
        for number in numbers:
            await number_service.assign(uow, actor, number=number, username=username)
    customer = await uow.session.scalar(
        select(Customer.name).where(Customer.id == actor.customer_id)
    )
    uow.send(
        OutboxKind.EMAIL, to=address, subject=t(locale, "users.mail.welcome.subject"),
        body=t(locale, "users.mail.welcome.body", name=account.full_name or username, user=username,
               customer=customer or "", password=password,
               login=uow.settings.login_command(username)),
        customer_id=actor.customer_id,
    )
    return (await _employee_views(uow, [account]))[0]


async def deactivate_employee(uow: UnitOfWork, actor: Actor, *, username: str) -> EmployeeView:
    """The employee can no longer sign in; its numbers become free for others (R14), a personal
    fax of it becomes a shared fax (R15) and its fax-driver login stops working."""
    account = await _employee(uow, actor, username)
    if not account.active:
        raise Conflict("users.error.already_inactive", user=account.username)
    account.active = False
    released = await _release_numbers(uow, actor, account)
    await uow.session.flush()
    uow.audit(
        actor,
        "account.deactivated",
        customer_id=account.customer_id,
        target=account.username,
        numbers=[n.e164 for n in released],
    )
    uow.emit("AccountChanged", account.customer_id, username=account.username)
    if released:
        uow.emit("NumbersUnassigned", account.customer_id, numbers=[n.e164 for n in released],
                 versions={n.e164: n.version for n in released}, previous=account.username)
    return (await _employee_views(uow, [account]))[0]


async def _release_numbers(uow: UnitOfWork, actor: Actor, account: Account) -> list[Number]:
    """Unassign ``account``'s numbers and share its personal faxes; each change is audited."""
    released = list(await uow.session.scalars(
        select(Number)
        .where(or_(Number.assigned_account_id == account.id, Number.fax_owner_id == account.id))
        .order_by(Number.e164)
    ))
    for n in released:
        was_personal_fax = n.fax_owner_id == account.id
        if n.assigned_account_id == account.id:
            n.assigned_account_id = None
        if was_personal_fax:
            n.fax_owner_id = None
        creds = dict((n.settings or {}).get(number_service.FAX_CREDENTIALS_KEY) or {})
        if creds.pop(account.username, None) is not None:
            n.settings = {**n.settings, number_service.FAX_CREDENTIALS_KEY: creds}
        uow.audit(actor, "number.unassigned", customer_id=n.customer_id, target=n.e164,
                  previous=account.username, fax_shared=was_personal_fax)
    await uow.session.flush()
    return released


async def reset_password(uow: UnitOfWork, actor: Actor, *, username: str) -> EmployeeView:
    """A new random password, e-mailed to the employee; it also lifts a login lockout."""
    account = await _employee(uow, actor, username)
    if not account.active:
        raise Conflict("users.error.inactive", user=account.username)
    if not account.email:
        raise ValidationError("users.error.email_required")
    password = random_password(16)
    account.password_hash = await hash_secret(password)
    await uow.session.execute(delete(LoginFailure).where(LoginFailure.account_id == account.id))
    await uow.session.flush()
    uow.audit(actor, "account.password_reset", customer_id=account.customer_id,
              target=account.username, email=mask_email(account.email))
    uow.emit("AccountChanged", account.customer_id, username=account.username)
    loc = account.locale
    uow.send(
        OutboxKind.EMAIL, to=account.email, subject=t(loc, "users.mail.reset.subject"),
        body=t(loc, "users.mail.reset.body", name=account.full_name or account.username,
               user=account.username, password=password),
        customer_id=account.customer_id,
    )
    return (await _employee_views(uow, [account]))[0]
