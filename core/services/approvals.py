"""R21 four-eyes approval: a customer policy that makes the dangerous actions a request.

With ``Customer.approval_required`` on (off by default; on for Beispiel AG in the demo),
credential generation (now or scheduled), swap and assignment with traffic-data deletion
do not run: the guarded service stores an :class:`~core.models.ApprovalRequest` with the
full parameters, audits it, emits ``ApprovalRequested`` (live for the other admins) and the
caller gets :class:`ApprovalRequested` (raised after commit, exit code 5 in command mode).

Another admin of the same customer approves or rejects (a comment is required) within
:data:`TTL`; after that the request is expired. The requester never decides their own
request, support never counts as the second admin.

On approval the guarded service itself runs again with the *approver* as actor, so every
rule is checked anew (permission, tenant, the number still active, the schedule time still
15 min ahead, ...). A refusal marks the request failed with the reason (in a savepoint, so
nothing of the action stays) and the approver is told why. The action's audit rows carry
``requested_by`` / ``approved_by``; a separate ``approval.approved`` row names both.

R20 with R21: the requester proves step-up (the code) when filing; the approver proves it
again when approving — the code is bound to the same action and object as the request, so
command mode's one ``--code`` place (``Context.run``) handles both without anything new.

New credentials go to what the *requester* consented to (the request stores the recipient
and its e-mail and mobile, as R19 does): if that contact changed meanwhile, or the account
is gone, the approval fails with that reason and the requester is told by e-mail (to the
consented and the current address), in the spirit of R19's cancellation. That is the second
line: a contact change through the services withdraws such an open request at once (status
cancelled, see :func:`core.services.approval_guard.withdraw_for_contact_change`).

The policy itself (:func:`set_policy`): a customer admin turns it on at once; turning it
off is a guarded action of its own (:data:`POLICY_OFF`), so while it is on, switching it off
is a request another admin must approve. Support may not change it either way.

Turning it off withdraws every other open request of the customer at once (status
cancelled, :func:`_withdraw_open`): each existed only because the policy made its action
a request, and without the policy its requester can run the action directly; an approval
left open could otherwise run it a second time later (new credentials twice: the line drops
twice). Each is audited (``approval.cancelled``, cause ``policy_off``), announced
(``ApprovalDecided``: Freigaben and Fristen drop it live) and its requester is told by
e-mail that nothing was done and that the action can now be run directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from core.authz import Actor, Permission, permits, require
from core.errors import DomainError, NotFound, PermissionDenied, RuleViolation, ValidationError
from core.i18n import t
from core.models import Account, ApprovalRequest, AuditEvent, Customer, Role
from core.security import mask_email, mask_phone
from core.services import credentials, numbers
from core.services.approval_guard import (
    ACTIONS,
    ASSIGN_DELETE,
    CANCELLED,
    GENERATE,
    PENDING,
    POLICY_OFF,
    SCHEDULE,
    SWAP,
    TTL,
    ApprovalRequested,
    Consent,
    Running,
    describe,
    executing,
    guard,
    policy_on,
)
from core.services.consent_notice import mail_consented_and_current
from core.services.stepup import StepUpRequired, refused
from core.uow import UnitOfWork

__all__ = ["ACTIONS", "ASSIGN_DELETE", "CANCELLED", "GENERATE", "POLICY_OFF", "SCHEDULE",
           "SWAP", "TTL", "ApprovalPolicy", "ApprovalRequested", "ApprovalView", "approve",
           "describe", "get_policy", "guard", "list_requests", "policy_on", "reject", "set_policy"]

COMMENT_MAX = 500
CONSENT_REFUSALS = frozenset({"approvals.error.contact_changed",
                              "approvals.error.recipient_gone", "approvals.error.no_consent"})
"""Refusals on approval that concern the requester's consent: the requester is told."""

APPROVED = "approved"
REJECTED = "rejected"
FAILED = "failed"
EXPIRED = "expired"


