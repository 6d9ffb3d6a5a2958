"""R30 number blocks: ordered only for a SIP-Trunk contract, only in a verified area, only
of 10 or 100 consecutive numbers; activated, deactivated and undone together (one
transaction, all or nothing, one audit entry); never swapped; bulk treats a member as its
block; the dashboard's page collapses a block to one row."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from core.authz import Actor
from core.clock import FixedClock
from core.enums import NumberAction
from core.errors import NotFound, RuleViolation, ValidationError
from core.events import DomainEvent
from core.jobs import JOBS, due_deactivations
from core.models import (
    AuditEvent,
    Charge,
    Contract,
    ContractType,
    Number,
    NumberBlock,
    NumberStatus,
)
from core.runtime import Core
from core.scheduler import Scheduler
from core.services import areas, bulk, number_blocks, number_csv, numbers
from core.services.number_reads import SORT_ORDERS
from core.tariffs import NUMBER_TARIFFS, NumberKind

DEMO_BLOCK = [f"+4930700000{i}" for i in range(10)]
"""The demo block of 10 on Muster GmbH's SIP-Trunk contract (active)."""
NEXT_BLOCK = [f"+493070000{i}" for i in range(10, 20)]
"""The block of 10 the pool gives next in 030 (aligned, after the demo block)."""
SINGLE_INACTIVE = "+4930123456104"
ACTIVE_SINGLE = "+4930123456106"


async def rows(core: Core, e164s: list[str]) -> list[Number]:
    async with core.uow(readonly=True) as uow:
        return list(await uow.session.scalars(
            select(Number).where(Number.e164.in_(e164s)).order_by(Number.e164)))


async def count(core: Core, model: Any, *where: Any) -> int:
    async with core.uow(readonly=True) as uow:
        return int(await uow.session.scalar(
            select(func.count()).select_from(model).where(*where)) or 0)


def capture(core: Core) -> list[DomainEvent]:
    seen: list[DomainEvent] = []
    core.bus.subscribe(seen.append)
    return seen


async def order_next(core: Core, admin: Actor) -> list[str]:
    quote = await core.run(number_blocks.order_block, admin, area="030", size=10)
    return list(quote.numbers)


async def test_block_quote_and_order_consecutive_aligned_inactive(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    assert await demo_core.read(number_blocks.block_sizes, admin) == (10, 100)
    quote = await demo_core.read(number_blocks.block_quote, admin, area="030", size=10)
    tariff = NUMBER_TARIFFS[NumberKind.VOICE]
    assert (quote.first, quote.last, quote.size) == (NEXT_BLOCK[0], NEXT_BLOCK[-1], 10)
    assert quote.national == "030 7000010–7000019"
    assert quote.contract_ref == "V-1000001-0009"
    assert quote.activation_fee_cents == tariff.activation_cents
    assert quote.total_activation_cents == 10 * tariff.activation_cents
    assert quote.total_monthly_cents == 10 * tariff.monthly_cents
    assert quote.numbers == ()  # a quote buys nothing
    assert await count(demo_core, NumberBlock) == 1

    seen = capture(demo_core)
    ordered = await demo_core.run(number_blocks.order_block, admin, area="030", size=10)
    assert list(ordered.numbers) == NEXT_BLOCK
    bought = await rows(demo_core, NEXT_BLOCK)
    assert {n.status for n in bought} == {NumberStatus.INACTIVE}
    assert len({n.block_id for n in bought}) == 1 and bought[0].block_id is not None
    async with demo_core.uow(readonly=True) as uow:
        trunk = await uow.session.get(Contract, bought[0].contract_id)
        audit = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "areas.block_ordered"))
    assert trunk is not None and trunk.type is ContractType.SIP_TRUNK
    assert audit is not None and audit.target == "030 7000010–7000019"
    assert audit.details["count"] == 10
    assert [e.payload["numbers"] for e in seen if e.name == "NumbersOrdered"] == [NEXT_BLOCK]

    # a block of 100 is aligned too (…00–…99) and needs the R16 operator note here
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(number_blocks.order_block, admin, area="030", size=100)
    assert err.value.key == "error.areas.operator_note_required"
    async with demo_core.uow() as uow:
        await areas.record_operator_note(uow, None, customer_id=admin.customer_id or 0,
                                         area="030", note="Trunk Zentrale, Ticket 42")
    big = await demo_core.run(number_blocks.order_block, admin, area="030", size=100)
    assert (big.first, big.last) == ("+49307000100", "+49307000199")
    assert list(big.numbers) == [f"+4930700{i:04d}" for i in range(100, 200)]


