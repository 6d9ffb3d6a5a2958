"""R31 porting in full: the carrier's date, reject codes, cancellation by the customer,
comments in the timeline, an e-mail per state change, the simulated carrier's test switch,
and every new scheduler step exactly once. Injected clock (demo today: Sat 2026-11-21)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from core.authz import Actor, ViewMode
from core.clock import FixedClock
from core.errors import Conflict, NotFound, PermissionDenied, RuleViolation, ValidationError
from core.models import Account, AuditEvent, Number, OutboxMessage, PortingEvent
from core.outbox import _unseal
from core.runtime import Core
from core.services import deadlines, porting
from core.services.porting import (
    REJECT_CODES,
    SCENARIOS,
    add_working_days,
    earliest_wished_date,
    parse_wished_date,
)

EARLIEST = date(2026, 12, 11)  # 15 working days after Sat 2026-11-21
NUMBERS = ["030 5550100", "+49305550101"]
E164 = ["+49305550100", "+49305550101"]


async def create(core: Core, actor: Actor, **overrides: object) -> porting.PortingOrderView:
    args: dict[str, object] = {
        "area": "030", "numbers": NUMBERS, "old_provider": "Alt-Telefon GmbH",
        "account_holder": "Muster GmbH", "wished_date": EARLIEST,
    }
    args.update(overrides)
    return await core.run(porting.create_order, actor, **args)  # type: ignore[arg-type]


async def step(core: Core) -> int:
    async with core.uow() as uow:
        return await porting.advance_due(uow)


async def order_of(core: Core, actor: Actor, order_id: int) -> porting.PortingOrderView:
    return await core.read(porting.get_order, actor, order_id=order_id)


async def number_states(core: Core, numbers: list[str]) -> dict[str, str]:
    async with core.uow(readonly=True) as uow:
        return {e: s.value for e, s in await uow.session.execute(
            select(Number.e164, Number.status).where(Number.e164.in_(numbers)))}


async def mails(core: Core, order_id: int) -> list[tuple[str, str, str, str]]:
    """(key, to, subject, body) of the order's e-mails, in the order written."""
    async with core.uow(readonly=True) as uow:
        rows = (await uow.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like(f"porting-{order_id}-%"))
            .order_by(OutboxMessage.id))).all()
        return [(r.idempotency_key, m.to, m.subject, m.body)
                for r, m in ((r, _unseal(core.secret_box, r)) for r in rows)]


async def audit_actions(core: Core, reference: str) -> list[tuple[str, str]]:
    async with core.uow(readonly=True) as uow:
        return [(a, u) for a, u in await uow.session.execute(
            select(AuditEvent.action, AuditEvent.actor_username)
            .where(AuditEvent.target == reference).order_by(AuditEvent.id))]


def support_for(actors: dict[str, Actor], reason: str | None = "TICKET-31") -> Actor:
    return actors["support"].for_customer(
        actors["admin"].customer_id, customer_name="Muster GmbH", reason=reason)


# --- wished date as typed -----------------------------------------------------------


def test_wished_date_forms() -> None:
    today = date(2026, 11, 21)
    assert parse_wished_date("earliest", today) == EARLIEST == earliest_wished_date(today)
    assert parse_wished_date(" Frühestens ", today) == EARLIEST
    assert parse_wished_date("+15wd", today) == EARLIEST
    assert parse_wished_date("+20AT", today) == add_working_days(today, 20)
    # across Christmas and New Year the relative form still counts working days only
    assert parse_wished_date("+15wd", date(2026, 12, 14)) == date(2027, 1, 6)
    assert parse_wished_date("2027-01-15", today) == date(2027, 1, 15)
    assert parse_wished_date("15.01.2027", today) == date(2027, 1, 15)
    for bad in ("", "+wd", "+20", "20wd", "+1000wd", "morgen", "2027-02-30"):
        with pytest.raises(ValidationError):
            parse_wished_date(bad, today)