@dataclass(frozen=True)
class ApprovalView:
    id: int
    action: str
    what: str
    """The action and its parameters in the actor's language (user data: escape)."""
    object_id: str
    params: dict[str, Any]
    requested_by: str
    created_at: datetime
    expires_at: datetime
    status: str
    """Effective: a pending request past :attr:`expires_at` is ``expired``."""
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None
    can_decide: bool
    refusal: str | None
    """Why the actor may not decide (own request, support, no longer open), else None."""
    delivery: str | None = None
    """New credentials: where they go, as consented by the requester (masked), else None."""


@dataclass(frozen=True)
class ApprovalPolicy:
    customer_id: int
    required: bool
    pending_off: int | None
    """The open request to turn the policy off, if there is one."""


def _status(row: ApprovalRequest, now: datetime) -> str:
    if row.status == PENDING and now >= row.expires_at:
        return EXPIRED
    return row.status


def _refusal(actor: Actor, row: ApprovalRequest, now: datetime) -> str | None:
    status = _status(row, now)
    if status == EXPIRED:
        return t(actor.locale, "approvals.error.expired", id=row.id)
    if status != PENDING:
        return t(actor.locale, "approvals.error.decided", id=row.id,
                 status=t(actor.locale, f"approvals.status.{status}"))
    if actor.role is Role.SUPPORT:
        return t(actor.locale, "approvals.error.support")
    if row.requested_by_id == actor.account_id:
        return t(actor.locale, "approvals.error.own")
    return None


def _view(
    actor: Actor, row: ApprovalRequest, now: datetime, recipient: str | None = None
) -> ApprovalView:
    why = _refusal(actor, row, now)
    delivery = None
    if row.consent_email and row.consent_mobile:
        delivery = t(actor.locale, "approvals.delivery", user=recipient or "–",
                     email=mask_email(row.consent_email), mobile=mask_phone(row.consent_mobile))
    return ApprovalView(
        id=row.id, action=row.action, what=describe(actor.locale, row.action, row.params),
        object_id=row.object_id, params=dict(row.params), requested_by=row.requested_by,
        created_at=row.created_at, expires_at=row.expires_at, status=_status(row, now),
        decided_by=row.decided_by, decided_at=row.decided_at, comment=row.comment,
        can_decide=why is None, refusal=why, delivery=delivery,
    )


async def _recipients(uow: UnitOfWork, rows: Any) -> dict[int, str]:
    ids = {row.recipient_id for row in rows if row.recipient_id is not None}
    if not ids:
        return {}
    found = await uow.session.execute(
        select(Account.id, Account.username).where(Account.id.in_(ids)))
    return {account_id: username for account_id, username in found}


def may_list(actor: Actor) -> bool:
    """Whether the actor's role can ever see the approvals list (:func:`list_requests`):
    not an employee, so the ``a`` key is not offered to one."""
    return actor.role_may(Permission.USER_READ)


def may_list_now(actor: Actor) -> bool:
    """Whether :func:`list_requests` lets the actor in as it is now: an admin in the user
    view is refused (the screen's ``a`` says why instead of opening an empty list)."""
    return (may_list(actor) and actor.customer_id is not None
            and permits(actor, Permission.USER_READ))


async def list_requests(
    uow: UnitOfWork, actor: Actor, *, include_done: bool = False
) -> list[ApprovalView]:
    """The customer's requests, oldest first: open ones only unless ``include_done``."""
    require(actor, Permission.USER_READ, customer_id=actor.customer_id)
    if actor.customer_id is None:
        raise NotFound()
    now = uow.clock.now()
    query = select(ApprovalRequest).where(ApprovalRequest.customer_id == actor.customer_id)
    if not include_done:
        query = query.where(ApprovalRequest.status == PENDING,
                            ApprovalRequest.expires_at > now)
    rows = (await uow.session.scalars(query.order_by(ApprovalRequest.id))).all()
    names = await _recipients(uow, rows)
    return [_view(actor, row, now, names.get(row.recipient_id or 0)) for row in rows]