async def test_only_sizes_10_and_100(demo_core: Core, actors: dict[str, Actor]) -> None:
    for size in (0, 1, 5, 20, 50, 1000, -10, True, "10"):
        with pytest.raises(RuleViolation) as err:
            await demo_core.run(number_blocks.order_block, actors["admin"], area="030",
                                size=size)  # type: ignore[arg-type]
        assert err.value.rule == "R30" and err.value.key == "error.blocks.size"
    assert await count(demo_core, NumberBlock) == 1


async def test_only_in_a_verified_area(demo_core: Core, actors: dict[str, Actor]) -> None:
    for run in (demo_core.read, demo_core.run):
        fn = number_blocks.block_quote if run == demo_core.read else number_blocks.order_block
        with pytest.raises(RuleViolation) as err:
            await run(fn, actors["admin"], area="040", size=10)
        assert err.value.rule == "R16" and err.value.key == "error.areas.not_verified"


async def test_only_for_sip_trunk_contracts(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    with pytest.raises(RuleViolation) as err:  # a contract named that is no SIP trunk
        await demo_core.run(number_blocks.order_block, admin, area="030", size=10,
                            contract="V-1000001-0005")
    assert err.value.rule == "R30" and err.value.key == "error.blocks.not_sip_trunk"
    with pytest.raises(NotFound):  # another customer's SIP trunk: not found
        await demo_core.run(number_blocks.order_block, admin, area="030", size=10,
                            contract="V-2000001-0012")
    async with demo_core.uow() as uow:  # two SIP trunks: the block must name one
        trunk = await uow.session.scalar(
            select(Contract).where(Contract.contract_ref == "V-1000001-0005"))
        assert trunk is not None
        trunk.type = ContractType.SIP_TRUNK
    with pytest.raises(ValidationError) as verr:
        await demo_core.run(number_blocks.order_block, admin, area="030", size=10)
    assert verr.value.key == "error.blocks.contract_required"
    async with demo_core.uow() as uow:  # no SIP trunk at all
        await uow.session.execute(
            update(Contract).where(Contract.type == ContractType.SIP_TRUNK,
                                   Contract.contract_ref.like("V-1000001-%"))
            .values(type=ContractType.IP_VOICE_DATA))
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(number_blocks.order_block, admin, area="030", size=10)
    assert err.value.key == "error.blocks.no_sip_trunk"
    assert await demo_core.read(number_blocks.block_sizes, admin) == ()
    assert await count(demo_core, NumberBlock) == 1


async def test_activating_one_member_activates_the_block(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    block = await order_next(demo_core, admin)
    quote = await demo_core.read(numbers.activation_quote, admin, number=block[4])
    assert quote.block is not None and quote.count == 10
    assert quote.block.national == "030 7000010–7000019"
    seen = capture(demo_core)
    view = await demo_core.run(numbers.activate, admin, number=block[4],
                               expected_version=quote.version)
    assert view.e164 == block[4] and view.status == NumberStatus.ACTIVE
    assert view.block is not None and view.block.status == NumberStatus.ACTIVE
    assert {n.status for n in await rows(demo_core, block)} == {NumberStatus.ACTIVE}
    members = [n.id for n in await rows(demo_core, block)]
    assert await count(demo_core, Charge, Charge.number_id.in_(members)) == 10
    async with demo_core.uow(readonly=True) as uow:
        audits = list(await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("number.%activated"))))
    assert [(a.action, a.target) for a in audits] == [
        ("number.block_activated", "030 7000010–7000019")]
    assert audits[0].details["numbers"] == block
    assert audits[0].details["activation_fee_cents"] == 10 * quote.activation_fee_cents
    assert sorted(e.payload["number"] for e in seen if e.name == "NumberActivated") == block


