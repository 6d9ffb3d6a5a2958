"""SECURITY.md "Carrier test switch" and "Abuse bounds" (the paths landed with R29, R31, R21's
policy switch): who may choose a carrier outcome, and what one account cannot grow without
bound. Injected clock (demo today: Sat 2026-11-21)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from core.authz import Actor
from core.clock import FixedClock
from core.errors import PermissionDenied, RuleViolation
from core.models import ApprovalRequest, AuditEvent, Customer, PortingEvent, PortingOrder
from core.runtime import Core
from core.services import approval_guard, emergency, number_csv, porting
from ssh_server.commands import execute

EARLIEST = date(2026, 12, 11)  # 15 working days after Sat 2026-11-21


async def create(core: Core, actor: Actor, **overrides: object) -> porting.PortingOrderView:
    args: dict[str, object] = {
        "area": "030", "numbers": ["030 5550100"], "old_provider": "Alt-Telefon GmbH",
        "account_holder": "Muster GmbH", "wished_date": EARLIEST,
    }
    args.update(overrides)
    return await core.run(porting.create_order, actor, **args)  # type: ignore[arg-type]


def switch_off(core: Core) -> None:
    """The production configuration (``LINEDESK_CARRIER_TEST_SWITCH`` unset)."""
    core.settings = replace(core.settings, carrier_test_switch=False)


# --- the carrier test switch ----------------------------------------------------------


@pytest.mark.parametrize("scenario", ["confirm", "other_date", "reject:other"])
async def test_a_customer_cannot_choose_its_carrier_outcome_in_production(
    demo_core: Core, actors: dict[str, Actor], scenario: str
) -> None:
    switch_off(demo_core)
    with pytest.raises(PermissionDenied) as err:
        await create(demo_core, actors["admin"], account_holder="Jemand Anderes KG",
                     scenario=scenario)
    assert err.value.key == "error.porting.scenario_off"
    assert "LINEDESK_CARRIER_TEST_SWITCH" in err.value.render("de")
    async with demo_core.uow(readonly=True) as uow:  # nothing written, the attempt audited
        assert await uow.session.scalar(select(func.count()).select_from(PortingOrder).where(
            PortingOrder.account_holder == "Jemand Anderes KG")) == 0
        denied = await uow.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "access.denied"))
    assert denied
    # no switch (or ``auto``) stays allowed: the carrier decides
    order = await create(demo_core, actors["admin"], scenario="auto")
    assert order.scenario == "auto"


async def test_command_mode_refuses_the_switch_in_production(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    switch_off(demo_core)
    done = await execute(demo_core, actors["admin"],
                         "porting create 030 --number 0305550100 --old-provider Alt "
                         "--account-holder 'Muster GmbH' --wished-date earliest "
                         "--carrier-scenario confirm")
    assert done.exit_code == 3 and "LINEDESK_CARRIER_TEST_SWITCH" in done.stderr


async def test_a_stored_switch_is_ignored_once_the_configuration_is_production(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    """An order filed with the switch on (a demo) and carried into production: the carrier
    answers as ``auto`` (the holder check applies)."""
    forced = await create(demo_core, actors["admin"], account_holder="Jemand Anderes KG",
                          scenario="confirm")
    switch_off(demo_core)
    clock.advance(timedelta(days=1))
    async with demo_core.uow() as uow:
        await porting.advance_due(uow)
    mine = await demo_core.read(porting.get_order, actors["admin"], order_id=forced.id)
    assert (mine.status, mine.reject_code) == ("rejected", "holder_mismatch")


async def test_the_switch_is_on_for_demo_and_test_configurations_only() -> None:
    from core.config import Settings

    assert Settings().carrier_test_switch is False
    assert Settings.from_env({"LINEDESK_CARRIER_TEST_SWITCH": "1"}).carrier_test_switch
    from click.testing import CliRunner

    from ssh_server import cli

    seen: list[bool] = []

    def fake_run(settings: Settings, demo: bool = False) -> None:
        seen.append(settings.carrier_test_switch)

    import ssh_server.server as server_module

    original = server_module.run_forever
    server_module.run_forever = fake_run  # type: ignore[assignment]
    try:
        for args in (["serve", "--port", "0"], ["serve", "--port", "0", "--demo"]):
            result = CliRunner().invoke(cli.main, args, env={"LINEDESK_CARRIER_TEST_SWITCH": ""})
            assert result.exit_code == 0, result.output
    finally:
        server_module.run_forever = original  # type: ignore[assignment]
    assert seen == [False, True]


# --- abuse bounds -----------------------------------------------------------------------


async def test_comments_per_order_are_bounded(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    order = await create(demo_core, actors["admin"])
    async with demo_core.uow() as uow:  # the order already holds the most comments allowed
        for i in range(porting.MAX_COMMENTS_PER_ORDER):
            uow.session.add(PortingEvent(order_id=order.id, status=order.status, note=f"c{i}",
                                         at=uow.clock.now(), kind=porting.KIND_COMMENT,
                                         author="admin", author_role="admin"))
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(porting.add_comment, actors["admin"], order_id=order.id,
                            text="noch einer")
    assert err.value.key == "error.porting.too_many_comments"
    assert str(porting.MAX_COMMENTS_PER_ORDER) in err.value.render("de")


async def test_open_porting_orders_per_customer_are_bounded(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with demo_core.uow(readonly=True) as uow:
        already = await uow.session.scalar(select(func.count()).select_from(PortingOrder).where(
            PortingOrder.customer_id == admin.customer_id,
            PortingOrder.status.in_(porting.OPEN_STATES))) or 0
    for i in range(porting.MAX_OPEN_ORDERS - already):
        await create(demo_core, admin, numbers=[f"030 555{i:04d}"])
    with pytest.raises(RuleViolation) as err:
        await create(demo_core, admin, numbers=["030 5559999"])
    assert err.value.key == "error.porting.too_many_open"
    # a cancelled one makes room again
    last = (await demo_core.read(porting.list_orders, admin))[0]
    await demo_core.run(porting.cancel_order, admin, order_id=last.id)
    await create(demo_core, admin, numbers=["030 5559999"])


async def test_open_approval_requests_per_account_are_bounded(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with demo_core.uow() as uow:
        await uow.session.execute(update(Customer).where(Customer.id == admin.customer_id)
                                  .values(approval_required=True))

    async def file(i: int) -> None:
        async with demo_core.uow() as uow:
            assert not await approval_guard.guard(
                uow, admin, customer_id=admin.customer_id, action="numbers.swap",
                object_id=f"+4930123456100>+49301234561{i:02d}", params={})

    for i in range(approval_guard.MAX_PENDING_PER_ACCOUNT):
        with pytest.raises(approval_guard.ApprovalRequested):  # filed (told after commit)
            await file(i)
    with pytest.raises(RuleViolation) as err:
        await file(99)
    assert err.value.key == "approvals.error.too_many_pending"
    async with demo_core.uow(readonly=True) as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ApprovalRequest).where(
            ApprovalRequest.requested_by_id == admin.account_id)) == \
            approval_guard.MAX_PENDING_PER_ACCOUNT


# --- CSV export: location fields a spreadsheet would run ---------------------------------


@pytest.mark.parametrize("street", ["=HYPERLINK(\"http://x\";\"Weg\")", "@SUM(Weg)",
                                    "+Weg", "-Weg"])
async def test_location_fields_cannot_inject_a_formula_into_the_export(
    demo_core: Core, actors: dict[str, Actor], street: str
) -> None:
    admin = actors["admin"]
    try:
        await demo_core.run(emergency.set_location, admin, number="+4930123456100",
                            street=street, house_number="1", postcode="10117", city=street)
    except Exception as exc:  # refused by validation: nothing to export
        assert getattr(exc, "key", None), exc
        return
    rows = list(csv.reader(io.StringIO(number_csv.to_csv(
        await demo_core.read(number_csv.export_rows, admin)))))
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c[:1] in number_csv.FORMULA_STARTS], cells
    assert any(c.startswith("'" + street) for c in cells)


# --- secrets in recorded command lines (R24 headers, session.command audit rows) -----------


@pytest.mark.parametrize("line", [
    "approvals approve 5 --code 918273", "approvals approve 5 --code=918273",
    "approvals approve --code 918273 5", "approvals approve 5 '--code' '918273' --json",
    "approvals approve 5 --co 918273", "approvals approve 5 --co=918273",
    "approvals approve 5 --code 918273 --bogus",
    "credentials generate V-1000001-0007 --consent --code 918273",
    "numbers swap +4930123456100 +4930123456105 --code 918273",
    "areas verify 040 918273", "areas verify 040 --json 918273",
])
def test_a_step_up_code_or_pin_never_reaches_a_recorded_command_line(line: str) -> None:
    from ssh_server.commands import recorded_command_line

    recorded = recorded_command_line(line)
    assert "918273" not in recorded and recorded.split()[0] in line