async def test_text_date_is_read_against_the_transactions_today(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    order = await create(demo_core, actors["admin"], wished_date="earliest")
    assert order.wished_date == EARLIEST
    clock.set(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    later = await create(demo_core, actors["admin"], numbers=["030 5550200"],
                         wished_date="+15wd")
    assert later.wished_date == date(2027, 1, 6)
    with pytest.raises(RuleViolation) as err:
        await create(demo_core, actors["admin"], numbers=["030 5550201"], wished_date="+14wd")
    assert err.value.key == "error.porting.date_too_early"


# --- the carrier's date -------------------------------------------------------------


async def test_confirmed_for_another_date_completes_on_the_carriers_date(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    order = await create(demo_core, admin, scenario="other_date")
    assert order.scenario == "other_date" and order.confirmed_date is None
    clock.advance(timedelta(days=1))
    assert await step(demo_core) == 1
    mine = await order_of(demo_core, admin, order.id)
    carrier_day = add_working_days(EARLIEST, porting.OTHER_DATE_SHIFT)
    assert carrier_day == date(2026, 12, 16)
    assert mine.status == "confirmed" and mine.confirmed_date == carrier_day
    assert mine.date_differs and mine.switch_date == carrier_day
    note = mine.timeline[-1].note_text("de")
    assert note == ("Alt-Anbieter hat einen anderen Termin bestätigt: 16.12.2026 statt des "
                    "Wunschtermins 11.12.2026")
    assert "16/12/2026 instead of the wished date 11/12/2026" in mine.timeline[-1].note_text("en")
    # Fristen lists the carrier's day and says that it is not the wished one
    entry = next(e for e in await demo_core.read(deadlines.list_deadlines, admin)
                 if e.key == f"porting:{order.id}")
    assert entry.date == carrier_day
    assert entry.detail == "bestätigter Termin 16.12.2026 (gewünscht: 11.12.2026)"

    clock.set(datetime(2026, 12, 11, 12, 0, tzinfo=UTC))  # the wished day: nothing happens
    assert await step(demo_core) == 0
    assert set((await number_states(demo_core, E164)).values()) == {"porting"}
    clock.set(datetime(2026, 12, 16, 5, 0, tzinfo=UTC))  # 06:00 Berlin on the carrier's day
    assert await step(demo_core) == 1
    mine = await order_of(demo_core, admin, order.id)
    assert mine.status == "completed"
    assert set((await number_states(demo_core, E164)).values()) == {"active"}
    assert [a for a, _ in await audit_actions(demo_core, order.reference)] == [
        "porting.submitted", "porting.confirmed", "porting.completed"]


async def test_confirm_scenario_ignores_the_holder_check(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    auto = await create(demo_core, admin, account_holder="Jemand Anderes KG")
    forced = await create(demo_core, admin, numbers=["030 5550300"],
                          account_holder="Jemand Anderes KG", scenario="confirm")
    clock.advance(timedelta(days=1))
    assert await step(demo_core) == 2
    assert (await order_of(demo_core, admin, auto.id)).reject_code == "holder_mismatch"
    mine = await order_of(demo_core, admin, forced.id)
    assert mine.status == "confirmed" and mine.confirmed_date == EARLIEST
    assert not mine.date_differs
    assert mine.timeline[-1].note_text("de") == (
        "Alt-Anbieter hat den Wunschtermin bestätigt (11.12.2026)")


@pytest.mark.parametrize("code", REJECT_CODES)
async def test_each_reject_code(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock, code: str
) -> None:
    admin = actors["admin"]
    order = await create(demo_core, admin, scenario=f"reject:{code}")
    clock.advance(timedelta(days=1))
    assert await step(demo_core) == 1
    mine = await order_of(demo_core, admin, order.id)
    assert mine.status == "rejected" and mine.reject_code == code
    assert mine.reject_reason == f"ui.porting.reason.{code}"
    assert mine.reason_text("de").startswith("Abgelehnt:")
    assert mine.reason_text("en").startswith("Rejected:")
    assert mine.reject_code_text("de") and mine.reject_code_text("de") != mine.reject_code
    assert mine.timeline[-1].status == "rejected"
    assert await number_states(demo_core, E164) == {}
    assert not mine.allows(porting.ACTION_CANCEL) and mine.allows(porting.ACTION_COMMENT)
    data = mine.as_json("en")
    assert data["reject_code"] == code and data["reject_code_text"] == mine.reject_code_text("en")
    key, _to, subject, body = (await mails(demo_core, order.id))[-1]
    assert key.endswith("-rejected-" + str(admin.account_id)) and "abgelehnt" in subject
    assert f"Grund: {mine.reject_code_text('de')}." in body and mine.reason_text("de") in body
    async with demo_core.uow(readonly=True) as uow:
        details = await uow.session.scalar(
            select(AuditEvent.details).where(AuditEvent.action == "porting.rejected",
                                             AuditEvent.target == order.reference))
    assert details is not None and details["reject_code"] == code


async def test_unknown_scenario_and_a_carriers_unknown_code(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    with pytest.raises(ValidationError) as err:
        await create(demo_core, actors["admin"], scenario="reject:because")
    assert err.value.key == "error.porting.unknown_scenario"
    assert "reject:contract_term" in SCENARIOS and "auto" in SCENARIOS

    class OddCarrier(porting.SimulatedCarrier):
        def poll(self, order: porting.CarrierOrder, now: datetime) -> porting.CarrierStep | None:
            return porting.CarrierStep(porting.PortingStatus.REJECTED, reject_code="X-42",
                                       reject_reason="Nummer gesperrt")

    order = await create(demo_core, actors["admin"], scenario="confirm")
    clock.advance(timedelta(days=1))
    async with demo_core.uow() as uow:
        assert await porting.advance_due(uow, OddCarrier()) == 1  # the demo order is not due
    mine = await order_of(demo_core, actors["admin"], order.id)
    assert (mine.reject_code, mine.reason_text("en")) == ("other", "Nummer gesperrt")


# --- cancellation by the customer ---------------------------------------------------


async def test_cancel_while_submitted(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    seen: list[str] = []
    demo_core.bus.subscribe(lambda e: seen.append(e.name))
    order = await create(demo_core, admin)
    assert order.allows(porting.ACTION_CANCEL) and order.refusal(porting.ACTION_CANCEL) is None
    with pytest.raises(Conflict):  # read before a change: the version says so
        await demo_core.run(porting.cancel_order, admin, order_id=order.id,
                            expected_version=order.version + 1)
    done = await demo_core.run(porting.cancel_order, admin, order_id=order.id,
                               expected_version=order.version)
    assert done.status == "cancelled" and done.next_step_at is None
    assert [(e.status, e.author) for e in done.timeline] == [
        ("submitted", "admin"), ("cancelled", "admin")]
    assert await number_states(demo_core, E164) == {}
    assert "PortingOrderCancelled" in seen
    assert await audit_actions(demo_core, order.reference) == [
        ("porting.submitted", "admin"), ("porting.cancelled", "admin")]
    assert not done.allows(porting.ACTION_CANCEL)
    assert done.refusal(porting.ACTION_CANCEL) == (
        "Der Auftrag ist bereits storniert und kann nicht storniert werden.")
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(porting.cancel_order, admin, order_id=order.id)
    assert err.value.rule == "R31"
    # the carrier's due step does nothing to a cancelled order; the numbers can be ported again
    clock.advance(timedelta(days=2))
    assert await step(demo_core) == 0
    again = await create(demo_core, admin, wished_date=date(2027, 1, 15))
    assert again.status == "submitted"


async def test_cancel_refused_once_confirmed(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    order = await create(demo_core, admin, scenario="other_date")
    clock.advance(timedelta(days=1))
    assert await step(demo_core) == 1
    mine = await order_of(demo_core, admin, order.id)
    why = "Der Alt-Anbieter hat den Auftrag bereits für den 16.12.2026 bestätigt"
    assert not mine.allows(porting.ACTION_CANCEL)
    assert (mine.refusal(porting.ACTION_CANCEL) or "").startswith(why)
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(porting.cancel_order, admin, order_id=order.id)
    assert err.value.rule == "R31" and err.value.render("de").startswith(why)
    assert err.value.params["date"] == "16.12.2026"
    english = await demo_core.read(porting.get_order, replace(admin, locale="en"),
                                   order_id=order.id)
    assert "already confirmed the order for 16/12/2026" in (
        english.refusal(porting.ACTION_CANCEL) or "")
    assert set((await number_states(demo_core, E164)).values()) == {"porting"}


async def test_cancel_who_may(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    order = await create(demo_core, actors["admin"])
    for actor in (actors["mia"], actors["admin"].with_view_mode(ViewMode.USER),
                  support_for(actors, reason=None)):
        with pytest.raises(PermissionDenied):
            await demo_core.run(porting.cancel_order, actor, order_id=order.id)
    with pytest.raises(NotFound):  # another tenant: not found, never forbidden
        await demo_core.run(porting.cancel_order, actors["beispiel"], order_id=order.id)
    with pytest.raises(NotFound):
        await demo_core.read(porting.get_order, actors["beispiel"], order_id=order.id)
    done = await demo_core.run(porting.cancel_order, support_for(actors), order_id=order.id)
    assert done.timeline[-1].author == "support" and done.timeline[-1].author_role == "support"
    async with demo_core.uow(readonly=True) as uow:
        reason = await uow.session.scalar(select(AuditEvent.reason).where(
            AuditEvent.action == "porting.cancelled", AuditEvent.target == order.reference))
    assert reason == "TICKET-31"


async def test_cancel_racing_the_confirmation_applies_one_of_them(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    order = await create(demo_core, admin, scenario="confirm")
    clock.advance(timedelta(days=1))

    async def cancel() -> str:
        try:
            await demo_core.run(porting.cancel_order, admin, order_id=order.id,
                                expected_version=order.version)
            return "cancelled"
        except (Conflict, RuleViolation):
            return "refused"

    async def confirm() -> str:
        try:
            return "confirmed" if await step(demo_core) else "nothing"
        except Conflict:
            return "nothing"

    results = await asyncio.gather(cancel(), confirm())
    mine = await order_of(demo_core, admin, order.id)
    statuses = [e.status for e in mine.timeline]
    assert statuses in (["submitted", "cancelled"], ["submitted", "confirmed"])
    assert mine.status in results  # the one that won is the one that says so
    assert len(await mails(demo_core, order.id)) == 2  # submitted + exactly one more


# --- comments -----------------------------------------------------------------------


async def test_comments_by_admin_and_support_in_the_timeline(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    order = await create(demo_core, admin)
    clock.advance(timedelta(minutes=5))
    await demo_core.run(porting.add_comment, admin, order_id=order.id,
                        text="  Bitte   vor 8 Uhr umstellen  ")
    clock.advance(timedelta(minutes=5))
    hostile = "Alles klar \u202e<script> ui.porting.note.completed"
    mine = await demo_core.run(porting.add_comment, support_for(actors), order_id=order.id,
                               text=hostile)
    comments = [e for e in mine.timeline if e.is_comment]
    assert [(c.author, c.author_role, c.note) for c in comments] == [
        ("admin", "admin", "Bitte vor 8 Uhr umstellen"), ("support", "support", hostile)]
    assert comments[0].at == datetime(2026, 11, 21, 10, 5, tzinfo=UTC)
    assert comments[1].note_text("de") == hostile  # shown as written, never translated
    assert mine.status == "submitted"  # a comment changes no state, sends no mail
    assert [k for k, *_ in await mails(demo_core, order.id)] == [
        f"porting-{order.id}-submitted-{admin.account_id}"]
    assert [a for a in await audit_actions(demo_core, order.reference)] == [
        ("porting.submitted", "admin"), ("porting.commented", "admin"),
        ("porting.commented", "support")]
    data = mine.as_json("de")
    assert [e["kind"] for e in data["timeline"]] == ["status", "comment", "comment"]
    # a comment on a closed order is fine (support explains a rejection afterwards)
    await demo_core.run(porting.cancel_order, admin, order_id=order.id)
    done = await demo_core.run(porting.add_comment, admin, order_id=order.id, text="Danke")
    assert done.timeline[-1].is_comment and done.timeline[-1].status == "cancelled"


async def test_comment_limits_and_who_may(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    order = await create(demo_core, admin)
    cases = [("", "error.porting.comment_required"), ("   ", "error.porting.comment_required"),
             ("x" * (porting.MAX_COMMENT + 1), "error.porting.text_invalid"),
             ("bell\x07", "error.porting.text_invalid"),
             ("esc \x1b[2J", "error.porting.text_invalid")]
    for text, key in cases:
        with pytest.raises(ValidationError) as err:
            await demo_core.run(porting.add_comment, admin, order_id=order.id, text=text)
        assert err.value.key == key
    await demo_core.run(porting.add_comment, admin, order_id=order.id,
                        text="x" * porting.MAX_COMMENT)
    with pytest.raises(NotFound):  # another tenant's order
        await demo_core.run(porting.add_comment, actors["beispiel"], order_id=order.id,
                            text="Hallo")
    for actor in (actors["tom"], actors["admin"].with_view_mode(ViewMode.USER),
                  support_for(actors, reason=None)):
        with pytest.raises(PermissionDenied):
            await demo_core.run(porting.add_comment, actor, order_id=order.id, text="Hallo")
    with pytest.raises(NotFound):
        await demo_core.run(porting.add_comment, admin, order_id=99999, text="Hallo")
    comments = [e for e in (await order_of(demo_core, admin, order.id)).timeline if e.is_comment]
    assert len(comments) == 1


# --- mails --------------------------------------------------------------------------


async def test_a_mail_per_state_change_in_each_admins_language(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    """Beispiel AG has two admins; one reads English. Each state change mails both."""
    async with demo_core.uow() as uow:
        await uow.session.execute(
            update(Account).where(Account.username == "beispiel2").values(locale="en"))
        ids = dict((await uow.session.execute(
            select(Account.username, Account.id).where(Account.username.like("beispiel%")))).all())
    order = await create(demo_core, actors["beispiel"], area="089", numbers=["089 5550100"],
                         account_holder="Beispiel AG", scenario="other_date")
    clock.advance(timedelta(days=1))
    assert await step(demo_core) == 1
    clock.set(datetime(2026, 12, 16, 5, 0, tzinfo=UTC))
    assert await step(demo_core) == 1
    sent = await mails(demo_core, order.id)
    assert [k for k, *_ in sent] == [
        f"porting-{order.id}-{state}-{ids[user]}"
        for state in ("submitted", "confirmed", "completed") for user in ("beispiel", "beispiel2")]
    by_key = {k: (to, subject, body) for k, to, subject, body in sent}
    to, subject, body = by_key[f"porting-{order.id}-confirmed-{ids['beispiel']}"]
    assert to == "k.beispiel@beispiel-ag.de" and subject == "Portierungsauftrag SIM-" + (
        f"{order.id:06d}: bestätigt")
    assert "Guten Tag Klaus Beispiel" in body and "am 16.12.2026 um" in body
    assert "nicht Ihr Wunschtermin (11.12.2026)" in body
    to, subject, body = by_key[f"porting-{order.id}-confirmed-{ids['beispiel2']}"]
    assert to == "p.beispiel@beispiel-ag.de" and subject.endswith(": confirmed")
    assert "Hello Petra Beispiel" in body and "not your wished date (11/12/2026)" in body
    _, subject, body = by_key[f"porting-{order.id}-completed-{ids['beispiel2']}"]
    assert subject.endswith(": completed") and "+49895550100" in body
    # Muster GmbH's admin got none of these
    assert all("muster" not in to for _, to, _, _ in sent)


async def test_cancel_mails_the_admin(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    order = await create(demo_core, admin)
    await demo_core.run(porting.cancel_order, support_for(actors), order_id=order.id)
    key, to, subject, body = (await mails(demo_core, order.id))[-1]
    assert key == f"porting-{order.id}-cancelled-{admin.account_id}"
    assert to == "sabine.muster@muster-gmbh.de" and subject.endswith(": storniert")
    assert "ist storniert" in body and "Alt-Telefon GmbH" in body


# --- exactly once -------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["other_date", "reject:contract_term"])
async def test_two_schedulers_apply_every_new_step_once(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock, scenario: str
) -> None:
    order = await create(demo_core, actors["admin"], scenario=scenario)

    async def run() -> int:
        try:
            return await step(demo_core)
        except Conflict:
            return 0

    clock.advance(timedelta(days=1))
    assert sorted(await asyncio.gather(run(), run())) == [0, 1]
    clock.set(datetime(2026, 12, 16, 5, 0, tzinfo=UTC))
    await asyncio.gather(run(), run())
    assert await step(demo_core) == 0
    async with demo_core.uow(readonly=True) as uow:
        events = list(await uow.session.scalars(
            select(PortingEvent.status).where(PortingEvent.order_id == order.id)
            .order_by(PortingEvent.id)))
    expected = (["submitted", "confirmed", "completed"] if scenario == "other_date"
                else ["submitted", "rejected"])
    assert events == expected
    assert [k.split("-")[2] for k, *_ in await mails(demo_core, order.id)] == expected
