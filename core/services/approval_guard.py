"""R21 four-eyes approval, the hook the guarded services call (:func:`guard`).

Kept apart from :mod:`core.services.approvals` (listing and deciding, which runs the guarded
services again) so the services can import it without an import circle.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.authz import Actor, Permission, require
from core.errors import NotFound, RuleViolation
from core.models import ApprovalRequest, Customer
from core.uow import UnitOfWork

TTL = timedelta(hours=24)

GENERATE = "credentials.generate"
SCHEDULE = "credentials.schedule"
SWAP = "numbers.swap"
ASSIGN_DELETE = "numbers.assign_delete_traffic"
ACTIONS: dict[str, Permission] = {
    GENERATE: Permission.CREDENTIALS_GENERATE,
    SCHEDULE: Permission.CREDENTIALS_GENERATE,
    SWAP: Permission.NUMBER_MANAGE,
    ASSIGN_DELETE: Permission.NUMBER_MANAGE,
}
"""The guarded actions and the permission filing a request for one needs."""

PENDING = "pending"

executing: ContextVar[tuple[int, str, str] | None] = ContextVar("approval_executing",
                                                                default=None)
"""(request id, action, object) while an approved request runs: the guard lets it pass."""


class ApprovalRequested(RuleViolation):
    """The action was filed as a request (not run); raised after the request committed."""

    exit_code = 5

    def __init__(self, request_id: int) -> None:
        super().__init__("R21", "approvals.filed", id=request_id)
        self.request_id = request_id


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
) -> bool:
    """Called by the guarded services after their rule and step-up checks, before any
    change: True to go on (policy off, or this is the approved request running). Else the
    request is stored, audited and announced, :class:`ApprovalRequested` queued for after
    commit, and False returned: the service must return at once (``stepup.refused()``)."""
    permission = ACTIONS.get(action)
    if permission is None:
        raise NotFound()
    require(actor, permission, customer_id=customer_id)
    running = executing.get()
    if running is not None and running[1:] == (action, object_id[:200]):
        return True
    if not await policy_on(uow, customer_id):
        return True
    now = uow.clock.now()
    row = ApprovalRequest(
        customer_id=customer_id, action=action, object_id=object_id[:200], params=params,
        requested_by_id=actor.account_id, requested_by=actor.username, created_at=now,
        expires_at=now + TTL, status=PENDING,
    )
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(actor, "approval.requested", customer_id=customer_id, target=row.object_id,
              approval_id=row.id, for_action=action, params=params)
    uow.emit("ApprovalRequested", customer_id, approval_id=row.id, action=action,
             requested_by=actor.username)
    uow.fail_after_commit(ApprovalRequested(row.id))
    return False