async def test_change_block_gives_a_result_per_number(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    change = await demo_core.run(number_blocks.change_block, admin, action="deactivate",
                                 number="030 7000003")
    assert [v.e164 for v in change.views] == DEMO_BLOCK
    assert {v.status for v in change.views} == {NumberStatus.PENDING_DEACTIVATION}
    assert change.block.size == 10 and change.view_of(DEMO_BLOCK[3]).pending
    for action, number, key in (("deactivate", DEMO_BLOCK[0], "error.numbers.refused.deactivate"),
                                ("assign", DEMO_BLOCK[0], "error.bulk.invalid_action"),
                                ("undo", SINGLE_INACTIVE, "error.numbers.refused.undo")):
        with pytest.raises((RuleViolation, ValidationError)) as err:
            await demo_core.run(number_blocks.change_block, admin, action=action, number=number)
        assert err.value.key == key


async def test_deactivate_and_undo_act_on_the_block(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    dq = await demo_core.read(numbers.deactivation_quote, admin, number=DEMO_BLOCK[9])
    assert dq.block is not None and dq.block.size == 10
    view = await demo_core.run(numbers.deactivate, admin, number=DEMO_BLOCK[9])
    members = await rows(demo_core, DEMO_BLOCK)
    assert {n.status for n in members} == {NumberStatus.PENDING_DEACTIVATION}
    assert {n.deactivation_date for n in members} == {view.deactivation_date}
    await demo_core.run(numbers.undo_deactivation, admin, number=DEMO_BLOCK[0])
    members = await rows(demo_core, DEMO_BLOCK)
    assert {(n.status, n.deactivation_date) for n in members} == {(NumberStatus.ACTIVE, None)}
    async with demo_core.uow(readonly=True) as uow:
        actions = list(await uow.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("number.%"))))
    assert actions == ["number.block_deactivation_marked", "number.block_deactivation_undone"]


