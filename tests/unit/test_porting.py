"""R16 porting: working days, gating, states with timeline, the scheduler step function."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.authz import Actor, ViewMode
from core.clock import FixedClock
from core.errors import Conflict, PermissionDenied, RuleViolation, ValidationError
from core.models import AuditEvent, Number, NumberStatus, PortingEvent
from core.runtime import Core
from core.services import porting
from core.services.porting import (
    add_working_days,
    earliest_wished_date,
    easter_sunday,
    national_holidays,
)

# demo "today" is Saturday 2026-11-21; 15 working days later is Friday 2026-12-11
EARLIEST = date(2026, 12, 11)
NUMBERS = ["030 5550100", "+49305550101"]


def test_easter_and_national_holidays() -> None:
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2038) == date(2038, 4, 25)
    h = national_holidays(2027)
    assert {date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 6), date(2027, 5, 17)} <= h
    assert {
        date(2027, 1, 1),
        date(2027, 5, 1),
        date(2027, 10, 3),
        date(2027, 12, 25),
        date(2027, 12, 26),
    } <= h
    assert len(h) == 9


def test_working_days_skip_weekends_and_holidays() -> None:
    assert earliest_wished_date(date(2026, 11, 21)) == EARLIEST
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday → Monday
    # Christmas (Fri 25th, Sat 26th) and New Year (Fri 1st) are skipped
    assert add_working_days(date(2026, 12, 14), 15) == date(2027, 1, 6)
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    # leap year: 29 February 2028 is a Tuesday and a working day
    assert add_working_days(date(2028, 2, 28), 1) == date(2028, 2, 29)


async def create(core: Core, actor: Actor, **overrides: object) -> porting.PortingOrderView:
    args: dict[str, object] = {
        "area": "030", "numbers": NUMBERS, "old_provider": "Alt-Telefon GmbH",
        "account_holder": "Muster GmbH", "wished_date": EARLIEST,
    }
    args.update(overrides)
    return await core.run(porting.create_order, actor, **args)  # type: ignore[arg-type]


async def number_states(core: Core, numbers: list[str]) -> dict[str, str]:
    async with core.uow(readonly=True) as uow:
        return {e: s.value for e, s in await uow.session.execute(
            select(Number.e164, Number.status).where(Number.e164.in_(numbers)))}


async def test_gating_and_validation(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    with pytest.raises(RuleViolation) as err:
        await create(demo_core, admin, area="040", numbers=["+4940555000"])
    assert err.value.rule == "R16" and err.value.key == "error.areas.not_verified"
    with pytest.raises(RuleViolation) as err:
        await create(demo_core, admin, wished_date=EARLIEST - timedelta(days=1))
    assert (
        err.value.key == "error.porting.date_too_early" and err.value.params["date"] == "11.12.2026"
    )
    cases = [
        ({"numbers": []}, "error.porting.numbers_required"),
        ({"numbers": ["+4940123456"]}, "error.porting.wrong_area"),
        ({"numbers": ["hello"]}, "error.porting.invalid_number"),
        ({"numbers": ["+49305550100", "030 5550100"]}, "error.porting.duplicate"),
        ({"old_provider": "  "}, "error.porting.provider_required"),
        ({"account_holder": ""}, "error.porting.holder_required"),
    ]
    for overrides, key in cases:
        with pytest.raises(ValidationError) as verr:
            await create(demo_core, admin, **overrides)
        assert verr.value.key == key, overrides
    with pytest.raises(RuleViolation) as err:
        await create(demo_core, admin, numbers=["+4930123456100"])  # a demo number of ours
    assert err.value.key == "error.porting.already_here"


async def test_roles_and_tenants(demo_core: Core, actors: dict[str, Actor]) -> None:
    with pytest.raises(PermissionDenied):
        await create(demo_core, actors["mia"])
    with pytest.raises(PermissionDenied):
        await demo_core.read(porting.list_orders, actors["tom"])
    with pytest.raises(PermissionDenied):
        await create(demo_core, actors["admin"].with_view_mode(ViewMode.USER))
    support = actors["support"].for_customer(
        actors["admin"].customer_id, customer_name="Muster GmbH"
    )
    assert len(await demo_core.read(porting.list_orders, support)) == 1
    with pytest.raises(PermissionDenied):
        await create(demo_core, support)
    # Beispiel AG sees none of Muster's orders, and 030 is not verified for it
    assert await demo_core.read(porting.list_orders, actors["beispiel"]) == []
    with pytest.raises(RuleViolation):
        await create(demo_core, actors["beispiel"], account_holder="Beispiel AG")


async def test_order_moves_submitted_confirmed_completed(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    seen: list[str] = []
    demo_core.bus.subscribe(lambda e: seen.append(e.name))
    order = await create(demo_core, admin)
    assert order.status == "submitted" and order.carrier_ref == f"SIM-{order.id:06d}"
    assert [e.status for e in order.timeline] == ["submitted"]
    assert order.numbers == ("+49305550100", "+49305550101")
    assert set((await number_states(demo_core, list(order.numbers))).values()) == {"porting"}
    with pytest.raises(RuleViolation) as err:  # not twice
        await create(demo_core, admin, numbers=["+49305550101"])
    assert err.value.key == "error.porting.already_here"

    async with demo_core.uow() as uow:
        assert await porting.advance_due(uow) == 0  # not due yet
    clock.advance(timedelta(days=1))
    async with demo_core.uow() as uow:
        assert await porting.advance_due(uow) == 1
    mine = next(o for o in await demo_core.read(porting.list_orders, admin) if o.id == order.id)
    assert mine.status == "confirmed"
    assert mine.next_step_at == datetime(2026, 12, 11, 5, 0, tzinfo=UTC)  # 06:00 in Berlin

    clock.set(datetime(2026, 12, 11, 5, 0, tzinfo=UTC))
    async with demo_core.uow() as uow:
        assert await porting.advance_due(uow) == 1
    mine = next(o for o in await demo_core.read(porting.list_orders, admin) if o.id == order.id)
    assert mine.status == "completed" and mine.next_step_at is None
    assert [e.status for e in mine.timeline] == ["submitted", "confirmed", "completed"]
    assert set((await number_states(demo_core, list(order.numbers))).values()) == {"active"}
    assert {"PortingOrderSubmitted", "PortingOrderConfirmed", "PortingOrderCompleted"} <= set(seen)
    async with demo_core.uow(readonly=True) as uow:
        actions = list(
            await uow.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.target == order.reference)
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["porting.submitted", "porting.confirmed", "porting.completed"]


async def test_wrong_account_holder_is_rejected_and_numbers_removed(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    order = await create(demo_core, admin, account_holder="Someone Else KG")
    clock.advance(timedelta(days=2))
    async with demo_core.uow() as uow:
        assert await porting.advance_due(uow) == 1
    mine = next(o for o in await demo_core.read(porting.list_orders, admin) if o.id == order.id)
    assert mine.status == "rejected" and mine.reject_reason == porting.REASON_HOLDER_MISMATCH
    assert "Anschlussinhaber" in mine.reason_text("de") and "account holder" in mine.reason_text(
        "en"
    )
    assert mine.timeline[0].note_text("en") == "Order passed on to the previous provider"
    assert [e.status for e in mine.timeline] == ["submitted", "rejected"]
    assert await number_states(demo_core, list(order.numbers)) == {}
    # holder comparison ignores case and spacing; the numbers can be ordered again
    again = await create(
        demo_core, admin, account_holder="  muster   gmbh ", wished_date=date(2027, 1, 15)
    )
    clock.advance(timedelta(days=1))
    async with demo_core.uow() as uow:
        assert await porting.advance_due(uow) == 1
    assert (
        next(o for o in await demo_core.read(porting.list_orders, admin) if o.id == again.id).status
        == "confirmed"
    )


async def test_catch_up_after_downtime_and_idempotence(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    order = await create(demo_core, admin)
    clock.set(datetime(2027, 1, 15, 12, 0, tzinfo=UTC))  # the scheduler was down for weeks
    async with demo_core.uow() as uow:
        # the new order: confirmed + completed; the demo order (wished 19.12.2026): completed
        assert await porting.advance_due(uow) == 3
    async with demo_core.uow() as uow:
        assert await porting.advance_due(uow) == 0
    orders = await demo_core.read(porting.list_orders, admin)
    assert {o.status for o in orders} == {"completed"}
    mine = next(o for o in orders if o.id == order.id)
    assert [e.status for e in mine.timeline] == ["submitted", "confirmed", "completed"]
    assert await number_states(demo_core, ["+4930987654321"]) == {"+4930987654321": "active"}


async def test_two_schedulers_apply_each_step_once(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    order = await create(demo_core, actors["admin"])
    clock.advance(timedelta(days=1))

    async def run() -> int:
        async with demo_core.uow() as uow:
            return await porting.advance_due(uow)

    results = await asyncio.gather(run(), run(), run())
    assert sorted(results) == [0, 0, 1]
    async with demo_core.uow(readonly=True) as uow:
        events = list(await uow.session.scalars(
            select(PortingEvent.status).where(PortingEvent.order_id == order.id)))
    assert events == ["submitted", "confirmed"]


async def test_completed_number_arrives_even_if_its_row_is_missing(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    """The demo order's number exists in state porting; a completion also creates missing rows."""
    from sqlalchemy import delete

    async with demo_core.uow() as uow:
        await uow.session.execute(delete(Number).where(Number.e164 == "+4930987654321"))
    clock.set(datetime(2026, 12, 19, 10, 0, tzinfo=UTC))  # the demo order's next step
    async with demo_core.uow() as uow:
        assert await porting.advance_due(uow) == 1
    assert await number_states(demo_core, ["+4930987654321"]) == {
        "+4930987654321": NumberStatus.ACTIVE.value
    }


