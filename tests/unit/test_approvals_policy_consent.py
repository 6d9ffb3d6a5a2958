"""R21 gaps (issue #13), clock injected (tests.conftest DEMO_NOW): the four-eyes policy
switch (on at once; off while on is itself a request for the second admin; support and
employees may not; audited) and delivery of approved credentials to what the *requester*
consented to (never the approver's contact; refused if it changed or the account is gone)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.authz import Actor
from core.errors import PermissionDenied, RuleViolation
from core.models import (
    Account,
    ApprovalRequest,
    Contract,
    OutboxKind,
    ScheduledReset,
)
from core.runtime import Core
from core.services import approvals
from tests.approvals_helpers import (
    REQUESTER_EMAIL,
    REQUESTER_MOBILE,
    audited,
    beispiel_contract,
    file_generate,
    file_schedule,
    flag,
    outbox,
    refused_approval,
    set_contact,
    stored,
    support_for_beispiel,
)
from tests.stepup_helpers import execute_with_code, run_with_code

# ------------------------------------------------------------------ the policy switch


async def test_admin_turns_the_policy_on_at_once_audited(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]  # Muster GmbH: off by default
    assert (await demo_core.read(approvals.get_policy, admin)).required is False
    seen: list[str] = []
    demo_core.bus.subscribe(lambda event: seen.append(event.name))
    policy = await demo_core.run(approvals.set_policy, admin, required=True)
    assert (policy.required, policy.pending_off) == (True, None)
    assert await flag(demo_core, "Muster GmbH") is True
    [row] = await audited(demo_core, "approval.policy_on")
    assert (row.actor_username, row.target) == ("admin", "Muster GmbH")
    assert "ApprovalPolicyChanged" in seen
    again = await demo_core.run(approvals.set_policy, admin, required=True)  # no-op
    assert again.required is True and len(await audited(demo_core, "approval.policy_on")) == 1


async def test_turning_off_while_on_is_a_request_the_other_admin_approves(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await demo_core.run(approvals.set_policy, requester, required=False)
    assert "Vier-Augen-Prinzip für Beispiel AG abschalten" in filed.value.render("de")
    assert await flag(demo_core) is True  # one admin alone did not turn it off
    request_id = filed.value.request_id
    policy = await demo_core.read(approvals.get_policy, other)
    assert (policy.required, policy.pending_off) == (True, request_id)
    with pytest.raises(RuleViolation) as twice:  # one open request to turn it off is enough
        await demo_core.run(approvals.set_policy, requester, required=False)
    assert twice.value.key == "approvals.error.policy_off_pending"
    with pytest.raises(RuleViolation) as own:
        await demo_core.run(approvals.approve, requester, request_id=request_id)
    assert own.value.key == "approvals.error.own"
    view = await demo_core.run(approvals.approve, other, request_id=request_id)
    assert view.status == "approved"
    assert await flag(demo_core) is False
    [off] = await audited(demo_core, "approval.policy_off")
    assert off.actor_username == "beispiel2"
    assert (off.details["requested_by"], off.details["approved_by"]) == (
        "beispiel", "beispiel2")
    assert (await demo_core.read(approvals.get_policy, other)).pending_off is None


async def test_rejected_or_expired_off_request_leaves_it_on(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await demo_core.run(approvals.set_policy, requester, required=False)
    await demo_core.run(approvals.reject, other, request_id=filed.value.request_id,
                        comment="Bleibt an")
    assert await flag(demo_core) is True
    with pytest.raises(approvals.ApprovalRequested):  # a new request may be filed again
        await demo_core.run(approvals.set_policy, requester, required=False)
    demo_core.clock.advance(timedelta(hours=24))  # type: ignore[attr-defined]
    assert (await demo_core.read(approvals.get_policy, other)).pending_off is None
    assert await flag(demo_core) is True


async def test_turning_off_when_the_policy_is_off_needs_nobody(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await demo_core.run(approvals.set_policy, requester, required=False)
    await demo_core.run(approvals.approve, other, request_id=filed.value.request_id)
    await demo_core.run(approvals.set_policy, requester, required=True)  # on: at once
    assert await flag(demo_core) is True


async def test_support_and_employees_cannot_change_it(
    demo_core: Core, beispiel: tuple[Actor, Actor], actors: dict[str, Actor]
) -> None:
    support = await support_for_beispiel(demo_core, actors)
    for required in (False, True):
        with pytest.raises(PermissionDenied) as denied:
            await demo_core.run(approvals.set_policy, support, required=required)
        assert denied.value.key == "approvals.error.policy_support"
    with pytest.raises(PermissionDenied):
        await demo_core.run(approvals.set_policy, actors["mia"], required=True)
    assert await flag(demo_core) is True and await flag(demo_core, "Muster GmbH") is False
    async with demo_core.uow(readonly=True) as uow:
        assert await uow.session.scalar(select(ApprovalRequest.id)) is None
    support_reads = await demo_core.read(approvals.get_policy, support)
    assert support_reads.required is True


async def test_command_mode_policy(demo_core: Core, beispiel: tuple[Actor, Actor],
                                   actors: dict[str, Actor]) -> None:
    from ssh_server.commands import execute

    requester, other = beispiel
    status = await execute(demo_core, requester, "approvals policy status --json")
    assert status.exit_code == 0 and json.loads(status.stdout) == {
        "required": True, "pending_off": None}
    off = await execute(demo_core, requester, "approvals policy off")
    assert off.exit_code == 5 and "wartet auf Freigabe" in off.stderr, off
    text = await execute(demo_core, other, "approvals policy status")
    assert "eingeschaltet" in text.stdout and "Abschalten beantragt" in text.stdout
    [pending] = json.loads((await execute(demo_core, other, "approvals list --json")).stdout)
    assert pending["action"] == approvals.POLICY_OFF
    approved = await execute(demo_core, other, f"approvals approve {pending['id']}")
    assert approved.exit_code == 0, approved
    assert await flag(demo_core) is False
    on = await execute(demo_core, requester, "approvals policy on --json")
    assert on.exit_code == 0 and json.loads(on.stdout)["required"] is True
    bad = await execute(demo_core, requester, "approvals policy maybe")
    assert bad.exit_code == 2
    muster = await execute(demo_core, actors["mia"], "approvals policy on")
    assert muster.exit_code == 3


# ------------------------------------------------- delivery goes where the requester consented


async def test_approved_credentials_go_to_the_requesters_consented_contact(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_generate(demo_core, requester)
    row = await demo_core.read(approvals.list_requests, other)
    assert row[0].delivery and "beispiel" in row[0].delivery
    assert REQUESTER_EMAIL not in row[0].delivery  # masked
    [filed] = await audited(demo_core, "approval.requested")
    assert filed.details["recipient"] == "beispiel"
    assert REQUESTER_EMAIL not in json.dumps(filed.details)
    await run_with_code(demo_core, approvals.approve, other, request_id=request_id)
    sent = {m.kind: m.to for m in await outbox(demo_core, "credentials-%")}
    assert sent == {OutboxKind.EMAIL: REQUESTER_EMAIL, OutboxKind.SMS: REQUESTER_MOBILE}
    [generated] = await audited(demo_core, "credentials.generated")
    assert (generated.actor_username, generated.details["recipient"]) == (
        "beispiel2", "beispiel")


async def test_changed_email_refuses_the_approval_and_tells_the_requester(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    """The second line: a contact changed past the services (which withdraw the request at
    once, tests/unit/test_approvals_withdrawn.py) still refuses the approval."""
    requester, other = beispiel
    request_id = await file_generate(demo_core, requester)
    await set_contact(demo_core, "beispiel", email="klaus@example.org")
    refused = await refused_approval(demo_core, other, request_id)
    assert refused.key == "approvals.error.failed"
    assert "hat sich seit dem Antrag geändert" in refused.render("de")
    row = await stored(demo_core, request_id)
    assert row.status == "failed"
    assert row.comment and "beispiel" in row.comment
    assert await outbox(demo_core, "credentials-%") == []  # nothing generated or sent
    assert await audited(demo_core, "credentials.generated") == []
    notices = await outbox(demo_core, f"approval-{request_id}-failed-%")
    assert sorted(m.to for m in notices) == ["k.beispiel@beispiel-ag.de", "klaus@example.org"]
    assert all("nicht ausgeführt" in m.body for m in notices)


async def test_changed_mobile_alone_refuses_too(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_generate(demo_core, requester)
    demo_core.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    await set_contact(demo_core, "beispiel", mobile="+491609999999")
    refused = await refused_approval(demo_core, other, request_id)
    assert "hat sich seit dem Antrag geändert" in refused.render("de")
    assert await outbox(demo_core, "credentials-%") == []


async def test_contact_changed_and_back_is_what_was_consented(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_generate(demo_core, requester)
    await set_contact(demo_core, "beispiel", email="klaus@example.org")
    demo_core.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    await set_contact(demo_core, "beispiel", email=REQUESTER_EMAIL)
    await run_with_code(demo_core, approvals.approve, other, request_id=request_id)
    sent = {m.kind: m.to for m in await outbox(demo_core, "credentials-%")}
    assert sent[OutboxKind.EMAIL] == REQUESTER_EMAIL


async def test_the_approvers_own_contact_change_does_not_matter(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_generate(demo_core, requester)
    await set_contact(demo_core, "beispiel2", email="petra@example.org")
    await run_with_code(demo_core, approvals.approve, other, request_id=request_id)
    sent = {m.kind: m.to for m in await outbox(demo_core, "credentials-%")}
    assert sent == {OutboxKind.EMAIL: REQUESTER_EMAIL, OutboxKind.SMS: REQUESTER_MOBILE}


async def test_deactivated_requester_refuses_the_approval(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_generate(demo_core, requester)
    async with demo_core.uow() as uow:
        account = await uow.session.scalar(select(Account).where(Account.username == "beispiel"))
        assert account is not None
        account.active = False
    refused = await refused_approval(demo_core, other, request_id)
    assert "nicht mehr aktiv" in refused.render("de")
    assert await outbox(demo_core, "credentials-%") == []


async def test_scheduled_reset_on_approval_keeps_the_requesters_consent(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_schedule(demo_core, requester)
    demo_core.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    await run_with_code(demo_core, approvals.approve, other, request_id=request_id)
    async with demo_core.uow(readonly=True) as uow:
        reset = await uow.session.scalar(select(ScheduledReset))
        requester_id = await uow.session.scalar(
            select(Account.id).where(Account.username == "beispiel"))
    assert reset is not None
    assert (reset.recipient_id, reset.consent_email, reset.consent_mobile) == (
        requester_id, REQUESTER_EMAIL, REQUESTER_MOBILE)


async def test_scheduled_reset_request_refused_after_a_contact_change(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_schedule(demo_core, requester)
    await set_contact(demo_core, "beispiel", email="klaus@example.org")
    await refused_approval(demo_core, other, request_id)
    async with demo_core.uow(readonly=True) as uow:
        assert await uow.session.scalar(select(ScheduledReset.id)) is None


async def test_command_mode_filed_message_names_the_action(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    cid = await beispiel_contract(demo_core)
    async with demo_core.uow(readonly=True) as uow:
        ref = await uow.session.scalar(select(Contract.contract_ref).where(Contract.id == cid))
    filed = await execute_with_code(demo_core, beispiel[0],
                                    f"credentials generate {ref} --consent")
    assert filed.exit_code == 5, filed
    assert "Freigabe beantragt" in filed.stderr and str(ref) in filed.stderr


async def test_a_credentials_request_without_a_stored_consent_is_refused(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    """A request filed before consents were stored (or tampered with) never falls back to
    the approver's contact."""
    requester, other = beispiel
    request_id = await file_generate(demo_core, requester)
    async with demo_core.uow() as uow:
        row = await uow.session.get(ApprovalRequest, request_id)
        assert row is not None
        row.recipient_id, row.consent_email, row.consent_mobile = None, None, None
    refused = await refused_approval(demo_core, other, request_id)
    assert "keine Zustimmung zur Zustellung" in refused.render("de")
    assert await outbox(demo_core, "credentials-%") == []