async def _open_policy_off(uow: UnitOfWork, customer_id: int) -> int | None:
    return await uow.session.scalar(
        select(ApprovalRequest.id).where(
            ApprovalRequest.customer_id == customer_id, ApprovalRequest.action == POLICY_OFF,
            ApprovalRequest.status == PENDING, ApprovalRequest.expires_at > uow.clock.now())
        .order_by(ApprovalRequest.id).limit(1))


async def get_policy(uow: UnitOfWork, actor: Actor) -> ApprovalPolicy:
    """The customer's four-eyes policy and an open request to turn it off (user management)."""
    require(actor, Permission.USER_READ, customer_id=actor.customer_id)
    if actor.customer_id is None:
        raise NotFound()
    return ApprovalPolicy(actor.customer_id, await policy_on(uow, actor.customer_id),
                          await _open_policy_off(uow, actor.customer_id))


async def set_policy(uow: UnitOfWork, actor: Actor, *, required: bool) -> ApprovalPolicy:
    """A customer admin turns the policy on (at once) or off. While it is on, turning it off
    is itself a four-eyes request (:data:`POLICY_OFF`): one admin account alone cannot
    disable the protection; another admin's approval switches it off. Support may not
    change it (the customer's own decision). Audited; ``ApprovalPolicyChanged`` is emitted."""
    if actor.role is Role.SUPPORT:
        raise PermissionDenied("approvals.error.policy_support")
    require(actor, Permission.USER_MANAGE, customer_id=actor.customer_id)
    customer = await uow.session.get(Customer, actor.customer_id)
    if customer is None:
        raise NotFound()
    if customer.approval_required == required:
        return ApprovalPolicy(customer.id, required, await _open_policy_off(uow, customer.id))
    if not required:
        running = executing.get()
        pending = await _open_policy_off(uow, customer.id)
        if pending is not None and (running is None or running.id != pending):
            raise RuleViolation("R21", "approvals.error.policy_off_pending", id=pending)
        if not await guard(uow, actor, customer_id=customer.id, action=POLICY_OFF,
                           object_id=str(customer.id), params={"customer": customer.name}):
            return refused()
    customer.approval_required = required
    await uow.session.flush()
    extra: dict[str, Any] = {}
    if not required:
        running = executing.get()
        extra["withdrawn"] = await _withdraw_open(
            uow, actor, customer.id, keep=running.id if running is not None else None)
    uow.audit(actor, "approval.policy_on" if required else "approval.policy_off",
              customer_id=customer.id, target=customer.name, **extra)
    uow.emit("ApprovalPolicyChanged", customer.id, required=required)
    return ApprovalPolicy(customer.id, required, None)


async def _withdraw_open(uow: UnitOfWork, actor: Actor, customer_id: int, *,
                         keep: int | None) -> int:
    """R21: the policy was turned off: the customer's open requests (but ``keep``, the
    approved request that turned it off) are withdrawn, audited, announced and their
    requesters told by e-mail. Returns how many."""
    now = uow.clock.now()
    rows = (await uow.session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.customer_id == customer_id, ApprovalRequest.status == PENDING,
            ApprovalRequest.expires_at > now)
        .order_by(ApprovalRequest.id))).all()
    withdrawn = 0
    for row in rows:
        if row.id == keep:
            continue
        requester = await uow.session.get(Account, row.requested_by_id)
        loc = requester.locale if requester is not None else actor.locale
        reason = t(loc, "approvals.error.policy_turned_off", user=actor.username)
        row.status, row.decided_at, row.comment = CANCELLED, now, reason[:COMMENT_MAX]
        withdrawn += 1
        uow.audit(actor, "approval.cancelled", customer_id=row.customer_id,
                  target=row.object_id, approval_id=row.id, for_action=row.action,
                  requested_by=row.requested_by, cause="policy_off")
        uow.emit("ApprovalDecided", row.customer_id, approval_id=row.id, status=CANCELLED)
        if requester is not None:
            mail_consented_and_current(
                uow, consented=None, current=requester.email,
                subject=t(loc, "approvals.mail.cancelled.subject", id=row.id),
                body=t(loc, "approvals.mail.policy_off.body",
                       name=requester.full_name or requester.username, id=row.id,
                       what=describe(loc, row.action, row.params), reason=reason),
                customer_id=row.customer_id, key=f"approval-{row.id}-cancelled")
    if withdrawn:
        await uow.session.flush()
    return withdrawn


