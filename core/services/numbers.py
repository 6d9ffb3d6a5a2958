"""The number lifecycle (SPEC R10–R15, R17): list, activate, deactivate, undo, swap,
assign, forwarding and fax printer-driver credentials.

Every write loads the number, checks permission and tenant first, refuses stale
versions (optimistic concurrency), writes one audit event and emits one bus event.

Decisions the help page leaves open:

* Swap (R13) moves the *use* of the number: the employee assigned to the old number
  (and, for a personal fax, its owner) is assigned to the new number; the new number
  starts with empty settings; the old one loses all settings and its assignment.
  Both numbers must be of the same kind (voice for voice, fax for fax).
* Assigning a personal fax number moves its ownership to the new employee too.
* Fax credentials are per recipient: each one gets an own login for the fax printer
  driver; only its argon2 hash is kept in the number's settings, so sending again
  replaces that recipient's password (and a swap wipes them all).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.orm import aliased

from core.authz import Actor, Permission, require
from core.errors import Conflict, NotFound, PermissionDenied, RuleViolation, ValidationError
from core.i18n import t
from core.models import (
    Account,
    CallRecord,
    Charge,
    LocalArea,
    Number,
    NumberKind,
    NumberStatus,
    OutboxKind,
    Role,
)
from core.runtime import UnitOfWork
from core.security import hash_secret, random_password
from core.services.number_views import (  # re-exported: callers use numbers.X
    _IN_USE,
    FAX_CREDENTIALS_KEY,
    FORWARDING_KEY,
    AccountChoice,
    CallRecordView,
    DeactivationQuote,
    FaxRecipientChoice,
    FaxSendResult,
    NumberPage,
    NumberView,
    Quote,
    SwapResult,
    end_of_following_month,
    national_form,
    normalize_number,
    validate_forwarding_target,
)

_Assigned = aliased(Account, name="assigned")
_FaxOwner = aliased(Account, name="fax_owner")


def _view_query() -> Select[Any]:
    return (
        select(Number, LocalArea.name, _Assigned.username, _Assigned.full_name, _FaxOwner.username)
        .join(LocalArea, LocalArea.prefix == Number.area_prefix)
        .outerjoin(_Assigned, _Assigned.id == Number.assigned_account_id)
        .outerjoin(_FaxOwner, _FaxOwner.id == Number.fax_owner_id)
    )


def _to_view(n: Number, area_name: str, assigned: str | None, assigned_name: str | None,
             fax_owner: str | None) -> NumberView:
    settings = n.settings or {}
    creds = settings.get(FAX_CREDENTIALS_KEY) or {}
    return NumberView(
        id=n.id, e164=n.e164, national=national_form(n.e164, n.area_prefix),
        area_prefix=n.area_prefix, area_name=area_name, kind=n.kind.value, status=n.status.value,
        deactivation_date=n.deactivation_date, assigned_to=assigned, assigned_name=assigned_name,
        fax_owner=fax_owner, monthly_price_cents=n.monthly_price_cents,
        activation_fee_cents=n.activation_fee_cents,
        forwarding_target=settings.get(FORWARDING_KEY), version=n.version,
        fax_recipients=tuple(sorted(creds)),
    )


async def _view(uow: UnitOfWork, number_id: int) -> NumberView:
    row = (await uow.session.execute(_view_query().where(Number.id == number_id))).one()
    return _to_view(*row)


def _check_read(actor: Actor, n: Number) -> None:
    require(actor, Permission.NUMBER_READ, customer_id=n.customer_id, owner_id=n.assigned_account_id)
    if not actor.is_admin_view and n.assigned_account_id != actor.account_id:
        # an unassigned number has no owner; require() alone would let it through
        raise PermissionDenied("error.employee_own_only")


async def _load(uow: UnitOfWork, actor: Actor, number: str) -> Number:
    """The number as the actor may see it; another tenant's number is 'not found'."""
    e164 = normalize_number(number)
    n = await uow.session.scalar(select(Number).where(Number.e164 == e164))
    if n is None or n.customer_id != actor.customer_id:
        # Tenant isolation: do not reveal that another customer owns the number.
        require(actor, Permission.NUMBER_READ)
        raise NotFound("error.numbers.not_found", number=e164)
    return n


