"""R21 four-eyes approval, the hook the guarded services call (:func:`guard`).

Kept apart from :mod:`core.services.approvals` (listing and deciding, which runs the guarded
services again) so the services can import it without an import circle.

New credentials go where the *requester* consented (R4; as R19 keeps it for a scheduled
reset): the credentials service files its request with a :class:`Consent` (the recipient
account and its e-mail and mobile at that moment); when the approved request runs,
:func:`consented_recipient` gives that account back, or refuses if its contact changed or it
is gone, so the approver's own contact is never used. And as R19 cancels a scheduled reset
the moment its contact changes, :func:`withdraw_for_contact_change` withdraws the open
credentials requests whose consent named the old contact (the approval-time check stays as
the second line).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from core.authz import Actor, Permission, require
from core.errors import NotFound, RuleViolation
from core.i18n import format_datetime, t
from core.models import Account, ApprovalRequest, Customer
from core.security import mask_email, mask_phone
from core.services.consent_notice import mail_consented_and_current
from core.services.stepup import ASSIGN_DELETE, GENERATE, SWAP
from core.uow import UnitOfWork

TTL = timedelta(hours=24)
MAX_PENDING_PER_ACCOUNT = 20
"""Open requests one account may have filed at once (SECURITY.md "Abuse bounds"): each is
a row, an Archiv entry and a notice to the other admins."""

# GENERATE, SWAP and ASSIGN_DELETE are stepup's names: a step-up code and an approval
# request for the same action must name it alike.
SCHEDULE = "credentials.schedule"
POLICY_OFF = "approvals.policy_off"
ACTIONS: dict[str, Permission] = {
    GENERATE: Permission.CREDENTIALS_GENERATE,
    SCHEDULE: Permission.CREDENTIALS_GENERATE,
    SWAP: Permission.NUMBER_MANAGE,
    ASSIGN_DELETE: Permission.NUMBER_MANAGE,
    POLICY_OFF: Permission.USER_MANAGE,
}
"""The guarded actions and the permission filing a request for one needs. Turning the
policy itself off is one of them: one admin account alone cannot switch four eyes off."""
DELIVERING = frozenset({GENERATE, SCHEDULE})
"""The actions that deliver new credentials: they carry the requester's :class:`Consent`."""

PENDING = "pending"
CANCELLED = "cancelled"
"""Withdrawn by the core before anyone decided (the consented contact changed)."""


@dataclass(frozen=True)
class Consent:
    """What the requester consented to (R4): the recipient account and its contact then."""

    recipient_id: int
    email: str
    mobile: str


@dataclass(frozen=True)
class Running:
    """The approved request that is being carried out (see :data:`executing`)."""

    id: int
    action: str
    object_id: str
    consent: Consent | None


executing: ContextVar[Running | None] = ContextVar("approval_executing", default=None)
"""While an approved request runs: the guard lets exactly that action and object pass."""


class ApprovalRequested(RuleViolation):
    """The action was filed as a request (not run); raised after the request committed.
    Not a failure: the TUI shows it as an information, command mode exits 5."""

    exit_code = 5

    def __init__(self, request_id: int, what: str = "") -> None:
        super().__init__("R21", "approvals.filed", id=request_id, what=what)
        self.request_id = request_id


def describe(locale: str, action: str, params: dict[str, Any]) -> str:
    """The request in words: the action and its parameters."""
    shown = dict(params)
    if "at" in shown:
        try:
            shown["at"] = format_datetime(datetime.fromisoformat(str(shown["at"])), locale)
        except ValueError:
            pass
    return t(locale, f"approvals.what.{action}", **{k: str(v) for k, v in shown.items()})


async def policy_on(uow: UnitOfWork, customer_id: int | None) -> bool:
    if customer_id is None:
        return False
    on = await uow.session.scalar(
        select(Customer.approval_required).where(Customer.id == customer_id))
    return bool(on)