async def _load_for_decision(uow: UnitOfWork, actor: Actor, request_id: int) -> ApprovalRequest:
    require(actor, Permission.USER_MANAGE, customer_id=actor.customer_id)
    row = await uow.session.get(ApprovalRequest, request_id)
    if row is None or row.customer_id != actor.customer_id:
        raise NotFound("approvals.error.not_found", id=request_id)
    if actor.role is Role.SUPPORT:
        raise PermissionDenied("approvals.error.support")
    now = uow.clock.now()
    status = _status(row, now)
    if status == EXPIRED:
        raise RuleViolation("R21", "approvals.error.expired", id=row.id)
    if status != PENDING:
        raise RuleViolation("R21", "approvals.error.decided", id=row.id,
                            status=t(actor.locale, f"approvals.status.{status}"))
    if row.requested_by_id == actor.account_id:
        raise RuleViolation("R21", "approvals.error.own")
    return row


async def _claim(uow: UnitOfWork, actor: Actor, row: ApprovalRequest) -> None:
    """Take the request for this decision: a conditional update on the still-open row, so
    of two admins deciding at once (other sessions or nodes) the second waits for the
    first's transaction and then finds it decided (the action never runs twice)."""
    claimed = await uow.session.execute(
        update(ApprovalRequest)
        .where(ApprovalRequest.id == row.id, ApprovalRequest.status == PENDING)
        .values(decided_by=actor.username)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        await uow.session.refresh(row)
        raise RuleViolation("R21", "approvals.error.decided", id=row.id,
                            status=t(actor.locale, f"approvals.status.{row.status}"))


async def reject(
    uow: UnitOfWork, actor: Actor, *, request_id: int, comment: str
) -> ApprovalView:
    """Reject an open request of another admin; the comment is required."""
    row = await _load_for_decision(uow, actor, request_id)
    await _claim(uow, actor, row)
    text = " ".join((comment or "").split())
    if not text:
        raise ValidationError("approvals.error.comment_required")
    if len(text) > COMMENT_MAX:
        raise ValidationError("approvals.error.comment_too_long", max=COMMENT_MAX)
    now = uow.clock.now()
    row.status, row.decided_by, row.decided_at, row.comment = REJECTED, actor.username, now, text
    await uow.session.flush()
    uow.audit(actor, "approval.rejected", customer_id=row.customer_id, target=row.object_id,
              approval_id=row.id, for_action=row.action, requested_by=row.requested_by,
              comment=text)
    uow.emit("ApprovalDecided", row.customer_id, approval_id=row.id, status=REJECTED)
    return _view(actor, row, now)


@contextmanager
def _running(row: ApprovalRequest) -> Iterator[None]:
    consent = None
    if row.recipient_id is not None and row.consent_email and row.consent_mobile:
        consent = Consent(row.recipient_id, row.consent_email, row.consent_mobile)
    token = executing.set(Running(row.id, row.action, row.object_id, consent))
    try:
        yield
    finally:
        executing.reset(token)


async def _run(uow: UnitOfWork, actor: Actor, row: ApprovalRequest, code: str | None) -> Any:
    p = row.params
    if row.action == GENERATE:
        return await credentials.generate(uow, actor, contract_id=int(p["contract_id"]),
                                          consent=True, code=code)
    if row.action == SCHEDULE:
        return await credentials.schedule(uow, actor, contract_id=int(p["contract_id"]),
                                          at=datetime.fromisoformat(str(p["at"])),
                                          consent=True, code=code)
    if row.action == SWAP:
        return await numbers.swap(uow, actor, old=str(p["old"]), new=str(p["new"]), code=code)
    if row.action == ASSIGN_DELETE:
        return await numbers.assign(uow, actor, number=str(p["number"]),
                                    username=str(p["username"]), delete_traffic_data=True,
                                    code=code)
    if row.action == POLICY_OFF:
        return await set_policy(uow, actor, required=False)
    raise NotFound("approvals.error.not_found", id=row.id)


async def _tell_requester(uow: UnitOfWork, row: ApprovalRequest, error: DomainError) -> None:
    """The approval of a credentials request failed because the consented contact changed
    (or its account is gone): the requester is told by e-mail, to the consented and the
    current address (as R19 tells the admin of a cancelled scheduled reset)."""
    account = await uow.session.get(Account, row.requested_by_id)
    if account is None:
        return
    loc = account.locale
    mail_consented_and_current(
        uow, consented=row.consent_email, current=account.email,
        subject=t(loc, "approvals.mail.failed.subject", id=row.id),
        body=t(loc, "approvals.mail.failed.body", name=account.full_name or account.username,
               id=row.id, what=describe(loc, row.action, row.params),
               reason=error.render(loc)),
        customer_id=row.customer_id, key=f"approval-{row.id}-failed")


async def approve(
    uow: UnitOfWork, actor: Actor, *, request_id: int, code: str | None = None
) -> ApprovalView:
    """Approve an open request of another admin: the action runs now with the approver as
    actor, every rule checked again. ``code``: the approver's R20 code for that action and
    object. A rule that refuses marks the request failed with the reason (and raises it
    to the approver after commit)."""
    row = await _load_for_decision(uow, actor, request_id)
    await _claim(uow, actor, row)
    before = await uow.session.scalar(select(func.max(AuditEvent.id))) or 0
    try:
        with _running(row):
            async with uow.session.begin_nested():
                await _run(uow, actor, row, code)
    except StepUpRequired:
        raise
    except DomainError as error:
        reason = error.render(actor.locale)[:COMMENT_MAX]
        if error.key in CONSENT_REFUSALS:
            await _tell_requester(uow, row, error)
        now = uow.clock.now()
        row.status, row.decided_by, row.decided_at, row.comment = (
            FAILED, actor.username, now, reason)
        await uow.session.flush()
        uow.audit(actor, "approval.failed", customer_id=row.customer_id, target=row.object_id,
                  approval_id=row.id, for_action=row.action, requested_by=row.requested_by,
                  failure=reason)
        uow.emit("ApprovalDecided", row.customer_id, approval_id=row.id, status=FAILED)
        uow.fail_after_commit(RuleViolation("R21", "approvals.error.failed", id=row.id,
                                            reason=reason))
        return _view(actor, row, now)
    now = uow.clock.now()
    if uow.error_after_commit is not None:  # a wrong step-up code: stays open
        return _view(actor, row, now)
    done = (await uow.session.scalars(
        select(AuditEvent).where(AuditEvent.id > before,
                                 AuditEvent.customer_id == row.customer_id,
                                 AuditEvent.actor_id == actor.account_id))).all()
    for event in done:
        if "approval_id" in (event.details or {}):
            continue  # about another request (policy off withdrew it): keeps its own names
        event.details = {**(event.details or {}), "requested_by": row.requested_by,
                         "approved_by": actor.username, "approval_id": row.id}
    row.status, row.decided_by, row.decided_at = APPROVED, actor.username, now
    await uow.session.flush()
    uow.audit(actor, "approval.approved", customer_id=row.customer_id, target=row.object_id,
              approval_id=row.id, for_action=row.action, requested_by=row.requested_by,
              approved_by=actor.username)
    uow.emit("ApprovalDecided", row.customer_id, approval_id=row.id, status=APPROVED)
    return _view(actor, row, now)
