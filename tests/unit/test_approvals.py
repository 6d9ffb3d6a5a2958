"""R21 four-eyes approval (injected clock): request instead of run, never by the requester
nor support, the other admin runs it with both names audited, rules re-checked on approval,
reject needs a comment, expiry after 24 h, tenants, Fristen and command mode."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.authz import Actor
from core.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from core.models import (
    ApprovalRequest,
    AuditEvent,
    Contract,
    ContractType,
    Customer,
    Number,
    NumberStatus,
)
from core.runtime import Core
from core.services import approvals, credentials, deadlines, numbers, operators
from tests.stepup_helpers import execute_with_code, run_with_code

OLD = "+4989123456300"
NEW = "+4989123456301"


async def file_swap(core: Core, requester: Actor) -> int:
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await run_with_code(core, numbers.swap, requester, old=OLD, new=NEW)
    assert filed.value.rule == "R21" and filed.value.exit_code == 5
    assert "wartet auf Freigabe durch einen zweiten Administrator" in filed.value.render("de")
    return filed.value.request_id


async def status_of(core: Core, number: str) -> NumberStatus:
    async with core.uow(readonly=True) as uow:
        n = await uow.session.scalar(select(Number).where(Number.e164 == number))
    assert n is not None
    return n.status


async def request_row(core: Core, request_id: int) -> ApprovalRequest:
    async with core.uow(readonly=True) as uow:
        row = await uow.session.get(ApprovalRequest, request_id)
    assert row is not None
    return row


async def support_for_beispiel(core: Core, actors: dict[str, Actor]) -> Actor:
    async with core.uow(readonly=True) as uow:
        cid = await uow.session.scalar(select(Customer.id).where(Customer.name == "Beispiel AG"))
    return actors["support"].for_customer(cid, customer_name="Beispiel AG", reason="T-42")


async def test_policy_off_by_default_on_for_beispiel(demo_core: Core) -> None:
    async with demo_core.uow() as uow:
        await operators.add_customer(uow, name="Neu KG", customer_numbers=["3000001"])
    async with demo_core.uow(readonly=True) as uow:
        flags = {name: on for name, on in (await uow.session.execute(
            select(Customer.name, Customer.approval_required))).all()}
    assert flags == {"Muster GmbH": False, "Beispiel AG": True, "Neu KG": False}


async def test_guarded_action_becomes_a_request_with_its_parameters(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_swap(demo_core, requester)
    assert await status_of(demo_core, OLD) is NumberStatus.ACTIVE  # nothing ran
    assert await status_of(demo_core, NEW) is NumberStatus.INACTIVE
    row = await request_row(demo_core, request_id)
    assert (row.action, row.params, row.requested_by, row.status) == (
        approvals.SWAP, {"old": OLD, "new": NEW}, "beispiel", "pending")
    assert row.expires_at == demo_core.clock.now() + timedelta(hours=24)
    seen = await demo_core.read(approvals.list_requests, other)
    assert [(v.id, v.can_decide) for v in seen] == [(request_id, True)]
    assert OLD in seen[0].what and NEW in seen[0].what
    own = await demo_core.read(approvals.list_requests, requester)
    assert own[0].can_decide is False and own[0].refusal
    async with demo_core.uow(readonly=True) as uow:
        audited = await uow.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "approval.requested"))
    assert audited is not None and audited.actor_username == "beispiel"


async def test_request_is_announced_live(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    seen: list[str] = []
    demo_core.bus.subscribe(lambda event: seen.append(event.name))
    await file_swap(demo_core, beispiel[0])
    assert "ApprovalRequested" in seen


async def test_requester_and_support_cannot_approve(
    demo_core: Core, beispiel: tuple[Actor, Actor], actors: dict[str, Actor]
) -> None:
    requester, _ = beispiel
    request_id = await file_swap(demo_core, requester)
    with pytest.raises(RuleViolation) as own:
        await demo_core.run(approvals.approve, requester, request_id=request_id)
    assert own.value.key == "approvals.error.own"
    with pytest.raises(RuleViolation):
        await demo_core.run(approvals.reject, requester, request_id=request_id, comment="x")
    support = await support_for_beispiel(demo_core, actors)
    with pytest.raises(PermissionDenied):
        await demo_core.run(approvals.approve, support, request_id=request_id)
    assert (await request_row(demo_core, request_id)).status == "pending"
    assert await status_of(demo_core, OLD) is NumberStatus.ACTIVE


async def test_other_admin_approves_runs_it_with_both_names_audited(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_swap(demo_core, requester)
    view = await run_with_code(demo_core, approvals.approve, other, request_id=request_id)
    assert (view.status, view.decided_by) == ("approved", "beispiel2")
    assert await status_of(demo_core, OLD) is NumberStatus.INACTIVE
    assert await status_of(demo_core, NEW) is NumberStatus.ACTIVE
    async with demo_core.uow(readonly=True) as uow:
        swapped = await uow.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "number.swapped"))
        approved = await uow.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "approval.approved"))
    assert swapped is not None and approved is not None
    assert swapped.actor_username == "beispiel2"
    assert swapped.details["requested_by"] == "beispiel"
    assert swapped.details["approved_by"] == "beispiel2"
    assert (approved.details["requested_by"], approved.actor_username) == (
        "beispiel", "beispiel2")
    with pytest.raises(RuleViolation) as again:
        await demo_core.run(approvals.approve, other, request_id=request_id)
    assert again.value.key == "approvals.error.decided"


async def test_approver_proves_step_up_for_the_same_action_and_object(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    from core.services import stepup

    request_id = await file_swap(demo_core, beispiel[0])
    with pytest.raises(stepup.StepUpRequired) as needed:
        await demo_core.run(approvals.approve, beispiel[1], request_id=request_id)
    assert (needed.value.action, needed.value.object_id) == (stepup.SWAP, f"{OLD}>{NEW}")
    assert needed.value.masked_mobile.endswith("44")  # beispiel2's own mobile
    assert (await request_row(demo_core, request_id)).status == "pending"


async def test_approval_after_the_state_changed_is_refused_and_marked_failed(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_swap(demo_core, requester)
    async with demo_core.uow() as uow:  # meanwhile the old number is no longer active
        n = await uow.session.scalar(select(Number).where(Number.e164 == OLD))
        assert n is not None
        n.status = NumberStatus.INACTIVE
    with pytest.raises(RuleViolation) as refused:
        await run_with_code(demo_core, approvals.approve, other, request_id=request_id)
    assert refused.value.key == "approvals.error.failed"
    row = await request_row(demo_core, request_id)
    assert row.status == "failed" and row.comment and row.decided_by == "beispiel2"
    assert row.comment in refused.value.render("de")
    assert await status_of(demo_core, NEW) is NumberStatus.INACTIVE  # nothing ran
    async with demo_core.uow(readonly=True) as uow:
        actions = list(await uow.session.scalars(select(AuditEvent.action)))
    assert "approval.failed" in actions and "number.swapped" not in actions


async def test_reject_needs_a_comment(demo_core: Core, beispiel: tuple[Actor, Actor]) -> None:
    requester, other = beispiel
    request_id = await file_swap(demo_core, requester)
    with pytest.raises(ValidationError):
        await demo_core.run(approvals.reject, other, request_id=request_id, comment="   ")
    view = await demo_core.run(approvals.reject, other, request_id=request_id,
                               comment="Nicht vor dem Monatsende")
    assert (view.status, view.comment, view.decided_by) == (
        "rejected", "Nicht vor dem Monatsende", "beispiel2")
    with pytest.raises(RuleViolation):
        await run_with_code(demo_core, approvals.approve, other, request_id=request_id)
    assert await status_of(demo_core, OLD) is NumberStatus.ACTIVE


async def test_request_expires_after_24_hours(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    request_id = await file_swap(demo_core, requester)
    demo_core.clock.advance(timedelta(hours=23, minutes=59))  # type: ignore[attr-defined]
    assert len(await demo_core.read(approvals.list_requests, other)) == 1
    demo_core.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    assert await demo_core.read(approvals.list_requests, other) == []
    done = await demo_core.read(approvals.list_requests, other, include_done=True)
    assert [v.status for v in done] == ["expired"]
    with pytest.raises(RuleViolation) as late:
        await run_with_code(demo_core, approvals.approve, other, request_id=request_id)
    assert late.value.key == "approvals.error.expired"
    with pytest.raises(RuleViolation):
        await demo_core.run(approvals.reject, other, request_id=request_id, comment="zu spät")


async def test_other_tenant_cannot_see_or_decide(
    demo_core: Core, beispiel: tuple[Actor, Actor], actors: dict[str, Actor]
) -> None:
    request_id = await file_swap(demo_core, beispiel[0])
    assert await demo_core.read(approvals.list_requests, actors["admin"]) == []
    with pytest.raises(NotFound):
        await demo_core.run(approvals.approve, actors["admin"], request_id=request_id)
    with pytest.raises(NotFound):
        await demo_core.run(approvals.reject, actors["admin"], request_id=request_id,
                            comment="fremd")
    with pytest.raises(PermissionDenied):
        await demo_core.read(approvals.list_requests, actors["mia"])


async def test_policy_off_runs_directly(demo_core: Core, actors: dict[str, Actor]) -> None:
    view = await run_with_code(demo_core, numbers.swap, actors["admin"],
                               old="+4930123456100", new="+4930123456105")
    assert view.new.status is NumberStatus.ACTIVE or view.new.status == "active"
    async with demo_core.uow(readonly=True) as uow:
        assert await uow.session.scalar(select(ApprovalRequest.id)) is None


async def test_credentials_generate_is_requested_then_issued_on_approval(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    async with demo_core.uow(readonly=True) as uow:
        cid = await uow.session.scalar(select(Contract.id).where(
            Contract.type == ContractType.CLOUD_PBX_MAIN, Contract.contract_ref.like("V-2000%")))
    assert cid is not None
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await run_with_code(demo_core, credentials.generate, requester, contract_id=cid,
                            consent=True)
    async with demo_core.uow(readonly=True) as uow:
        actions = list(await uow.session.scalars(select(AuditEvent.action)))
    assert "credentials.generated" not in actions
    await run_with_code(demo_core, approvals.approve, other, request_id=filed.value.request_id)
    async with demo_core.uow(readonly=True) as uow:
        rows = list(await uow.session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("credentials.%"))))
    assert rows and all(r.details.get("requested_by") == "beispiel" for r in rows)


async def test_open_request_is_a_deadline_until_it_expires(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    request_id = await file_swap(demo_core, beispiel[0])
    entries = await demo_core.read(deadlines.list_deadlines, beispiel[1],
                                   kinds=("approval",))
    assert [(e.ref, e.at) for e in entries] == [
        (str(request_id), demo_core.clock.now() + timedelta(hours=24))]
    assert entries[0].action is None and entries[0].refusal
    demo_core.clock.advance(timedelta(hours=24))  # type: ignore[attr-defined]
    assert await demo_core.read(deadlines.list_deadlines, beispiel[1],
                                kinds=("approval",)) == []


async def test_command_mode(demo_core: Core, beispiel: tuple[Actor, Actor]) -> None:
    from ssh_server.commands import execute

    requester, other = beispiel
    filed = await execute_with_code(demo_core, requester,
                                    "numbers swap 089 123456300 089 123456301 --yes")
    assert filed.exit_code == 5, filed
    assert "wartet auf Freigabe" in filed.stderr
    listed = await execute(demo_core, other, "approvals list --json")
    assert listed.exit_code == 0
    data = json.loads(listed.stdout)
    assert [(d["action"], d["requested_by"], d["can_decide"]) for d in data] == [
        (approvals.SWAP, "beispiel", True)]
    request_id = data[0]["id"]
    text = await execute(demo_core, other, "approvals list")
    assert str(request_id) in text.stdout and "beispiel" in text.stdout
    own = await execute(demo_core, requester, f"approvals approve {request_id}")
    assert own.exit_code == 4
    no_comment = await execute(demo_core, other, f"approvals reject {request_id}")
    assert no_comment.exit_code == 2
    rejected = await execute(demo_core, other,
                             f"approvals reject {request_id} --comment Bitte erst nach 18 Uhr")
    assert rejected.exit_code == 0, rejected
    row = await request_row(demo_core, request_id)
    assert (row.status, row.comment) == ("rejected", "Bitte erst nach 18 Uhr")
    again = await execute_with_code(demo_core, requester,
                                    "numbers swap 089 123456300 089 123456301 --yes")
    assert again.exit_code == 5
    second = json.loads((await execute(demo_core, other, "approvals list --json")).stdout)[0]
    approved = await execute_with_code(demo_core, other, f"approvals approve {second['id']}")
    assert approved.exit_code == 0, approved
    assert await status_of(demo_core, OLD) is NumberStatus.INACTIVE


async def test_a_decided_request_cannot_be_decided_again_by_a_stale_reader(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    """Two admins deciding at once: the second one read the row while it was open, but
    the claim is a conditional update on the open row, so it finds it decided."""
    from sqlalchemy import update

    requester, other = beispiel
    request_id = await file_swap(demo_core, requester)
    with pytest.raises(RuleViolation) as late:
        async with demo_core.uow() as uow:
            row = await uow.session.get(ApprovalRequest, request_id)
            assert row is not None and row.status == "pending"  # read while open
            await uow.session.execute(  # ... the other admin's decision lands
                update(ApprovalRequest).where(ApprovalRequest.id == request_id)
                .values(status="approved", decided_by="beispiel")
                .execution_options(synchronize_session=False))
            await approvals._claim(uow, other, row)
    assert late.value.key == "approvals.error.decided"
    assert await status_of(demo_core, OLD) is NumberStatus.ACTIVE


async def test_scheduled_reset_request_fails_when_its_time_is_too_close_on_approval(
    demo_core: Core, beispiel: tuple[Actor, Actor]
) -> None:
    requester, other = beispiel
    async with demo_core.uow(readonly=True) as uow:
        cid = await uow.session.scalar(select(Contract.id).where(
            Contract.type == ContractType.CLOUD_PBX_MAIN, Contract.contract_ref.like("V-2000%")))
    assert cid is not None
    at = demo_core.clock.now() + timedelta(hours=1)
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await run_with_code(demo_core, credentials.schedule, requester, contract_id=cid, at=at,
                            consent=True)
    row = await request_row(demo_core, filed.value.request_id)
    assert row.action == approvals.SCHEDULE and row.params["at"] == at.isoformat()
    demo_core.clock.advance(timedelta(minutes=50))  # type: ignore[attr-defined]
    with pytest.raises(RuleViolation) as refused:
        await run_with_code(demo_core, approvals.approve, other,
                            request_id=filed.value.request_id)
    assert refused.value.key == "approvals.error.failed"
    assert (await request_row(demo_core, filed.value.request_id)).status == "failed"
    assert await demo_core.read(credentials.list_scheduled, other) == []