async def test_turning_the_policy_off_withdraws_the_other_open_requests(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    """R21: once the policy is off, an open request's action needs no approval: every other
    open request is withdrawn (audited, announced, its requester told by e-mail that
    nothing was done), so a late approval can never run the action a second time."""
    requester, other = beispiel
    generate = await file_generate(demo_core, requester)
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await demo_core.run(approvals.set_policy, other, required=False)
    off_id = filed.value.request_id
    seen: list[tuple[str, object]] = []
    demo_core.bus.subscribe(lambda e: seen.append((e.name, e.payload.get("approval_id"))))
    view = await demo_core.run(approvals.approve, requester, request_id=off_id)
    assert view.status == "approved" and await flag(demo_core) is False
    row = await stored(demo_core, generate)
    assert row.status == "cancelled"
    assert row.comment == ("beispiel hat das Vier-Augen-Prinzip ausgeschaltet; die Aktion "
                           "braucht keine Freigabe mehr.")
    assert ("ApprovalDecided", generate) in seen
    [cancelled] = await audited(demo_core, "approval.cancelled")
    assert (cancelled.details["approval_id"], cancelled.details["cause"],
            cancelled.details["requested_by"], cancelled.actor_username) == (
        generate, "policy_off", "beispiel", "beispiel")
    [off] = await audited(demo_core, "approval.policy_off")
    assert off.details["withdrawn"] == 1
    [mail] = await outbox(demo_core, f"approval-{generate}-cancelled%")
    assert mail.to == REQUESTER_EMAIL
    assert "Es wurde nichts ausgeführt" in mail.body and "zurückgezogen" in mail.subject
    # nothing is left to approve, and the list of open requests is empty
    with pytest.raises(RuleViolation) as late:
        await run_with_code(demo_core, approvals.approve, other, request_id=generate)
    assert late.value.key == "approvals.error.decided"
    assert await demo_core.read(approvals.list_requests, other) == []
    listed = await demo_core.read(approvals.list_requests, other, include_done=True)
    assert {v.id: v.status for v in listed} == {generate: "cancelled", off_id: "approved"}
