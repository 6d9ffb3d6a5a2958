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

from datetime import date

from sqlalchemy import and_, select, update

from core.authz import Actor
from core.enums import NumberAction
from core.errors import NotFound, RuleViolation, ValidationError
from core.i18n import t
from core.locations import stored
from core.models import (
    Account,
    CallRecord,
    Number,
    NumberKind,
    NumberStatus,
    OutboxKind,
    Role,
)
from core.security import hash_secret, random_password
from core.services import approval_guard as approvals
from core.services import number_blocks, stepup
from core.services.number_reads import (  # re-exported: callers use numbers.X
    _emit_changed,
    _load_for_manage,
    _refuse,
    _view,
    activation_quote,
    count_numbers,
    deactivation_quote,
    fax_recipients,
    get_number,
    get_numbers,
    list_assignees,
    list_call_records,
    list_numbers,
    number_page,
    status_named,
    status_words,
    swap_options,
)
from core.services.number_views import (  # re-exported: callers use numbers.X
    BLOCK_MEMBER,
    FAX_CREDENTIALS_KEY,
    FORWARDING_KEY,
    AccountChoice,
    ActionCheck,
    CallRecordView,
    DeactivationQuote,
    FaxRecipientChoice,
    FaxSendResult,
    NumberPage,
    NumberView,
    Quote,
    SwapResult,
    end_of_following_month,
    location_refusal,
    national_form,
    normalize_number,
    swap_refusal,
    validate_forwarding_target,
)
from core.uow import UnitOfWork

__all__ = [
    "FAX_CREDENTIALS_KEY",
    "FORWARDING_KEY",
    "AccountChoice",
    "ActionCheck",
    "CallRecordView",
    "DeactivationQuote",
    "FaxRecipientChoice",
    "FaxSendResult",
    "NumberPage",
    "NumberView",
    "Quote",
    "SwapResult",
    "activate",
    "activation_quote",
    "apply_due_deactivations",
    "assign",
    "count_numbers",
    "deactivate",
    "deactivation_quote",
    "end_of_following_month",
    "fax_recipients",
    "get_number",
    "get_numbers",
    "list_assignees",
    "list_call_records",
    "list_numbers",
    "national_form",
    "normalize_number",
    "number_page",
    "send_fax_credentials",
    "set_forwarding",
    "status_named",
    "status_words",
    "swap",
    "swap_options",
    "undo_deactivation",
    "validate_forwarding_target",
]


# ---------------------------------------------------------------- writes


async def activate(
    uow: UnitOfWork, actor: Actor, *, number: str, expected_version: int | None = None
) -> NumberView:
    """R11: inactive → active, chargeable: records the one-time activation charge."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    _refuse(NumberAction.ACTIVATE, n)
    if n.block_id is not None:  # R30: the whole block, all or nothing
        return (await number_blocks._apply_change(uow, actor, NumberAction.ACTIVATE, n)
                ).view_of(n.e164)
    number_blocks.set_state(uow, actor, NumberAction.ACTIVATE, n, None)  # with its charge
    await uow.session.flush()
    uow.audit(
        actor,
        "number.activated",
        customer_id=n.customer_id,
        target=n.e164,
        activation_fee_cents=n.activation_fee_cents,
        monthly_price_cents=n.monthly_price_cents,
    )
    number_blocks.emit_member(uow, NumberAction.ACTIVATE, n)
    return await _view(uow, actor, n.id)


async def deactivate(
    uow: UnitOfWork, actor: Actor, *, number: str, expected_version: int | None = None
) -> NumberView:
    """R12: active → pending_deactivation, last active day = end of the following month."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    _refuse(NumberAction.DEACTIVATE, n)
    if n.block_id is not None:  # R30: the whole block, all or nothing
        return (await number_blocks._apply_change(uow, actor, NumberAction.DEACTIVATE, n)
                ).view_of(n.e164)
    last_day = end_of_following_month(uow.clock.today())
    number_blocks.set_state(uow, actor, NumberAction.DEACTIVATE, n, last_day)
    await uow.session.flush()
    uow.audit(actor, "number.deactivation_marked", customer_id=n.customer_id, target=n.e164,
              deactivation_date=last_day.isoformat())
    number_blocks.emit_member(uow, NumberAction.DEACTIVATE, n)
    return await _view(uow, actor, n.id)


