"""R25 account locks: who may lock whom, lock/unlock, the Archiv, the event, command mode."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.authz import Actor
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from core.events import DomainEvent
from core.models import Account, AuditEvent
from core.runtime import Core
from core.services import locks
from core.services.support import open_customer
from ssh_server import commands


async def _audit(core: Core, action: str) -> list[AuditEvent]:
    async with core.uow(readonly=True) as uow:
        return list(await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


async def test_admin_locks_and_unlocks_own_employee_audited_with_event(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    seen: list[DomainEvent] = []
    demo_core.bus.subscribe(seen.append)
    view = await demo_core.run(locks.lock_employee, actors["admin"], username="mia",
                               reason="  Laptop   gestohlen ")
    assert view.locked and view.reason == "Laptop gestohlen" and view.locked_by == "admin"
    event = next(e for e in seen if e.name == locks.LOCK_EVENT)
    assert event.payload["username"] == "mia" and event.payload["reason"] == "Laptop gestohlen"
    assert event.payload["account_id"] == actors["mia"].account_id
    (row,) = await _audit(demo_core, "account.locked")
    assert (row.actor_username, row.target, row.customer_id) == (
        "admin", "mia", actors["admin"].customer_id)
    assert row.details["lock_reason"] == "Laptop gestohlen"
    async with demo_core.uow(readonly=True) as uow:
        assert await locks.locked_among(uow, [actors["mia"].account_id,
                                              actors["tom"].account_id]) == {
            actors["mia"].account_id: "Laptop gestohlen"}
        assert (await locks.lock_of(uow, actors["mia"].account_id)) is not None
    listed = await demo_core.read(locks.employee_locks, actors["admin"])
    assert set(listed) == {"mia"}
    with pytest.raises(Conflict):
        await demo_core.run(locks.lock_employee, actors["admin"], username="mia", reason="x")

    unlocked = await demo_core.run(locks.unlock_employee, actors["admin"], username="mia")
    assert not unlocked.locked
    assert [e.name for e in seen if e.name == locks.UNLOCK_EVENT] == [locks.UNLOCK_EVENT]
    (row,) = await _audit(demo_core, "account.unlocked")
    assert row.actor_username == "admin" and row.target == "mia"
    async with demo_core.uow(readonly=True) as uow:
        assert await locks.lock_of(uow, actors["mia"].account_id) is None
    with pytest.raises(Conflict):
        await demo_core.run(locks.unlock_employee, actors["admin"], username="mia")


async def test_who_may_lock_whom(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    with pytest.raises(ValidationError):  # a reason is required
        await demo_core.run(locks.lock_employee, admin, username="mia", reason="   ")
    with pytest.raises(PermissionDenied):  # never itself
        await demo_core.run(locks.lock_employee, admin, username="admin", reason="x")
    with pytest.raises(NotFound):  # another customer's account is not found, not forbidden
        await demo_core.run(locks.lock_employee, admin, username="beispiel", reason="x")
    with pytest.raises(NotFound):
        await demo_core.run(locks.lock_employee, actors["beispiel"], username="mia", reason="x")
    with pytest.raises(PermissionDenied):  # an employee locks nobody
        await demo_core.run(locks.lock_employee, actors["mia"], username="tom", reason="x")
    support = await demo_core.run(open_customer, actors["support"], customer_number="1000001",
                                  reason="T-1")
    with pytest.raises(PermissionDenied, match=r"locks\.error\.support"):  # support never
        await demo_core.run(locks.lock_employee, support, username="mia", reason="x")
    async with demo_core.uow(readonly=True) as uow:
        locked = await uow.session.scalars(select(Account).where(Account.locked_at.is_not(None)))
        assert list(locked) == []


async def test_operator_locks_any_account_audited_in_its_customers_log(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with demo_core.uow() as uow:
        await locks.operator_lock(uow, username="beispiel", reason="Zahlungsverzug",
                                  operator="root")
    (row,) = await _audit(demo_core, "account.locked")
    assert row.actor_username == "system" and row.customer_id == actors["beispiel"].customer_id
    assert row.details["operator"] == "root" and row.details["lock_reason"] == "Zahlungsverzug"
    async with demo_core.uow() as uow:
        with pytest.raises(NotFound):
            await locks.operator_lock(uow, username="nobody", reason="x", operator="root")
    async with demo_core.uow() as uow:
        await locks.operator_unlock(uow, username="beispiel", operator="root")
    assert len(await _audit(demo_core, "account.unlocked")) == 1


async def test_command_mode_lock_takes_the_reason_words(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    result = await commands.execute(demo_core, actors["admin"],
                                    "users lock mia --reason Laptop gestohlen, Ticket 7")
    assert result.exit_code == 0, result.stderr
    assert "mia" in result.stdout
    async with demo_core.uow(readonly=True) as uow:
        lock = await locks.lock_of(uow, actors["mia"].account_id)
    assert lock is not None and lock.reason == "Laptop gestohlen, Ticket 7"
    missing = await commands.execute(demo_core, actors["admin"], "users lock tom")
    assert missing.exit_code == 2
    denied = await commands.execute(demo_core, actors["mia"], "users lock tom --reason x")
    assert denied.exit_code == 3
    again = await commands.execute(demo_core, actors["admin"], "users unlock mia --json")
    assert again.exit_code == 0 and '"locked": false' in again.stdout
    support = await commands.execute(
        demo_core, actors["support"], "users lock mia --customer 1000001 --reason T-1")
    assert support.exit_code == 3


async def test_one_gate_refuses_a_locked_account_after_its_credentials(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """R25: ``refuse_locked_login`` is the check of every entry point (SSH, ``linedesk tui``):
    nothing for an unlocked account; for a locked one the refusal (same text everywhere,
    the reason escaped by the caller's sanitiser) and a ``session.login_locked`` entry."""
    mia = actors["mia"]
    assert await locks.refuse_locked_login(demo_core, mia, method="password") is None
    assert await _audit(demo_core, "session.login_locked") == []
    await demo_core.run(locks.lock_employee, actors["admin"], username="mia",
                        reason="Laptop \x1b[31mgestohlen")
    refusal = await locks.refuse_locked_login(demo_core, mia, method="password")
    assert refusal is not None and refusal.key == locks.LOGIN_REFUSED
    from tui.sanitize import clean
    text = refusal.message("de", clean)
    assert text.startswith("Ihr Zugang ist gesperrt (Grund: Laptop ") and "\x1b" not in text
    assert "Your access is locked" in refusal.message("en", clean)
    (row,) = await _audit(demo_core, "session.login_locked")
    assert (row.target, row.customer_id, row.details["method"]) == (
        "mia", mia.customer_id, "password")


async def test_wait_until_locked_by_event_and_by_the_database(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """A live session learns of its lock at once from the event, and also when the lock was
    written by another process whose event never arrives here (the database check)."""
    import asyncio

    mia, tom = actors["mia"], actors["tom"]
    waiting = asyncio.create_task(locks.wait_until_locked(demo_core, demo_core.bus,
                                                          mia.account_id, interval=30))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await demo_core.run(locks.lock_employee, actors["admin"], username="mia", reason="Ende")
    refusal = await asyncio.wait_for(waiting, 30)
    assert (refusal.key, refusal.reason) == (locks.SESSION_ENDED, "Ende")

    quiet = demo_core.bus.__class__()  # a bus no event reaches: only the database tells
    waiting = asyncio.create_task(locks.wait_until_locked(demo_core, quiet, tom.account_id,
                                                          interval=0.05))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    await demo_core.run(locks.lock_employee, actors["admin"], username="tom", reason="Urlaub")
    refusal = await asyncio.wait_for(waiting, 30)
    assert refusal.reason == "Urlaub" and quiet.subscriber_count == 0