async def test_concurrent_schedulers_on_postgres(pg_server: str, tmp_path: Path) -> None:
    """Real row locks and READ COMMITTED: several runs at once still apply each step once."""
    from core import migrate
    from core.demo import seed_demo
    from tests.conftest import DEMO_NOW, login, make_settings
    from tests.pg import create_database

    clock = FixedClock(DEMO_NOW)
    core = Core(make_settings(tmp_path, database_url=await create_database(pg_server)), clock=clock)
    try:
        await migrate.upgrade(core.db)
        async with core.uow() as uow:
            await seed_demo(uow)
        admin = await login(core, "admin")
        orders = [
            await create(core, admin, numbers=[f"+4930555{i:04d}"]) for i in range(5)
        ]
        clock.advance(timedelta(days=1))

        async def run() -> int:
            try:
                async with core.uow() as uow:
                    return await porting.advance_due(uow)
            except Conflict:
                return 0

        results = await asyncio.gather(*(run() for _ in range(4)))
        async with core.uow() as uow:  # whatever a conflicting run left, the next run catches up
            results.append(await porting.advance_due(uow))
        assert sum(results) == len(orders)
        async with core.uow(readonly=True) as uow:
            statuses = list(
                await uow.session.scalars(
                    select(PortingEvent.status).where(
                        PortingEvent.order_id.in_([o.id for o in orders])
                    )
                )
            )
        assert sorted(statuses).count("confirmed") == len(orders)
        assert len(statuses) == 2 * len(orders)
    finally:
        await core.close()


