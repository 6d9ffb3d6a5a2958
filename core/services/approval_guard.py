"""R21 four-eyes approval, the hook the guarded services call (:func:`guard`).

Kept apart from :mod:`core.services.approvals` (listing and deciding, which runs the guarded
services again) so the services can import it without an import circle.

New credentials go where the *requester* consented (R4; as R19 keeps it for a scheduled
reset): the credentials service files its request with a :class:`Consent` (the recipient
account and its e-mail and mobile at that moment); when the approved request runs,
:func:`consented_recipient` gives that account back, or refuses if its contact changed or it
is gone, so the approver's own contact is never used.
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
from core.uow import UnitOfWork

TTL = timedelta(hours=24)
MAX_PENDING_PER_ACCOUNT = 20
"""Open requests one account may have filed at once (SECURITY.md "Abuse bounds"): each is
a row, an Archiv entry and a notice to the other admins."""

GENERATE = "credentials.generate"
SCHEDULE = "credentials.schedule"
SWAP = "numbers.swap"
ASSIGN_DELETE = "numbers.assign_delete_traffic"
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
