"""The number lifecycle rules R10–R15, R17 against the demo data with an injected clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from core.authz import Actor, ViewMode
from core.clock import FixedClock
from core.errors import Conflict, NotFound, PermissionDenied, RuleViolation, ValidationError
from core.models import (
    AuditEvent,
    CallRecord,
    Charge,
    Number,
    OutboxMessage,
    PortingOrder,
    PortingStatus,
)
from core.outbox import _unseal
from core.runtime import Core
from core.services import emergency, numbers
from core.services.numbers import end_of_following_month
from tests.stepup_helpers import run_with_code

MIA_MAIN = "+4930123456100"
TOM_NUMBER = "+4930123456101"
PENDING = "+4930123456103"
INACTIVE = "+4930123456104"
INACTIVE_2 = "+4930123456105"
FORWARDED = "+4930123456106"
PERSONAL_FAX = "+4930123456110"
SHARED_FAX = "+4930123456111"
PORTING = "+4930987654321"
BEISPIEL = "+4989123456300"


async def count(core: Core, model: type, *where: object) -> int:
    async with core.uow(readonly=True) as uow:
        return int(
            await uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )


async def number_row(core: Core, e164: str) -> Number:
    async with core.uow(readonly=True) as uow:
        row = await uow.session.scalar(select(Number).where(Number.e164 == e164))
        assert row is not None
        return row


@pytest.mark.parametrize(
    ("marked", "last_day"),
    [
        (date(2026, 11, 21), date(2026, 12, 31)),  # the SPEC example, across the year end
        (date(2026, 12, 1), date(2027, 1, 31)),
        (date(2026, 12, 31), date(2027, 1, 31)),
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 1, 1), date(2028, 2, 29)),  # leap year
        (date(2028, 2, 29), date(2028, 3, 31)),
        (date(2026, 10, 31), date(2026, 11, 30)),
    ],
)
def test_end_of_following_month(marked: date, last_day: date) -> None:
    assert end_of_following_month(marked) == last_day


def test_number_forms_are_normalised() -> None:
    assert numbers.normalize_number("030 123456100") == MIA_MAIN
    assert numbers.normalize_number("+49 30 123456100") == MIA_MAIN
    assert numbers.normalize_number("0049-30-123456100") == MIA_MAIN
    assert numbers.national_form(MIA_MAIN, "030") == "030 123456100"
    for bad in ("", "abc", "030", "+49 30 12x"):
        with pytest.raises(ValidationError):
            numbers.normalize_number(bad)


async def test_admin_lists_all_customer_numbers_employee_only_own(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = await demo_core.read(numbers.list_numbers, actors["admin"])
    e164s = {n.e164 for n in admin}
    assert MIA_MAIN in e164s and INACTIVE in e164s and BEISPIEL not in e164s
    mia_main = next(n for n in admin if n.e164 == MIA_MAIN)
    assert mia_main.national == "030 123456100"
    assert mia_main.area_name == "Berlin"
    assert mia_main.assigned_to == "mia"
    assert mia_main.forwarding_target == "sip:mia@muster-gmbh.de"
    pending = next(n for n in admin if n.e164 == PENDING)
    assert pending.deactivation_date == date(2026, 12, 31)
    assert pending.as_json()["deactivation_date"] == "2026-12-31"

    mia = await demo_core.read(numbers.list_numbers, actors["mia"])
    assert mia and all(n.assigned_to == "mia" for n in mia)
    user_view = actors["admin"].with_view_mode(ViewMode.USER)
    own = await demo_core.read(numbers.list_numbers, user_view)
    assert [n.e164 for n in own] == ["+4940123456200"]

    filtered = await demo_core.read(numbers.list_numbers, actors["admin"], query="mia")
    assert {n.assigned_to for n in filtered} == {"mia"}
    by_digits = await demo_core.read(numbers.list_numbers, actors["admin"], query="030 123456 1")
    assert {n.e164 for n in by_digits} >= {MIA_MAIN, PERSONAL_FAX}
    inactive = await demo_core.read(numbers.list_numbers, actors["admin"], status="inactive")
    assert {n.status for n in inactive} == {"inactive"}
    page = await demo_core.read(numbers.list_numbers, actors["admin"], offset=2, limit=3)
    assert [n.e164 for n in page] == [n.e164 for n in admin[2:5]]


async def test_tenant_isolation_and_employee_reads(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    with pytest.raises(NotFound):
        await demo_core.read(numbers.get_number, actors["admin"], number=BEISPIEL)
    with pytest.raises(NotFound):
        await demo_core.run(numbers.activate, actors["beispiel"], number=INACTIVE)
    with pytest.raises(PermissionDenied):
        await demo_core.read(numbers.get_number, actors["mia"], number=TOM_NUMBER)
    with pytest.raises(PermissionDenied):  # unassigned numbers belong to nobody
        await demo_core.read(numbers.get_number, actors["mia"], number=INACTIVE)
    with pytest.raises(PermissionDenied):
        await demo_core.run(numbers.deactivate, actors["mia"], number=MIA_MAIN)
    assert (
        await demo_core.read(numbers.get_number, actors["mia"], number="030 123456100")
    ).e164 == MIA_MAIN


async def test_activation_is_charged_after_a_quote(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    quote = await demo_core.read(numbers.activation_quote, admin, number="030 123456104")
    assert (quote.activation_fee_cents, quote.monthly_price_cents) == (995, 250)
    seen: list[str] = []
    sub = demo_core.bus.subscribe(lambda e: seen.append(e.name))
    view = await demo_core.run(
        numbers.activate, admin, number=INACTIVE, expected_version=quote.version
    )
    sub.close()
    assert view.status == "active"
    assert "NumberActivated" in seen
    charges = await count(
        demo_core,
        Charge,
        Charge.number_id == view.id,
        Charge.kind == "activation",
        Charge.amount_cents == 995,
    )
    assert charges == 1
    assert await count(demo_core, AuditEvent, AuditEvent.action == "number.activated",
                       AuditEvent.target == INACTIVE) == 1
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(numbers.activate, admin, number=INACTIVE)
    assert err.value.rule == "R11"
    with pytest.raises(RuleViolation):
        await demo_core.run(numbers.activate, admin, number=PORTING)


async def test_deactivation_date_and_undo(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    quote = await demo_core.read(numbers.deactivation_quote, admin, number=TOM_NUMBER)
    assert quote.deactivation_date == date(2026, 12, 31)
    view = await demo_core.run(numbers.deactivate, admin, number=TOM_NUMBER)
    assert (view.status, view.deactivation_date) == ("pending_deactivation", date(2026, 12, 31))
    assert await count(demo_core, Charge) == 0  # marking is free
    with pytest.raises(RuleViolation):
        await demo_core.run(numbers.deactivate, admin, number=TOM_NUMBER)
    undone = await demo_core.run(numbers.undo_deactivation, admin, number=TOM_NUMBER)
    assert (undone.status, undone.deactivation_date) == ("active", None)
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(numbers.undo_deactivation, admin, number=TOM_NUMBER)
    assert err.value.rule == "R12"

    clock.set(datetime(2028, 1, 15, 9, 0, tzinfo=UTC))  # leap year
    view = await demo_core.run(numbers.deactivate, admin, number=TOM_NUMBER)
    assert view.deactivation_date == date(2028, 2, 29)


async def test_due_deactivation_takes_effect_after_the_last_day(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    async with demo_core.uow() as uow:
        assert await numbers.apply_due_deactivations(uow, today=date(2026, 12, 31)) == 0
    async with demo_core.uow() as uow:
        assert await numbers.apply_due_deactivations(uow, today=date(2027, 1, 1)) == 1
    async with demo_core.uow() as uow:
        assert await numbers.apply_due_deactivations(uow, today=date(2027, 1, 1)) == 0
    row = await number_row(demo_core, PENDING)
    assert (row.status.value, row.deactivation_date) == ("inactive", None)
    with pytest.raises(RuleViolation):  # too late to undo
        await demo_core.run(numbers.undo_deactivation, actors["admin"], number=PENDING)


async def test_swap_is_cost_neutral_and_wipes_settings(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    before = await number_row(demo_core, MIA_MAIN)
    assert before.settings
    result = await run_with_code(demo_core, numbers.swap, admin, old="030 123456100",
                                 new=INACTIVE)
    assert (result.old.status, result.new.status) == ("inactive", "active")
    assert result.old.forwarding_target is None and result.new.forwarding_target is None
    assert result.old.assigned_to is None and result.new.assigned_to == "mia"
    old_row = await number_row(demo_core, MIA_MAIN)
    new_row = await number_row(demo_core, INACTIVE)
    assert old_row.settings == {} and new_row.settings == {}
    assert await count(demo_core, Charge) == 0
    assert await count(demo_core, AuditEvent, AuditEvent.action == "number.swapped") == 1
    with pytest.raises(RuleViolation) as err:  # the old one is inactive now
        await demo_core.run(numbers.swap, admin, old=MIA_MAIN, new=INACTIVE_2)
    assert err.value.rule == "R13"
    with pytest.raises(RuleViolation):  # voice for fax
        await demo_core.run(numbers.swap, admin, old=SHARED_FAX, new=INACTIVE_2)
    with pytest.raises(RuleViolation):  # new must be inactive
        await demo_core.run(numbers.swap, admin, old=FORWARDED, new=TOM_NUMBER)


async def test_assign_with_and_without_traffic_data_deletion(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    mia_id = actors["mia"].account_id
    number_id = (await number_row(demo_core, MIA_MAIN)).id
    mia_calls = (CallRecord.number_id == number_id, CallRecord.account_id == mia_id,
                 CallRecord.deleted.is_(False))
    assert await count(demo_core, CallRecord, *mia_calls) == 4

    view = await demo_core.run(numbers.assign, admin, number=MIA_MAIN, username="tom")
    assert view.assigned_to == "tom"
    assert await count(demo_core, CallRecord, *mia_calls) == 4  # kept without the checkbox
    records = await demo_core.read(numbers.list_call_records, actors["mia"], number=MIA_MAIN)
    assert len(records) == 4 and {r.username for r in records} == {"mia"}

    view = await run_with_code(demo_core, numbers.assign, admin, number=MIA_MAIN,
                               username="mia", delete_traffic_data=True)
    assert view.assigned_to == "mia"
    tom_records = await demo_core.read(numbers.list_call_records, actors["tom"], number=MIA_MAIN)
    assert tom_records == []  # tom's call on this number is deleted
    assert len(await demo_core.read(numbers.list_call_records, actors["mia"])) == 6
    audit = await count(demo_core, AuditEvent, AuditEvent.action == "number.assigned")
    assert audit == 2

    with pytest.raises(RuleViolation):
        await demo_core.run(numbers.assign, admin, number=MIA_MAIN, username="mia")
    with pytest.raises(NotFound):
        await demo_core.run(numbers.assign, admin, number=MIA_MAIN, username="beispiel")
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(numbers.assign, admin, number=INACTIVE, username="tom")
    assert err.value.rule == "R14"


async def _mails(core: Core) -> list[tuple[str, str]]:
    async with core.uow(readonly=True) as uow:
        rows = (await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        return [(m.to, m.body) for m in (_unseal(core.secret_box, r) for r in rows)]


async def test_fax_credentials_personal_only_to_owner(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    choice = await demo_core.read(numbers.fax_recipients, admin, number=PERSONAL_FAX)
    assert choice.locked and choice.owner == "mia" and choice.preselected == ("mia",)
    assert [c.username for c in choice.candidates] == ["mia"]
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(numbers.send_fax_credentials, admin, number=PERSONAL_FAX,
                            usernames=["mia", "tom"])
    assert err.value.rule == "R15"
    with pytest.raises(RuleViolation):
        await demo_core.run(
            numbers.send_fax_credentials, admin, number=PERSONAL_FAX, usernames=["tom"]
        )
    assert await _mails(demo_core) == []

    sent = await demo_core.run(
        numbers.send_fax_credentials, admin, number=PERSONAL_FAX, usernames=["mia"]
    )
    assert sent.recipients == ("mia",)
    mails = await _mails(demo_core)
    assert len(mails) == 1 and mails[0][0] == "mia.schneider@muster-gmbh.de"
    password = mails[0][1].split("Passwort: ")[1].splitlines()[0]
    row = await number_row(demo_core, PERSONAL_FAX)
    stored = row.settings["fax_credentials"]["mia"]
    assert password not in str(row.settings) and stored["password_hash"].startswith("$argon2")
    audit = await count(demo_core, AuditEvent, AuditEvent.action == "number.fax_credentials_sent")
    assert audit == 1


async def test_fax_credentials_shared_to_chosen_employees(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    choice = await demo_core.read(numbers.fax_recipients, admin, number=SHARED_FAX)
    assert not choice.locked and {"mia", "tom", "admin"} <= {c.username for c in choice.candidates}
    sent = await demo_core.run(numbers.send_fax_credentials, admin, number=SHARED_FAX,
                               usernames=["tom", "mia"])
    assert sent.recipients == ("mia", "tom")
    mails = await _mails(demo_core)
    assert {m[0] for m in mails} == {"mia.schneider@muster-gmbh.de", "tom.becker@muster-gmbh.de"}
    assert any("Password: " in body for _, body in mails)  # tom reads English
    with pytest.raises(RuleViolation):
        await demo_core.run(numbers.send_fax_credentials, admin, number=MIA_MAIN, usernames=["mia"])
    with pytest.raises(ValidationError):
        await demo_core.run(numbers.send_fax_credentials, admin, number=SHARED_FAX, usernames=[])


async def test_forwarding_is_validated(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    view = await demo_core.run(numbers.set_forwarding, admin, number=TOM_NUMBER,
                               target="sip:empfang@muster-gmbh.de")
    assert view.forwarding_target == "sip:empfang@muster-gmbh.de"
    view = await demo_core.run(
        numbers.set_forwarding, admin, number=TOM_NUMBER, target="0170 1234567"
    )
    assert view.forwarding_target == "+491701234567"
    for bad in ("sip:nohost", "hello", "sip:a b@c.de"):
        with pytest.raises(ValidationError):
            await demo_core.run(numbers.set_forwarding, admin, number=TOM_NUMBER, target=bad)
    view = await demo_core.run(numbers.set_forwarding, admin, number=TOM_NUMBER, target="")
    assert view.forwarding_target is None


async def test_concurrent_actions_one_success_one_conflict(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    version = (await demo_core.read(numbers.get_number, admin, number=TOM_NUMBER)).version
    results = await asyncio.gather(
        demo_core.run(numbers.deactivate, admin, number=TOM_NUMBER, expected_version=version),
        demo_core.run(
            numbers.assign, admin, number=TOM_NUMBER, username="mia", expected_version=version
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert sum(isinstance(r, numbers.NumberView) for r in results) == 1
    assert await count(demo_core, AuditEvent, AuditEvent.target == TOM_NUMBER) == 1


async def test_support_needs_a_reason_to_change(demo_core: Core, actors: dict[str, Actor]) -> None:
    muster_id = actors["admin"].customer_id
    support = actors["support"].for_customer(muster_id, customer_name="Muster GmbH")
    assert len(await demo_core.read(numbers.list_numbers, support)) >= 12
    with pytest.raises(PermissionDenied):
        await demo_core.run(numbers.deactivate, support, number=TOM_NUMBER)
    view = await demo_core.run(numbers.deactivate, support.with_reason("T-4711"), number=TOM_NUMBER)
    assert view.status == "pending_deactivation"
    async with demo_core.uow(readonly=True) as uow:
        event = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "number.deactivation_marked"))
        assert event is not None and event.via_support and event.reason == "T-4711"


async def test_paging_counting_ordering_and_batch_get(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin, mia = actors["admin"], actors["mia"]
    assert await demo_core.read(numbers.count_numbers, admin) == 23  # 13 single, a block of 10
    assert await demo_core.read(numbers.count_numbers, admin, query="mia") == 4
    assert await demo_core.read(numbers.count_numbers, mia) == 4
    by_price = await demo_core.read(numbers.list_numbers, admin, order="price")
    assert [n.monthly_price_cents for n in by_price] == sorted(
        (n.monthly_price_cents for n in by_price), reverse=True)
    by_date = await demo_core.read(numbers.list_numbers, admin, order="date", limit=1)
    assert by_date[0].e164 == PENDING
    with pytest.raises(ValidationError):
        await demo_core.read(numbers.list_numbers, admin, order="secret_column")

    wanted = [MIA_MAIN, "030 123456101", BEISPIEL]
    assert [v.e164 for v in await demo_core.read(numbers.get_numbers, admin, numbers=wanted)] == [
        MIA_MAIN, TOM_NUMBER]  # another customer's number is left out
    assert [v.e164 for v in await demo_core.read(numbers.get_numbers, mia, numbers=wanted)] == [
        MIA_MAIN
    ]


async def test_events_carry_the_new_version(demo_core: Core, actors: dict[str, Actor]) -> None:
    seen = []
    sub = demo_core.bus.subscribe(seen.append)
    view = await demo_core.run(numbers.deactivate, actors["admin"], number=TOM_NUMBER)
    sub.close()
    event = next(e for e in seen if e.name == "NumberDeactivationMarked")
    assert event.customer_id == actors["admin"].customer_id
    assert event.payload["number"] == TOM_NUMBER and event.payload["versions"] == {
        TOM_NUMBER: view.version
    }


# ---------------------------------------------------------------- one place for the rules


async def test_view_actions_are_what_the_writes_do(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """NumberView.actions (what the dashboard offers) is computed by the predicate the
    writes raise: every action it allows runs, every one it refuses is refused by the write
    with the same text."""
    from core.enums import NumberAction

    admin = actors["admin"]
    for e164 in (MIA_MAIN, PENDING, INACTIVE, PERSONAL_FAX, PORTING):
        view = await demo_core.read(numbers.get_number, admin, number=e164)
        for check in view.actions:
            if check.action in (NumberAction.SWAP, NumberAction.ASSIGN, NumberAction.FAX):
                continue  # need a second number / an employee: covered below
            write = {
                NumberAction.ACTIVATE: numbers.activate,
                NumberAction.DEACTIVATE: numbers.deactivate,
                NumberAction.UNDO: numbers.undo_deactivation,
                NumberAction.FORWARDING: numbers.set_forwarding,
                NumberAction.LOCATION: emergency.set_location,  # R29
            }[check.action]
            extra: dict[str, object] = {
                NumberAction.FORWARDING: {"target": None},
                NumberAction.LOCATION: {"street": "Friedrichstraße", "house_number": "1",
                                        "postcode": "10117", "city": "Berlin"},
            }.get(check.action, {})
            try:
                async with demo_core.uow() as uow:
                    await write(uow, admin, number=e164, **extra)
                    raise _Rollback
            except _Rollback:
                assert check.allowed, (e164, check)
            except RuleViolation as error:
                assert view.refusal(check.action) == error.render("de"), (e164, check)
        assert view.allows(NumberAction.FAX) == (e164 == PERSONAL_FAX)
    employee = await demo_core.read(numbers.get_number, actors["mia"], number=MIA_MAIN)
    assert not any(c.allowed for c in employee.actions)


class _Rollback(Exception):
    pass


async def test_refusals_name_the_status_in_the_users_language(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    with pytest.raises(RuleViolation) as refused:
        await demo_core.run(numbers.activate, admin, number=MIA_MAIN)
    assert refused.value.rule == "R11" and refused.value.params["status"] == "active"
    text = refused.value.render("de")
    assert "„active“" not in text and "activate" not in text
    assert text == ("Rufnummer +4930123456100 ist aktiv: aktivieren lässt sich nur eine "
                    "inaktive Rufnummer.")
    assert "is active: only an inactive number" in refused.value.render("en")
    # a swap to an active number names the target, not an activation
    with pytest.raises(RuleViolation) as swap:
        await demo_core.run(numbers.swap, admin, old=MIA_MAIN, new=TOM_NUMBER)
    assert swap.value.render("de").startswith("Das Tauschziel +4930123456101 ist aktiv")


async def test_swap_options_are_paged_and_by_kind(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    old = await demo_core.read(numbers.swap_options, admin, side="old")
    assert MIA_MAIN in {v.e164 for v in old.views} and PENDING in {v.e164 for v in old.views}
    assert all(v.in_use for v in old.views) and old.total == len(old.views)
    new = await demo_core.read(numbers.swap_options, admin, side="new", kind="voice", limit=1)
    assert new.total >= 2 and len(new.views) == 1 and new.views[0].status == "inactive"
    second = await demo_core.read(numbers.swap_options, admin, side="new", kind="voice",
                                  offset=1, limit=1)
    assert second.views[0].e164 != new.views[0].e164
    fax = await demo_core.read(numbers.swap_options, admin, side="new", kind="fax")
    assert all(v.kind == "fax" for v in fax.views)
    with pytest.raises(PermissionDenied):
        await demo_core.read(numbers.swap_options, actors["mia"], side="old")


async def test_filter_by_translated_status_and_e164_prefix(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]

    async def found(query: str, actor: Actor = admin) -> set[str]:
        return {v.status for v in await demo_core.read(numbers.list_numbers, actor, query=query)}

    assert await found("vorgemerkt") == {"pending_deactivation"}
    assert await found("inaktiv") == {"inactive"}
    assert await found("aktiv") == {"active"}
    assert await found("pending") == {"pending_deactivation"}
    beispiel = actors["beispiel"]
    assert await demo_core.read(numbers.list_numbers, beispiel, query="+4930") == []
    assert await demo_core.read(numbers.list_numbers, beispiel, query="+4989")
    berlin = await demo_core.read(numbers.list_numbers, admin, query="+4930")
    assert berlin and all(v.e164.startswith("+4930") for v in berlin)
    assert {v.e164 for v in await demo_core.read(numbers.list_numbers, admin,
                                                  query="030 123456100")} == {MIA_MAIN}


async def test_support_sees_prices_before_giving_a_reason(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """Quotes and choices are previews: support opens them without a reason (the write
    then asks for one), an employee still may not."""
    support = actors["support"].for_customer(actors["admin"].customer_id, customer_name="Muster")
    quote = await demo_core.read(numbers.deactivation_quote, support, number=MIA_MAIN)
    assert quote.number == MIA_MAIN
    assert await demo_core.read(numbers.list_assignees, support)
    with pytest.raises(PermissionDenied) as denied:
        await demo_core.run(numbers.deactivate, support, number=MIA_MAIN)
    assert denied.value.key == "error.support_reason_required"
    with pytest.raises(PermissionDenied):
        await demo_core.read(numbers.activation_quote, actors["mia"], number=INACTIVE)


async def test_a_number_being_ported_in_carries_its_orders_date(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """R22/R31: the view of a number in an open porting order says its switch-over day:
    the confirmed one, else the wished one (not confirmed); none once the order is closed."""
    admin = actors["admin"]
    async with demo_core.uow(readonly=True) as uow:
        order = await uow.session.scalar(select(PortingOrder).where(
            PortingOrder.customer_id == admin.customer_id))
        assert order is not None and order.confirmed_date is not None
        confirmed, order_id = order.confirmed_date, order.id
    [view] = await demo_core.read(numbers.get_numbers, admin, numbers=[PORTING])
    assert view.porting is not None
    assert (view.porting.order_id, view.porting.day, view.porting.confirmed) == (
        order_id, confirmed, True)
    assert view.as_json()["porting"] == {"order_id": order_id, "date": confirmed.isoformat(),
                                         "confirmed": True}
    [other] = await demo_core.read(numbers.get_numbers, admin, numbers=[TOM_NUMBER])
    assert other.porting is None and other.as_json()["porting"] is None
    wished = date(2027, 3, 1)
    async with demo_core.uow() as uow:
        order = await uow.session.get(PortingOrder, order_id)
        assert order is not None
        order.status, order.confirmed_date, order.wished_date = (
            PortingStatus.SUBMITTED, None, wished)
    [view] = await demo_core.read(numbers.get_numbers, admin, numbers=[PORTING])
    assert view.porting is not None and (view.porting.day, view.porting.confirmed) == (
        wished, False)
    async with demo_core.uow() as uow:
        order = await uow.session.get(PortingOrder, order_id)
        assert order is not None
        order.status = PortingStatus.CANCELLED  # (the number row stays in this test)
    [view] = await demo_core.read(numbers.get_numbers, admin, numbers=[PORTING])
    assert view.porting is None