async def test_a_refusing_member_refuses_the_whole_block(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    block = await order_next(demo_core, admin)
    async with demo_core.uow() as uow:  # one member out of step (as if by an older bug)
        await uow.session.execute(
            update(Number).where(Number.e164 == block[7]).values(status=NumberStatus.ACTIVE))
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(numbers.activate, admin, number=block[2])
    assert err.value.params["number"] == block[7]
    members = await rows(demo_core, block)
    assert [n.status for n in members].count(NumberStatus.INACTIVE) == 9
    assert await count(demo_core, Charge) == 0
    assert await count(demo_core, AuditEvent, AuditEvent.action.like("number.%")) == 0


async def test_a_failure_half_way_rolls_everything_back(
    demo_core: Core, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = actors["admin"]
    block = await order_next(demo_core, admin)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(number_blocks, "audit_block", broken)  # after the members' flush
    with pytest.raises(RuntimeError):
        await demo_core.run(numbers.activate, admin, number=block[0])
    assert {n.status for n in await rows(demo_core, block)} == {NumberStatus.INACTIVE}
    assert await count(demo_core, Charge) == 0


async def test_members_are_never_swapped_and_views_say_why(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    block = await order_next(demo_core, admin)
    with pytest.raises(RuleViolation) as err:  # a member as the old side
        await demo_core.run(numbers.swap, admin, old=DEMO_BLOCK[1], new=SINGLE_INACTIVE)
    assert err.value.rule == "R30" and err.value.key == "error.numbers.block_swap"
    with pytest.raises(RuleViolation) as err:  # a member as the new side
        await demo_core.run(numbers.swap, admin, old=ACTIVE_SINGLE, new=block[0])
    assert err.value.rule == "R30"
    member = await demo_core.read(numbers.get_number, admin, number=DEMO_BLOCK[1])
    assert not member.allows(NumberAction.SWAP)
    assert "Rufnummernblock" in (member.refusal(NumberAction.SWAP) or "")
    assert member.allows(NumberAction.DEACTIVATE) and member.allows(NumberAction.ASSIGN)
    assert member.block is not None
    row = member.block  # the block row: block actions yes, per-number ones no
    assert row.allows(NumberAction.DEACTIVATE) and not row.allows(NumberAction.ACTIVATE)
    assert not row.allows(NumberAction.ASSIGN) and not row.allows(NumberAction.SWAP)
    assert "(+)" in (row.refusal(NumberAction.ASSIGN) or "")  # expand, choose a number
    # assigning a member to an employee is per number and keeps it in the block
    view = await demo_core.run(numbers.assign, admin, number=DEMO_BLOCK[2], username="tom")
    assert view.assigned_to == "tom" and view.block is not None


async def test_bulk_treats_a_member_as_its_block(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    block = await order_next(demo_core, admin)
    preview = await demo_core.read(bulk.preview, admin, action="activate",
                                   numbers=[block[5], SINGLE_INACTIVE, block[1]])
    assert preview.count == 11 and not preview.refused
    assert [i.number for i in preview.items] == [*block, SINGLE_INACTIVE]
    result = await demo_core.run(bulk.apply, admin, action="activate",
                                 numbers=[block[5], SINGLE_INACTIVE],
                                 expected_versions=preview.versions)
    assert result.count == 11
    assert {n.status for n in await rows(demo_core, block)} == {NumberStatus.ACTIVE}
    async with demo_core.uow(readonly=True) as uow:
        actions = list(await uow.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("number.%"))
            .order_by(AuditEvent.id)))
    assert sorted(actions) == ["number.activated", "number.block_activated"]

    # deactivating the demo block with one member out of step: the block is refused whole,
    # the other numbers of the batch are done all the same
    async with demo_core.uow() as uow:
        await uow.session.execute(update(Number).where(Number.e164 == DEMO_BLOCK[6])
                                  .values(status=NumberStatus.INACTIVE))
    result = await demo_core.run(bulk.apply, admin, action="deactivate",
                                 numbers=[DEMO_BLOCK[0], ACTIVE_SINGLE])
    assert [i.number for i in result.done] == [ACTIVE_SINGLE]
    assert [i.number for i in result.refused] == DEMO_BLOCK
    assert {i.rule for i in result.refused} == {"R30"}
    reason = result.refused[0].reason or ""
    assert "030 7000000–7000009" in reason and "+49307000006" in reason
    statuses = [n.status for n in await rows(demo_core, DEMO_BLOCK)]
    assert statuses.count(NumberStatus.ACTIVE) == 9  # nothing of the block changed


async def test_the_page_shows_a_block_as_one_row_that_expands(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    every = await demo_core.read(numbers.number_page, admin, limit=50)
    assert every.total == 23  # without collapsing: every number
    collapsed = await demo_core.read(numbers.number_page, admin, limit=50, expanded=())
    assert collapsed.total == 14
    heads = [v for v in collapsed.views if v.block is not None]
    assert [v.e164 for v in heads] == [DEMO_BLOCK[0]]
    info = heads[0].block
    assert info is not None and info.size == 10 and info.national == "030 7000000–7000009"
    assert info.monthly_price_cents == 10 * heads[0].monthly_price_cents
    opened = await demo_core.read(numbers.number_page, admin, limit=50, expanded=(info.id,))
    assert opened.total == 23
    assert [v.e164 for v in opened.views if v.block is not None] == DEMO_BLOCK
    # a filter matching a member shows the block's row; paging counts rows
    found = await demo_core.read(numbers.number_page, admin, limit=50, query="7000005",
                                 expanded=())
    assert [v.e164 for v in found.views] == [DEMO_BLOCK[0]] and found.total == 1
    inside = await demo_core.read(numbers.number_page, admin, limit=50, query="7000005",
                                  expanded=(info.id,))
    assert [v.e164 for v in inside.views] == [DEMO_BLOCK[0], DEMO_BLOCK[5]]
    second = await demo_core.read(numbers.number_page, admin, limit=10, offset=10,
                                  expanded=())
    assert second.total == 14 and len(second.views) == 4
    # an employee sees own numbers one by one (no block rows of numbers not theirs)
    mia = await demo_core.read(numbers.number_page, actors["mia"], limit=50, expanded=())
    assert mia.total == 4 and all(v.block is None for v in mia.views)


async def test_the_scheduler_deactivates_a_block_with_one_audit_entry(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    await demo_core.run(numbers.deactivate, actors["admin"], number=DEMO_BLOCK[4])
    clock.set(datetime(2026, 12, 31, 22, 30, tzinfo=UTC))  # still the last day in Berlin
    assert (await Scheduler(demo_core, JOBS).run_once())["deactivations"] == 0
    clock.set(datetime(2027, 1, 2, 8, 0, tzinfo=UTC))
    seen = capture(demo_core)
    # the demo's pending single number and the ten of the block
    assert (await Scheduler(demo_core, JOBS).run_once())["deactivations"] == 11
    assert {(n.status, n.deactivation_date) for n in await rows(demo_core, DEMO_BLOCK)} == {
        (NumberStatus.INACTIVE, None)}
    assert sorted(e.payload["number"] for e in seen if e.name == "NumberDeactivated") == sorted(
        [*DEMO_BLOCK, "+4930123456103"])
    async with demo_core.uow(readonly=True) as uow:
        entries = list(await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(
                ["number.deactivated", "number.block_deactivated"])).order_by(AuditEvent.id)))
    assert [(e.action, e.target) for e in entries] == [
        ("number.block_deactivated", "030 7000000–7000009"),
        ("number.deactivated", "+4930123456103")]
    details = entries[0].details
    assert details["count"] == 10 and details["numbers"] == DEMO_BLOCK
    assert details["last_active_day"] == "2026-12-31" and entries[0].actor_id is None
    assert (await Scheduler(demo_core, JOBS).run_once())["deactivations"] == 0  # idempotent


async def test_the_scheduler_leaves_a_block_whole_when_a_member_is_not_due(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await demo_core.run(numbers.deactivate, actors["admin"], number=DEMO_BLOCK[0])
    async with demo_core.uow() as uow:  # one member out of step (as if by an older bug)
        await uow.session.execute(update(Number).where(Number.e164 == DEMO_BLOCK[7])
                                  .values(status=NumberStatus.ACTIVE, deactivation_date=None))
    clock.set(datetime(2027, 1, 2, 8, 0, tzinfo=UTC))
    assert (await Scheduler(demo_core, JOBS).run_once())["deactivations"] == 1  # the single
    statuses = [n.status for n in await rows(demo_core, DEMO_BLOCK)]
    assert statuses.count(NumberStatus.PENDING_DEACTIVATION) == 9
    assert await count(demo_core, AuditEvent,
                       AuditEvent.action == "number.block_deactivated") == 0

    # a failure after the members' flush leaves every member as it was (one transaction)
    async with demo_core.uow() as uow:
        await uow.session.execute(update(Number).where(Number.e164 == DEMO_BLOCK[7]).values(
            status=NumberStatus.PENDING_DEACTIVATION, deactivation_date=date(2026, 12, 31)))

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(number_blocks, "_emit_changed", broken)
    with pytest.raises(RuntimeError):
        await _run_job(demo_core)
    assert {n.status for n in await rows(demo_core, DEMO_BLOCK)} == {
        NumberStatus.PENDING_DEACTIVATION}
    assert await count(demo_core, AuditEvent,
                       AuditEvent.action == "number.block_deactivated") == 0


async def _run_job(core: Core) -> int:
    async with core.uow() as uow:
        return await due_deactivations(uow)


async def test_the_block_row_refuses_what_any_member_refuses(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    block = await order_next(demo_core, admin)
    head = await demo_core.read(numbers.get_number, admin, number=block[0])
    assert head.block is not None and head.block.allows(NumberAction.ACTIVATE)
    async with demo_core.uow() as uow:  # member 7 without an emergency location (R29)
        await uow.session.execute(update(Number).where(Number.e164 == block[7]).values(
            emergency_street=None, emergency_house_number=None, emergency_postcode=None,
            emergency_city=None))
    page = await demo_core.read(numbers.number_page, admin, limit=50, expanded=())
    row = next(v.block for v in page.views if v.e164 == block[0])
    assert row is not None and not row.allows(NumberAction.ACTIVATE)
    reason = row.refusal(NumberAction.ACTIVATE) or ""
    assert "Notrufstandort" in reason and block[7] in reason  # member 7 named, not the first
    assert not row.allows(NumberAction.DEACTIVATE)  # the state rule is unchanged
    assert block[0] in (row.refusal(NumberAction.DEACTIVATE) or "")
    # a member's row acts on the whole block too: refused with member 7's reason
    member = await demo_core.read(numbers.get_number, admin, number=block[0])
    assert not member.allows(NumberAction.ACTIVATE)
    assert member.refusal(NumberAction.ACTIVATE) == reason
    for view in (await demo_core.read(numbers.get_number, admin, number=block[3]),
                 *(await demo_core.read(number_blocks.get_block, admin, number=block[0]))):
        assert view.block is not None and view.block.refusal(NumberAction.ACTIVATE) == reason
    with pytest.raises(RuleViolation) as err:  # the write refuses with the same reason
        await demo_core.run(numbers.activate, admin, number=block[0])
    assert err.value.render("de") == reason


async def test_a_blocks_numbers_stay_under_its_row_in_every_order(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    await demo_core.run(numbers.assign, admin, number=DEMO_BLOCK[3], username="tom")
    await demo_core.run(numbers.assign, admin, number=DEMO_BLOCK[8], username="mia")
    info = (await demo_core.read(numbers.get_number, admin, number=DEMO_BLOCK[0])).block
    assert info is not None
    for order in SORT_ORDERS:
        page = await demo_core.read(numbers.number_page, admin, limit=50, order=order,
                                    expanded=(info.id,))
        shown = [v.e164 for v in page.views]
        start = shown.index(DEMO_BLOCK[0])
        assert shown[start:start + 10] == DEMO_BLOCK, order
        collapsed = await demo_core.read(numbers.number_page, admin, limit=50, order=order,
                                         expanded=())
        singles = [v.e164 for v in collapsed.views if v.block is None]
        assert [e for e in shown if e not in DEMO_BLOCK] == singles, order  # same place
    by_price = await demo_core.read(numbers.number_page, admin, limit=50, order="price",
                                    expanded=())
    assert by_price.views[0].e164 == DEMO_BLOCK[0]  # the block's 25,00 € before 2,50 €
    by_employee = await demo_core.read(numbers.number_page, admin, limit=50, order="assigned",
                                       expanded=())
    order = [v.e164 for v in by_employee.views]
    assigned = [order.index(v.e164) for v in by_employee.views if v.assigned_to]
    assert order.index(DEMO_BLOCK[0]) > max(assigned)  # with the unassigned numbers


async def test_assignments_of_a_blocks_numbers_are_per_number_in_bulk_and_csv(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    result = await demo_core.run(bulk.apply, admin, action="assign",
                                 numbers=[DEMO_BLOCK[1], DEMO_BLOCK[2]], username="tom")
    assert [i.number for i in result.done] == [DEMO_BLOCK[1], DEMO_BLOCK[2]]  # not the block
    outcome = await demo_core.run(number_csv.import_assignments, admin,
                                  text="number,username\n030 7000004,mia\n")
    assert [c.number for c in outcome.changes] == [DEMO_BLOCK[4]] and not outcome.problems
    members = await rows(demo_core, DEMO_BLOCK)
    assigned = {n.e164: n.assigned_account_id for n in members if n.assigned_account_id}
    assert sorted(assigned) == [DEMO_BLOCK[1], DEMO_BLOCK[2], DEMO_BLOCK[4]]
    assert {n.status for n in members} == {NumberStatus.ACTIVE}
    assert len({n.block_id for n in members}) == 1  # still one block
    exported = await demo_core.read(number_csv.export_rows, admin)
    by_number = {row[0]: row for row in exported[1:]}
    assert all(f"030 700000{i}" in by_number for i in range(10))  # one row per number
    assert by_number["030 7000002"][6] == "tom" and by_number["030 7000004"][6] == "mia"
    assert by_number["030 7000003"][6] == ""
