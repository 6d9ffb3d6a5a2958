"""Shared set-up of the R21 four-eyes tests (Beispiel AG, approvals on in the demo data):
the two admins' contacts, filing a credentials request (now or scheduled), changing a
stored contact meanwhile, and reading back requests, audit rows and the sealed outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.authz import Actor
from core.errors import RuleViolation
from core.models import (
    Account,
    ApprovalRequest,
    AuditEvent,
    Contract,
    ContractType,
    Customer,
    OutboxMessage,
)
from core.outbox import Message, _unseal
from core.runtime import Core
from core.services import approvals, credentials
from tests.stepup_helpers import run_with_code

REQUESTER_EMAIL, REQUESTER_MOBILE = "k.beispiel@beispiel-ag.de", "+491609876543"
APPROVER_EMAIL, APPROVER_MOBILE = "p.beispiel@beispiel-ag.de", "+491609876544"


async def support_for_beispiel(core: Core, actors: dict[str, Actor]) -> Actor:
    async with core.uow(readonly=True) as uow:
        cid = await uow.session.scalar(select(Customer.id).where(Customer.name == "Beispiel AG"))
    return actors["support"].for_customer(cid, customer_name="Beispiel AG", reason="T-42")


async def flag(core: Core, name: str = "Beispiel AG") -> bool:
    async with core.uow(readonly=True) as uow:
        return bool(await uow.session.scalar(
            select(Customer.approval_required).where(Customer.name == name)))


async def audited(core: Core, action: str) -> list[AuditEvent]:
    async with core.uow(readonly=True) as uow:
        return list(await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


async def outbox(core: Core, like: str) -> list[Message]:
    """The sealed outbox messages whose key matches ``like``, decrypted."""
    async with core.uow(readonly=True) as uow:
        rows = (await uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like(like))
            .order_by(OutboxMessage.id))).all()
    return [_unseal(core.secret_box, row) for row in rows]


async def stored(core: Core, request_id: int) -> ApprovalRequest:
    """The request's row as stored now (it must exist)."""
    async with core.uow(readonly=True) as uow:
        row = await uow.session.get(ApprovalRequest, request_id)
    assert row is not None
    return row


async def beispiel_contract(core: Core) -> int:
    async with core.uow(readonly=True) as uow:
        cid = await uow.session.scalar(select(Contract.id).where(
            Contract.type == ContractType.CLOUD_PBX_MAIN, Contract.contract_ref.like("V-2000%")))
    assert cid is not None
    return cid


async def file_generate(core: Core, requester: Actor) -> int:
    """``requester`` asks for new credentials now (consenting); returns the request's id."""
    cid = await beispiel_contract(core)
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await run_with_code(core, credentials.generate, requester, contract_id=cid,
                            consent=True)
    return filed.value.request_id


async def file_schedule(core: Core, requester: Actor) -> int:
    """``requester`` schedules a credentials reset six hours ahead (consenting); returns
    the request's id."""
    cid = await beispiel_contract(core)
    at = core.clock.now() + timedelta(hours=6)
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await run_with_code(core, credentials.schedule, requester, contract_id=cid, at=at,
                            consent=True)
    return filed.value.request_id


async def set_contact(core: Core, username: str, *, email: str | None = None,
                      mobile: str | None = None) -> None:
    """The account's stored contact changes meanwhile (as an admin edits it)."""
    async with core.uow() as uow:
        account = await uow.session.scalar(select(Account).where(Account.username == username))
        assert account is not None
        account.email = email or account.email
        account.mobile = mobile or account.mobile


async def refused_approval(core: Core, approver: Actor, request_id: int) -> RuleViolation:
    """``approver`` approves ``request_id`` (with the step-up code); the approval must be
    refused with a :class:`RuleViolation`, which is returned."""
    with pytest.raises(RuleViolation) as refused:
        await run_with_code(core, approvals.approve, approver, request_id=request_id)
    return refused.value