async def _load_for_manage(
    uow: UnitOfWork, actor: Actor, number: str, expected_version: int | None
) -> Number:
    n = await _load(uow, actor, number)
    require(actor, Permission.NUMBER_MANAGE, customer_id=n.customer_id)
    if expected_version is not None and n.version != expected_version:
        raise Conflict()
    return n


def _status_error(rule: str, n: Number, action: str) -> RuleViolation:
    return RuleViolation(
        rule, "error.numbers.wrong_status", number=n.e164, status=n.status.value, action=action
    )


# ---------------------------------------------------------------- reads


SORT_ORDERS: dict[str, tuple[Any, ...]] = {
    "number": (Number.e164,),
    "status": (Number.status, Number.e164),
    "assigned": (_Assigned.username.is_(None), _Assigned.full_name, Number.e164),
    "date": (Number.deactivation_date.is_(None), Number.deactivation_date, Number.e164),
    "area": (Number.area_prefix, Number.e164),
    "price": (Number.monthly_price_cents.desc(), Number.e164),
}
"""Orders for :func:`list_numbers` (the dashboard cycles through them with ``s``)."""


def _filtered(stmt: Select[Any], actor: Actor, query: str | None, status: str | None) -> Select[Any]:
    stmt = stmt.where(Number.customer_id == actor.customer_id)
    if not actor.is_admin_view:
        stmt = stmt.where(Number.assigned_account_id == actor.account_id)
    if status:
        try:
            stmt = stmt.where(Number.status == NumberStatus(status))
        except ValueError as exc:
            raise ValidationError("error.numbers.invalid_status", value=status[:40]) from exc
    if query and query.strip():
        needle = query.strip().lower()
        digits = re.sub(r"\D", "", needle)
        # employees and areas as sets (each small table searched once), so the scan over
        # the customer's numbers joins nothing and only the page found is joined for its view
        employees = select(Account.id).where(or_(
            func.lower(Account.username).contains(needle, autoescape=True),
            func.lower(Account.full_name).contains(needle, autoescape=True),
        ))
        areas = select(LocalArea.prefix).where(func.lower(LocalArea.name).contains(needle, autoescape=True))
        conditions = [
            Number.assigned_account_id.in_(employees),
            Number.area_prefix.in_(areas),
            Number.status == needle,
            Number.kind == needle,
        ]
        if digits:
            # "030 1234" and "+49301234" both find +4930123456100
            tail = digits[1:] if digits.startswith("0") else digits
            if digits.startswith("49"):
                tail = digits[2:]
            conditions.append(Number.e164.contains(tail or digits, autoescape=True))
        stmt = stmt.where(or_(*conditions))
    return stmt


async def list_numbers(
    uow: UnitOfWork,
    actor: Actor,
    *,
    query: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int | None = None,
    order: str = "number",
) -> list[NumberView]:
    """The customer's numbers (admin view) or the actor's own (user view); ``query``
    matches digits of the number, employee, area name, status or kind."""
    require(actor, Permission.NUMBER_READ, customer_id=actor.customer_id)
    if order not in SORT_ORDERS:
        raise ValidationError("error.numbers.invalid_order", value=order[:40])
    stmt = _filtered(_view_query(), actor, query, status)
    stmt = stmt.order_by(*SORT_ORDERS[order]).offset(max(offset, 0))
    if limit is not None:
        stmt = stmt.limit(max(limit, 0))
    rows = (await uow.session.execute(stmt)).all()
    return [_to_view(*row) for row in rows]


async def count_numbers(
    uow: UnitOfWork, actor: Actor, *, query: str | None = None, status: str | None = None
) -> int:
    """How many numbers :func:`list_numbers` would return without paging."""
    require(actor, Permission.NUMBER_READ, customer_id=actor.customer_id)
    base = select(func.count(Number.id)).select_from(Number)
    return int(await uow.session.scalar(_filtered(base, actor, query, status)) or 0)