async def test_areas_ordering_and_audit_filter_on_postgres(pg_server: str, tmp_path: Path) -> None:
    """Row locks (FOR UPDATE), the joined LIKE filter and ESCAPE also work on PostgreSQL."""
    from core import migrate
    from core.demo import seed_demo
    from core.services import areas
    from core.services.audit import list_events
    from tests.conftest import DEMO_NOW, login, make_settings
    from tests.pg import create_database

    core = Core(make_settings(tmp_path, database_url=await create_database(pg_server)),
                clock=FixedClock(DEMO_NOW))
    try:
        await migrate.upgrade(core.db)
        async with core.uow() as uow:
            await seed_demo(uow)
        admin = await login(core, "admin")
        results = await asyncio.gather(
            *(core.run(areas.order_numbers, admin, area="030", count=3) for _ in range(3)),
            return_exceptions=True,
        )
        bought = [n for r in results if isinstance(r, list) for n in r]
        assert len(bought) == 9 == len(set(bought))  # serialized by the customer row lock
        await core.run(areas.request_pin, admin, area="040", address="Jungfernstieg 10, 20354 "
                                                                     "Hamburg")
        with pytest.raises(RuleViolation):
            await core.run(areas.request_pin, admin, area="040", address="Jungfernstieg 10, 20354 "
                                                                         "Hamburg")
        hits = await core.read(list_events, admin, query="NUMBERS_ordered")
        assert len(hits) == 3
        assert await core.read(list_events, admin, query="100%") == []
    finally:
        await core.close()


async def test_carrier_references_have_one_format(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """Issue 11.14: the demo order and new orders are numbered alike (not SIM-0001 next to
    SIM-000002)."""
    import re as _re

    refs = [o.carrier_ref for o in await demo_core.read(porting.list_orders, actors["admin"])]
    assert refs and all(ref and _re.fullmatch(r"SIM-\d{6}", ref) for ref in refs)