async def undo_deactivation(
    uow: UnitOfWork, actor: Actor, *, number: str, expected_version: int | None = None
) -> NumberView:
    """R12: pending_deactivation → active, possible until the deactivation takes effect."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    _refuse(NumberAction.UNDO, n)
    if n.block_id is not None:  # R30: the whole block, all or nothing
        return (await number_blocks._apply_change(uow, actor, NumberAction.UNDO, n)
                ).view_of(n.e164)
    previous = n.deactivation_date
    number_blocks.set_state(uow, actor, NumberAction.UNDO, n, None)
    await uow.session.flush()
    uow.audit(actor, "number.deactivation_undone", customer_id=n.customer_id, target=n.e164,
              deactivation_date=previous.isoformat() if previous else None)
    number_blocks.emit_member(uow, NumberAction.UNDO, n)
    return await _view(uow, actor, n.id)


async def swap(
    uow: UnitOfWork,
    actor: Actor,
    *,
    old: str,
    new: str,
    expected_old_version: int | None = None,
    expected_new_version: int | None = None,
    code: str | None = None,
) -> SwapResult:
    """R13: the active ``old`` becomes inactive at once and the inactive ``new`` active in
    its place; cost-neutral (no charge); every setting of ``old`` is deleted. ``code``: the
    R20 step-up code when the customer's policy asks for one."""
    old_n = await _load_for_manage(uow, actor, old, expected_old_version)
    new_n = await _load_for_manage(uow, actor, new, expected_new_version)
    if old_n.id == new_n.id:
        raise RuleViolation("R13", "error.numbers.swap_same")
    for side, n in (("old", old_n), ("new", new_n)):
        error = swap_refusal(side, number=n.e164, status=n.status,
                             block=BLOCK_MEMBER if n.block_id is not None else "")
        if error is not None:
            raise error
    if old_n.kind is not new_n.kind:
        raise RuleViolation("R13", "error.numbers.swap_kind", old=old_n.e164, new=new_n.e164)
    if new_n.kind is NumberKind.VOICE and stored(new_n) is None:
        raise location_refusal(new_n.e164)  # R29: the new number is switched on
    if not await stepup.verify(uow, actor, customer_id=old_n.customer_id, action=stepup.SWAP,
                               object_id=f"{old_n.e164}>{new_n.e164}", code=code):
        return stepup.refused()
    if not await approvals.guard(uow, actor, customer_id=old_n.customer_id, action=approvals.SWAP,
                                 object_id=f"{old_n.e164}>{new_n.e164}",
                                 params={"old": old_n.e164, "new": new_n.e164}):
        return stepup.refused()
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
    uow.emit(
        "NumbersSwapped",
        old_n.customer_id,
        number=new_n.e164,
        numbers=[old_n.e164, new_n.e164],
        old=old_n.e164,
        new=new_n.e164,
        versions={old_n.e164: old_n.version, new_n.e164: new_n.version},
    )
    return SwapResult(await _view(uow, actor, old_n.id), await _view(uow, actor, new_n.id))


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
    _refuse(NumberAction.FORWARDING, n)
    settings = dict(n.settings or {})
    if target and target.strip():
        settings[FORWARDING_KEY] = validate_forwarding_target(target)
    else:
        settings.pop(FORWARDING_KEY, None)
    n.settings = settings
    await uow.session.flush()
    uow.audit(actor, "number.forwarding_set", customer_id=n.customer_id, target=n.e164,
              forwarding_target=settings.get(FORWARDING_KEY))
    _emit_changed(uow, "NumberForwardingSet", n)
    return await _view(uow, actor, n.id)


async def assign(
    uow: UnitOfWork,
    actor: Actor,
    *,
    number: str,
    username: str,
    delete_traffic_data: bool = False,
    expected_version: int | None = None,
    code: str | None = None,
) -> NumberView:
    """R14: give the number to an employee; optionally delete the previous user's call
    records of this number (they become unavailable to everyone)."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    _refuse(NumberAction.ASSIGN, n)
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
    if delete_traffic_data and previous_id is not None and not await stepup.verify(
            uow, actor, customer_id=n.customer_id, action=stepup.ASSIGN_DELETE,
            object_id=n.e164, code=code):
        return stepup.refused()
    if delete_traffic_data and previous_id is not None and not await approvals.guard(
            uow, actor, customer_id=n.customer_id, action=approvals.ASSIGN_DELETE,
            object_id=n.e164, params={"number": n.e164, "username": account.username,
                                      "previous": previous.username if previous else None}):
        return stepup.refused()
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
    _emit_changed(uow, "NumberAssigned", n, assigned_to=account.username,
                  previous=previous.username if previous else None)
    return await _view(uow, actor, n.id)


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
    _refuse(NumberAction.FAX, n)
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
    _emit_changed(uow, "FaxCredentialsSent", n, recipients=list(sent))
    return FaxSendResult(n.e164, sent)


# ---------------------------------------------------------------- scheduler job


async def apply_due_deactivations(uow: UnitOfWork, *, today: date) -> int:
    """R12: every number whose last active day lies before ``today`` becomes inactive.

    Idempotent (only pending numbers qualify) and catches up after downtime (everything
    due up to ``today``, however old). A block's numbers (R30) become inactive together,
    with one audit entry naming the block (:func:`number_blocks.deactivate_due`)."""
    due = list(await uow.session.scalars(
        select(Number)
        .where(Number.status == NumberStatus.PENDING_DEACTIVATION,
               Number.deactivation_date < today)
        .order_by(Number.id)
    ))
    blocks: dict[int, list[Number]] = {}
    for n in due:
        if n.block_id is not None:
            blocks.setdefault(n.block_id, []).append(n)
    done = 0
    for block_id, members in sorted(blocks.items()):
        done += await number_blocks.deactivate_due(uow, block_id, members)
    for n in (n for n in due if n.block_id is None):
        last_day = n.deactivation_date
        n.status = NumberStatus.INACTIVE
        n.deactivation_date = None
        await uow.session.flush()
        uow.audit(None, "number.deactivated", customer_id=n.customer_id, target=n.e164,
                  last_active_day=last_day.isoformat() if last_day else None)
        _emit_changed(uow, "NumberDeactivated", n)
        done += 1
    return done