async def guard(
    uow: UnitOfWork,
    actor: Actor,
    *,
    customer_id: int,
    action: str,
    object_id: str,
    params: dict[str, Any],
    consent: Consent | None = None,
    recipient: str | None = None,
) -> bool:
    """Called by the guarded services after their rule and step-up checks, before any
    change: True to go on (policy off, or this is the approved request running). Else the
    request is stored, audited and announced, :class:`ApprovalRequested` queued for after
    commit, and False returned: the service must return at once (``stepup.refused()``).

    ``consent`` (credential actions: required) is stored with the request; ``recipient``
    is that account's username for the audit row (its contact is audited masked only)."""
    permission = ACTIONS.get(action)
    if permission is None:
        raise NotFound()
    require(actor, permission, customer_id=customer_id)
    if action in DELIVERING and consent is None:
        raise NotFound()
    running = executing.get()
    if running is not None and (running.action, running.object_id) == (action, object_id[:200]):
        return True
    if not await policy_on(uow, customer_id):
        return True
    now = uow.clock.now()
    filed = await uow.session.scalar(
        select(func.count()).select_from(ApprovalRequest).where(
            ApprovalRequest.requested_by_id == actor.account_id,
            ApprovalRequest.status == PENDING, ApprovalRequest.expires_at > now))
    if (filed or 0) >= MAX_PENDING_PER_ACCOUNT:
        raise RuleViolation("R21", "approvals.error.too_many_pending",
                            max=MAX_PENDING_PER_ACCOUNT)
    row = ApprovalRequest(
        customer_id=customer_id, action=action, object_id=object_id[:200], params=params,
        requested_by_id=actor.account_id, requested_by=actor.username, created_at=now,
        expires_at=now + TTL, status=PENDING,
        recipient_id=consent.recipient_id if consent else None,
        consent_email=consent.email if consent else None,
        consent_mobile=consent.mobile if consent else None,
    )
    uow.session.add(row)
    await uow.session.flush()
    delivery: dict[str, Any] = {} if consent is None else {
        "recipient": recipient, "email": mask_email(consent.email),
        "mobile": mask_phone(consent.mobile)}
    uow.audit(actor, "approval.requested", customer_id=customer_id, target=row.object_id,
              approval_id=row.id, for_action=action, params=params, **delivery)
    uow.emit("ApprovalRequested", customer_id, approval_id=row.id, action=action,
             requested_by=actor.username)
    uow.fail_after_commit(ApprovalRequested(row.id, describe(actor.locale, action, params)))
    return False


async def consented_recipient(uow: UnitOfWork, *, object_id: str) -> Account | None:
    """While an approved credentials request for ``object_id`` runs: the account the
    requester consented to deliver to, its contact unchanged since. None when no such
    request runs (the service then delivers to its actor's own contact as always).

    Refused (the approval then fails with this reason, nothing is generated): the account
    is gone or deactivated, its e-mail or mobile changed since the consent, or the request
    carries no consent at all."""
    running = executing.get()
    if running is None or running.action not in DELIVERING or running.object_id != object_id[:200]:
        return None
    consent = running.consent
    if consent is None:
        raise RuleViolation("R21", "approvals.error.no_consent", id=running.id)
    account = await uow.session.get(Account, consent.recipient_id)
    if account is None or not account.active:
        raise RuleViolation("R21", "approvals.error.recipient_gone",
                            user=account.username if account else "–")
    if (account.email, account.mobile) != (consent.email, consent.mobile):
        raise RuleViolation("R21", "approvals.error.contact_changed", user=account.username)
    return account


async def withdraw_for_contact_change(uow: UnitOfWork, account: Account) -> int:
    """R21 as R19: the stored e-mail or mobile of ``account`` changed, so the open credentials
    requests that consented to deliver to its old contact are withdrawn at once (status
    cancelled, the reason as comment), audited, announced (``ApprovalDecided``: Freigaben
    and Fristen drop them live), and the requester is told by e-mail at the consented and
    the current address. Called from :func:`core.services.credentials.cancel_for_contact_change`
    (the hook of every contact change) in the same transaction; returns how many."""
    now = uow.clock.now()
    rows = (await uow.session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.recipient_id == account.id, ApprovalRequest.status == PENDING,
            ApprovalRequest.expires_at > now, ApprovalRequest.action.in_(DELIVERING))
        .order_by(ApprovalRequest.id))).all()
    withdrawn = 0
    for row in rows:
        if (row.consent_email, row.consent_mobile) == (account.email, account.mobile):
            continue
        requester = await uow.session.get(Account, row.requested_by_id)
        loc = requester.locale if requester is not None else account.locale
        reason = t(loc, "approvals.error.contact_changed", user=account.username)
        row.status, row.decided_at, row.comment = CANCELLED, now, reason[:500]
        withdrawn += 1
        uow.audit(None, "approval.cancelled", customer_id=row.customer_id,
                  target=row.object_id, approval_id=row.id, for_action=row.action,
                  requested_by=row.requested_by, recipient=account.username,
                  cause="contact_changed")
        uow.emit("ApprovalDecided", row.customer_id, approval_id=row.id, status=CANCELLED)
        if requester is None:
            continue
        subject = t(loc, "approvals.mail.cancelled.subject", id=row.id)
        body = t(loc, "approvals.mail.cancelled.body",
                 name=requester.full_name or requester.username, id=row.id,
                 what=describe(loc, row.action, row.params), reason=reason)
        key = f"approval-{row.id}-cancelled"
        mail_consented_and_current(uow, consented=row.consent_email, current=account.email,
                                   subject=subject, body=body, customer_id=row.customer_id,
                                   key=key)
        if requester.id != account.id:  # support filed it for the customer's admin
            mail_consented_and_current(uow, consented=None, current=requester.email,
                                       subject=subject, body=body,
                                       customer_id=row.customer_id, key=key)
    await uow.session.flush()
    return withdrawn
