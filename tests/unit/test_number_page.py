"""numbers.number_page: the dashboard's count and page in one read, with 10,000 numbers."""

from __future__ import annotations

from sqlalchemy import insert, select

from core.authz import Actor
from core.models import Number, NumberKind, NumberStatus
from core.runtime import Core
from core.services import numbers

DEMO_MUSTER = 23
"""Numbers of Muster GmbH in the demo data (13 single, a block of 10)."""


SITE_LOCATION = {"emergency_street": "Friedrichstraße", "emergency_house_number": "123",
                 "emergency_postcode": "10117", "emergency_city": "Berlin"}
"""R29: the emergency location the demo site gives its numbers (activation needs one)."""


async def add_numbers(core: Core, actor: Actor, count: int) -> None:
    async with core.uow() as uow:
        contract = await uow.session.scalar(
            select(Number.contract_id).where(Number.customer_id == actor.customer_id).limit(1))
        await uow.session.execute(insert(Number), [
            {"customer_id": actor.customer_id, "contract_id": contract, "e164": f"+49305550{i:05d}",
             "area_prefix": "030", "kind": NumberKind.VOICE,
             "status": NumberStatus.ACTIVE if i % 2 else NumberStatus.INACTIVE, "settings": {},
             "activation_fee_cents": 995, "monthly_price_cents": 250,
             "created_at": uow.clock.now(), "version": 1, **SITE_LOCATION}
            for i in range(count)
        ])


async def test_pages_of_ten_thousand_numbers(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    await add_numbers(demo_core, admin, 10_000)
    total = 10_000 + DEMO_MUSTER
    everything = await demo_core.read(numbers.list_numbers, admin)
    first = await demo_core.read(numbers.number_page, admin, limit=100)
    assert first.total == total and first.offset == 0
    assert [v.e164 for v in first.views] == [v.e164 for v in everything[:100]]
    middle = await demo_core.read(numbers.number_page, admin, offset=5_000, limit=100)
    assert [v.e164 for v in middle.views] == [v.e164 for v in everything[5_000:5_100]]
    # past the end (the filter shrank meanwhile): the last page
    last = await demo_core.read(numbers.number_page, admin, offset=20_000, limit=100)
    assert last.offset == 10_000 and [v.e164 for v in last.views] == [
        v.e164 for v in everything[10_000:]
    ]
    by_status = await demo_core.read(
        numbers.number_page, admin, order="status", offset=100, limit=50
    )
    assert [v.e164 for v in by_status.views] == [
        v.e164 for v in await demo_core.read(numbers.list_numbers, admin, order="status")][100:150]


async def test_filter_among_ten_thousand_numbers(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    await add_numbers(demo_core, admin, 10_000)
    one = await demo_core.read(numbers.number_page, admin, query="0305550 09999", limit=100)
    assert one.total == 1 and [v.e164 for v in one.views] == ["+4930555009999"]
    ten = await demo_core.read(numbers.number_page, admin, query="55500012", limit=100)
    assert ten.total == 10 and [v.e164 for v in ten.views] == [
        f"+493055500012{i}" for i in range(10)
    ]
    # more matches than a page: the rest is counted, not fetched
    many = await demo_core.read(numbers.number_page, admin, query="555001", limit=100)
    assert many.total == 1_000 and len(many.views) == 100
    full = await demo_core.read(numbers.number_page, admin, query="5550001", limit=100)
    assert full.total == 100 and len(full.views) == 100  # exactly one full page
    assert (await demo_core.read(numbers.number_page, admin, query="tom", limit=100)).total == 1
    nothing = await demo_core.read(numbers.number_page, admin, query="no such number", limit=100)
    assert nothing.total == 0 and nothing.views == () and nothing.offset == 0


async def test_employee_pages_hold_only_own_numbers(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    await add_numbers(demo_core, actors["admin"], 300)
    page = await demo_core.read(numbers.number_page, actors["mia"], limit=2)
    assert page.total == 4 and len(page.views) == 2
    assert all(v.assigned_to == "mia" for v in page.views)
    second = await demo_core.read(numbers.number_page, actors["mia"], offset=2, limit=2)
    assert {v.e164 for v in page.views + second.views} == {
        "+4930123456100", "+4930123456102", "+4930123456110", "+4940123456202"}