async def number_page(
    uow: UnitOfWork,
    actor: Actor,
    *,
    query: str | None = None,
    offset: int = 0,
    limit: int = 100,
    order: str = "number",
) -> NumberPage:
    """The count and one page of :func:`list_numbers` in one read (the dashboard's two
    queries); an ``offset`` past the end moves to the last page (the filter shrank)."""
    limit = max(limit, 1)
    if offset <= 0:
        views = await list_numbers(uow, actor, query=query, limit=limit, order=order)
        # a first page that is not full is all there is: a narrow filter scans once, not twice
        total = len(views) if len(views) < limit else await count_numbers(uow, actor, query=query)
        return NumberPage(total=total, offset=0, views=tuple(views))
    total = await count_numbers(uow, actor, query=query)
    offset = min(offset, (total - 1) // limit * limit if total else 0)
    views = await list_numbers(uow, actor, query=query, offset=offset, limit=limit, order=order)
    return NumberPage(total=total, offset=offset, views=tuple(views))


async def get_number(uow: UnitOfWork, actor: Actor, *, number: str) -> NumberView:
    n = await _load(uow, actor, number)
    _check_read(actor, n)
    return await _view(uow, n.id)


async def get_numbers(uow: UnitOfWork, actor: Actor, *, numbers: list[str]) -> list[NumberView]:
    """The given numbers as far as the actor may see them, in one query (live updates:
    a number the actor may not see, or that does not exist, is simply left out)."""
    require(actor, Permission.NUMBER_READ, customer_id=actor.customer_id)
    wanted = {normalize_number(n) for n in numbers}
    if not wanted:
        return []
    stmt = _filtered(_view_query(), actor, None, None).where(Number.e164.in_(wanted))
    rows = (await uow.session.execute(stmt.order_by(Number.e164))).all()
    return [_to_view(*row) for row in rows]


async def activation_quote(uow: UnitOfWork, actor: Actor, *, number: str) -> Quote:
    """R11: the price is shown before activating."""
    n = await _load(uow, actor, number)
    require(actor, Permission.NUMBER_MANAGE, customer_id=n.customer_id)
    if n.status is not NumberStatus.INACTIVE:
        raise _status_error("R11", n, "activate")
    return Quote(n.e164, national_form(n.e164, n.area_prefix), n.activation_fee_cents,
                 n.monthly_price_cents, n.version)


async def deactivation_quote(uow: UnitOfWork, actor: Actor, *, number: str) -> DeactivationQuote:
    """R12: the date shown before marking for deactivation."""
    n = await _load(uow, actor, number)
    require(actor, Permission.NUMBER_MANAGE, customer_id=n.customer_id)
    if n.status is not NumberStatus.ACTIVE:
        raise _status_error("R12", n, "deactivate")
    return DeactivationQuote(n.e164, national_form(n.e164, n.area_prefix),
                             end_of_following_month(uow.clock.today()), n.version)


async def list_assignees(uow: UnitOfWork, actor: Actor) -> list[AccountChoice]:
    """Accounts of the customer that can use a number (employees and admins)."""
    require(actor, Permission.NUMBER_MANAGE, customer_id=actor.customer_id)
    return await _assignees(uow, actor.customer_id)


async def _assignees(uow: UnitOfWork, customer_id: int | None) -> list[AccountChoice]:
    rows = await uow.session.scalars(
        select(Account)
        .where(Account.customer_id == customer_id, Account.active.is_(True),
               Account.role.in_([Role.EMPLOYEE, Role.ADMIN]))
        .order_by(Account.username)
    )
    return [AccountChoice(a.username, a.full_name, bool(a.email)) for a in rows]


async def fax_recipients(uow: UnitOfWork, actor: Actor, *, number: str) -> FaxRecipientChoice:
    """R15: who may receive the fax driver credentials of this number."""
    n = await _load(uow, actor, number)
    require(actor, Permission.NUMBER_MANAGE, customer_id=n.customer_id)
    if n.kind is not NumberKind.FAX:
        raise RuleViolation("R15", "error.numbers.not_fax", number=n.e164)
    view = await _view(uow, n.id)
    candidates = tuple(await _assignees(uow, n.customer_id))
    if view.fax_owner is not None:
        owner = tuple(c for c in candidates if c.username == view.fax_owner)
        return FaxRecipientChoice(n.e164, view.national, True, view.fax_owner, owner,
                                  (view.fax_owner,), view.fax_recipients)
    return FaxRecipientChoice(n.e164, view.national, False, None, candidates, (),
                              view.fax_recipients)


async def list_call_records(
    uow: UnitOfWork, actor: Actor, *, number: str | None = None
) -> list[CallRecordView]:
    """Call records (EVN); employees see only their own, deleted ones are gone for everyone."""
    require(actor, Permission.CALLS_READ, customer_id=actor.customer_id)
    stmt = (
        select(CallRecord, Number.e164, Account.username)
        .join(Number, Number.id == CallRecord.number_id)
        .outerjoin(Account, Account.id == CallRecord.account_id)
        .where(Number.customer_id == actor.customer_id, CallRecord.deleted.is_(False))
        .order_by(CallRecord.started_at.desc())
    )
    if not actor.is_admin_view:
        stmt = stmt.where(CallRecord.account_id == actor.account_id)
    if number is not None:
        stmt = stmt.where(Number.e164 == normalize_number(number))
    rows = (await uow.session.execute(stmt)).all()
    return [
        CallRecordView(r.id, e164, username, r.started_at, r.duration_seconds, r.remote_number,
                       r.cost_cents)
        for r, e164, username in rows
    ]


# ---------------------------------------------------------------- writes


async def activate(
    uow: UnitOfWork, actor: Actor, *, number: str, expected_version: int | None = None
) -> NumberView:
    """R11: inactive → active, chargeable: records the one-time activation charge."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    if n.status is not NumberStatus.INACTIVE:
        raise _status_error("R11", n, "activate")
    n.status = NumberStatus.ACTIVE
    n.deactivation_date = None
    uow.session.add(Charge(
        customer_id=n.customer_id, number_id=n.id, kind="activation",
        amount_cents=n.activation_fee_cents, description=f"Aktivierung {n.e164}",
        created_at=uow.clock.now(), created_by_id=actor.account_id,
    ))
    await uow.session.flush()
    uow.audit(actor, "number.activated", customer_id=n.customer_id, target=n.e164,
              activation_fee_cents=n.activation_fee_cents, monthly_price_cents=n.monthly_price_cents)
    uow.emit("NumberActivated", n.customer_id, number=n.e164, number_id=n.id, versions={n.e164: n.version})
    return await _view(uow, n.id)


async def deactivate(
    uow: UnitOfWork, actor: Actor, *, number: str, expected_version: int | None = None
) -> NumberView:
    """R12: active → pending_deactivation, last active day = end of the following month."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    if n.status is not NumberStatus.ACTIVE:
        raise _status_error("R12", n, "deactivate")
    n.status = NumberStatus.PENDING_DEACTIVATION
    n.deactivation_date = end_of_following_month(uow.clock.today())
    await uow.session.flush()
    uow.audit(actor, "number.deactivation_marked", customer_id=n.customer_id, target=n.e164,
              deactivation_date=n.deactivation_date.isoformat())
    uow.emit("NumberDeactivationMarked", n.customer_id, number=n.e164, number_id=n.id, versions={n.e164: n.version},
             deactivation_date=n.deactivation_date.isoformat())
    return await _view(uow, n.id)


async def undo_deactivation(
    uow: UnitOfWork, actor: Actor, *, number: str, expected_version: int | None = None
) -> NumberView:
    """R12: pending_deactivation → active, possible until the deactivation takes effect."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    if n.status is not NumberStatus.PENDING_DEACTIVATION:
        raise _status_error("R12", n, "undo")
    previous = n.deactivation_date
    n.status = NumberStatus.ACTIVE
    n.deactivation_date = None
    await uow.session.flush()
    uow.audit(actor, "number.deactivation_undone", customer_id=n.customer_id, target=n.e164,
              deactivation_date=previous.isoformat() if previous else None)
    uow.emit("NumberDeactivationUndone", n.customer_id, number=n.e164, number_id=n.id, versions={n.e164: n.version})
    return await _view(uow, n.id)


async def swap(
    uow: UnitOfWork,
    actor: Actor,
    *,
    old: str,
    new: str,
    expected_old_version: int | None = None,
    expected_new_version: int | None = None,
) -> SwapResult:
    """R13: the active ``old`` becomes inactive at once and the inactive ``new`` active in
    its place; cost-neutral (no charge); every setting of ``old`` is deleted."""
    old_n = await _load_for_manage(uow, actor, old, expected_old_version)
    new_n = await _load_for_manage(uow, actor, new, expected_new_version)
    if old_n.id == new_n.id:
        raise RuleViolation("R13", "error.numbers.swap_same")
    if old_n.status not in _IN_USE:
        raise _status_error("R13", old_n, "swap")
    if new_n.status is not NumberStatus.INACTIVE:
        raise _status_error("R13", new_n, "swap")
    if old_n.kind is not new_n.kind:
        raise RuleViolation("R13", "error.numbers.swap_kind", old=old_n.e164, new=new_n.e164)
    assigned, owner = old_n.assigned_account_id, old_n.fax_owner_id
    old_n.status = NumberStatus.INACTIVE
    old_n.deactivation_date = None
    old_n.settings = {}
    old_n.assigned_account_id = None
    old_n.fax_owner_id = None
    new_n.status = NumberStatus.ACTIVE
    new_n.deactivation_date = None
    new_n.settings = {}
    new_n.assigned_account_id = assigned
    new_n.fax_owner_id = owner
    await uow.session.flush()
    uow.audit(actor, "number.swapped", customer_id=old_n.customer_id,
              target=f"{old_n.e164} -> {new_n.e164}", old=old_n.e164, new=new_n.e164)
    uow.emit("NumbersSwapped", old_n.customer_id, number=new_n.e164, numbers=[old_n.e164, new_n.e164],
             old=old_n.e164, new=new_n.e164,
             versions={old_n.e164: old_n.version, new_n.e164: new_n.version})
    return SwapResult(await _view(uow, old_n.id), await _view(uow, new_n.id))


async def set_forwarding(
    uow: UnitOfWork,
    actor: Actor,
    *,
    number: str,
    target: str | None,
    expected_version: int | None = None,
) -> NumberView:
    """Forward calls to an IP device (SIP URI) or another number; empty target removes it."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    if n.status not in _IN_USE:
        raise _status_error("R13", n, "forward")
    settings = dict(n.settings or {})
    if target and target.strip():
        settings[FORWARDING_KEY] = validate_forwarding_target(target)
    else:
        settings.pop(FORWARDING_KEY, None)
    n.settings = settings
    await uow.session.flush()
    uow.audit(actor, "number.forwarding_set", customer_id=n.customer_id, target=n.e164,
              forwarding_target=settings.get(FORWARDING_KEY))
    uow.emit("NumberForwardingSet", n.customer_id, number=n.e164, number_id=n.id, versions={n.e164: n.version})
    return await _view(uow, n.id)


async def assign(
    uow: UnitOfWork,
    actor: Actor,
    *,
    number: str,
    username: str,
    delete_traffic_data: bool = False,
    expected_version: int | None = None,
) -> NumberView:
    """R14: give the number to an employee; optionally delete the previous user's call
    records of this number (they become unavailable to everyone)."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    if n.status not in _IN_USE:
        raise _status_error("R14", n, "assign")
    account = await uow.session.scalar(
        select(Account).where(Account.username == (username or "").strip().lower())
    )
    if (account is None or account.customer_id != n.customer_id or not account.active
            or account.role not in (Role.EMPLOYEE, Role.ADMIN)):
        raise NotFound("error.numbers.unknown_employee", username=(username or "")[:64])
    previous_id = n.assigned_account_id
    if previous_id == account.id:
        raise RuleViolation("R14", "error.numbers.already_assigned", number=n.e164,
                            username=account.username)
    previous = await uow.session.get(Account, previous_id) if previous_id else None
    deleted = 0
    if delete_traffic_data and previous_id is not None:
        result = await uow.session.execute(
            update(CallRecord)
            .where(and_(CallRecord.number_id == n.id, CallRecord.account_id == previous_id,
                        CallRecord.deleted.is_(False)))
            .values(deleted=True)
        )
        deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
    n.assigned_account_id = account.id
    if n.kind is NumberKind.FAX and n.fax_owner_id is not None:
        n.fax_owner_id = account.id
    await uow.session.flush()
    uow.audit(actor, "number.assigned", customer_id=n.customer_id, target=n.e164,
              previous=previous.username if previous else None, assigned=account.username,
              traffic_data_deleted=deleted)
    uow.emit("NumberAssigned", n.customer_id, number=n.e164, number_id=n.id, versions={n.e164: n.version},
             assigned_to=account.username, previous=previous.username if previous else None)
    return await _view(uow, n.id)


async def send_fax_credentials(
    uow: UnitOfWork,
    actor: Actor,
    *,
    number: str,
    usernames: list[str],
    expected_version: int | None = None,
) -> FaxSendResult:
    """R15: e-mail fax printer-driver credentials; a personal fax only to its owner."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    if n.kind is not NumberKind.FAX:
        raise RuleViolation("R15", "error.numbers.not_fax", number=n.e164)
    if n.status not in _IN_USE:
        raise _status_error("R15", n, "fax")
    wanted = sorted({u.strip().lower() for u in usernames if u and u.strip()})
    if not wanted:
        raise ValidationError("error.numbers.no_recipients")
    if n.fax_owner_id is not None:
        owner = await uow.session.get(Account, n.fax_owner_id)
        if owner is None or wanted != [owner.username]:
            raise RuleViolation("R15", "error.numbers.fax_personal_only", number=n.e164,
                                owner=owner.username if owner else "–")
    accounts = list(await uow.session.scalars(
        select(Account).where(Account.username.in_(wanted), Account.customer_id == n.customer_id,
                              Account.active.is_(True))
    ))
    found = {a.username for a in accounts}
    missing = [u for u in wanted if u not in found]
    if missing:
        raise NotFound("error.numbers.unknown_employee", username=missing[0][:64])
    without_mail = [a.username for a in accounts if not a.email]
    if without_mail:
        raise RuleViolation("R15", "error.numbers.no_email", username=without_mail[0])
    settings = dict(n.settings or {})
    creds = dict(settings.get(FAX_CREDENTIALS_KEY) or {})
    national = national_form(n.e164, n.area_prefix)
    digits = n.e164.lstrip("+")
    for acc in sorted(accounts, key=lambda a: a.username):
        login = f"fax{digits}-{acc.username}"
        password = random_password(16)
        creds[acc.username] = {"login": login, "password_hash": await hash_secret(password)}
        loc = acc.locale
        uow.send(
            OutboxKind.EMAIL, to=acc.email or "", customer_id=n.customer_id,
            subject=t(loc, "mail.numbers.fax_subject", number=national),
            body=t(loc, "mail.numbers.fax_body", name=acc.full_name or acc.username,
                   number=national, login=login, password=password),
        )
    settings[FAX_CREDENTIALS_KEY] = creds
    n.settings = settings
    await uow.session.flush()
    sent = tuple(a.username for a in sorted(accounts, key=lambda a: a.username))
    uow.audit(actor, "number.fax_credentials_sent", customer_id=n.customer_id, target=n.e164,
              recipients=list(sent))
    uow.emit("FaxCredentialsSent", n.customer_id, number=n.e164, number_id=n.id, versions={n.e164: n.version},
             recipients=list(sent))
    return FaxSendResult(n.e164, sent)


# ---------------------------------------------------------------- scheduler job


async def apply_due_deactivations(uow: UnitOfWork, *, today: date) -> int:
    """R12: every number whose last active day lies before ``today`` becomes inactive.

    Idempotent (only pending numbers qualify) and catches up after downtime (everything
    due up to ``today``, however old)."""
    due = list(await uow.session.scalars(
        select(Number)
        .where(Number.status == NumberStatus.PENDING_DEACTIVATION,
               Number.deactivation_date < today)
        .order_by(Number.id)
    ))
    for n in due:
        last_day = n.deactivation_date
        n.status = NumberStatus.INACTIVE
        n.deactivation_date = None
        await uow.session.flush()
        uow.audit(None, "number.deactivated", customer_id=n.customer_id, target=n.e164,
                  last_active_day=last_day.isoformat() if last_day else None)
        uow.emit("NumberDeactivated", n.customer_id, number=n.e164, number_id=n.id,
                 versions={n.e164: n.version})
    return len(due)
