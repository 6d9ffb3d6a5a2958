"""R21 as R19 (issue #13/#14 follow-up), clock injected (tests.conftest DEMO_NOW), on both
backends: when the consented recipient's e-mail or mobile changes, an open request for new
credentials is withdrawn at once (status cancelled with the reason, audited, announced) and
the requester told at the consented and the new address; the approval-time check stays as
the second line (tests/unit/test_approvals_policy_consent.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.authz import Actor
from core.models import AuditEvent, ScheduledReset
from core.runtime import Core
from core.services import approvals, users
from tests.approvals_helpers import (
    APPROVER_MOBILE,
    REQUESTER_EMAIL,
    audited,
    file_generate,
    file_schedule,
    outbox,
    refused_approval,
    stored,
)
from tests.stepup_helpers import run_with_code

PASSWORD = "beispiel-demo"


async def test_email_change_withdraws_the_open_request_at_once(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_generate(demo_core, requester)
    demo_core.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    seen: list[tuple[str, dict[str, object]]] = []
    demo_core.bus.subscribe(lambda event: seen.append((event.name, dict(event.payload))))
    await demo_core.run(users.update_contact, requester, email="klaus@example.org",
                        mobile=None, current_password=PASSWORD)
    row = await stored(demo_core, request_id)
    assert (row.status, row.decided_at) == ("cancelled", demo_core.clock.now())
    assert row.decided_by is None
    assert row.comment and "hat sich seit dem Antrag geändert" in row.comment
    assert ("ApprovalDecided", {"approval_id": request_id, "status": "cancelled"}) in [
        (name, {k: v for k, v in payload.items() if k in ("approval_id", "status")})
        for name, payload in seen]
    [entry] = await audited(demo_core, "approval.cancelled")
    assert (entry.actor_username, entry.target) == ("system", row.object_id)
    assert entry.details["cause"] == "contact_changed"
    assert entry.details["approval_id"] == request_id
    assert entry.details["requested_by"] == "beispiel"
    notices = await outbox(demo_core, f"approval-{request_id}-cancelled-%")
    assert sorted(m.to for m in notices) == [REQUESTER_EMAIL, "klaus@example.org"]
    assert all("zurückgezogen" in m.body and f"Antrag {request_id}" in m.subject
               for m in notices)
    assert await demo_core.read(approvals.list_requests, other) == []
    refused = await refused_approval(demo_core, other, request_id)
    assert "nicht mehr offen (zurückgezogen)" in refused.render("de")
    assert await outbox(demo_core, "credentials-%") == []
    assert await audited(demo_core, "credentials.generated") == []


async def test_mobile_change_alone_withdraws_a_scheduled_reset_request(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_schedule(demo_core, requester)
    await demo_core.run(users.update_contact, requester, email=REQUESTER_EMAIL,
                        mobile="+491609999999", current_password=PASSWORD)
    assert (await stored(demo_core, request_id)).status == "cancelled"
    # the e-mail stayed: one notice, to the one address
    assert [m.to for m in await outbox(demo_core, f"approval-{request_id}-cancelled-%")] == [
        REQUESTER_EMAIL]
    await refused_approval(demo_core, other, request_id)
    async with demo_core.uow(readonly=True) as uow:
        assert await uow.session.scalar(select(ScheduledReset.id)) is None


async def test_other_accounts_and_unchanged_contacts_leave_it_open(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_generate(demo_core, requester)
    # the approver's own contact is not what was consented to
    await demo_core.run(users.update_contact, other, email="petra@example.org",
                        mobile=APPROVER_MOBILE, current_password="beispiel2-demo")
    # the requester saves the same contact again: nothing changed
    await demo_core.run(users.update_contact, requester, email=REQUESTER_EMAIL,
                        mobile="+491609876543", current_password=PASSWORD)
    assert (await stored(demo_core, request_id)).status == "pending"
    assert await audited(demo_core, "approval.cancelled") == []
    await run_with_code(demo_core, approvals.approve, other, request_id=request_id)
    assert (await stored(demo_core, request_id)).status == "approved"


async def test_decided_and_expired_requests_are_not_touched(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    rejected = await file_generate(demo_core, requester)
    await demo_core.run(approvals.reject, other, request_id=rejected, comment="Nein")
    expired = await file_generate(demo_core, requester)
    demo_core.clock.advance(approvals.TTL + timedelta(minutes=1))  # type: ignore[attr-defined]
    await demo_core.run(users.update_contact, requester, email="klaus@example.org",
                        mobile=None, current_password=PASSWORD)
    assert (await stored(demo_core, rejected)).status == "rejected"
    assert (await stored(demo_core, expired)).status == "pending"  # shown as expired
    async with demo_core.uow(readonly=True) as uow:
        assert await uow.session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "approval.cancelled")) is None
    assert await outbox(demo_core, "approval-%-cancelled-%") == []
