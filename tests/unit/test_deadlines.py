"""R22 Fristen: what will happen by itself, by date, for whom, and the one undo/cancel.
Clock injected (tests.conftest: 2026-11-21 10:00 UTC = 11:00 Berlin)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.authz import Actor, ViewMode
from core.clock import FixedClock
from core.errors import NotFound, PermissionDenied, RuleViolation
from core.models import Contract, ContractType
from core.runtime import Core
from core.services import areas, credentials, deadlines, numbers
from tests.stepup_helpers import run_with_code

PENDING = "+4930123456103"
"""The demo's number marked for deactivation (unassigned; last active day 31.12.2026)."""
MIA_NUMBER = "+4930123456102"
HAMBURG = "Mönckebergstraße 7, 20095 Hamburg"


async def listed(core: Core, actor: Actor) -> list[deadlines.Deadline]:
    return await core.read(deadlines.list_deadlines, actor)


async def pbx_contract(core: Core) -> int:
    async with core.uow(readonly=True) as uow:
        cid = await uow.session.scalar(
            select(Contract.id).where(Contract.type == ContractType.CLOUD_PBX_MAIN,
                                      Contract.contract_ref.like("V-1000%"))
            .order_by(Contract.id).limit(1))
    assert cid is not None
    return int(cid)


async def test_admin_sees_every_kind_by_date_with_days_left(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    await demo_core.run(areas.request_pin, admin, area="040", address=HAMBURG)
    at = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)  # 22:00 Berlin
    await run_with_code(demo_core, credentials.schedule, admin,
                        contract_id=await pbx_contract(demo_core), at=at, consent=True)

    entries = await listed(demo_core, admin)

    assert [(e.kind, e.date, e.days_left) for e in entries] == [
        ("reset", date(2026, 12, 1), 10),
        ("pin_letter", date(2026, 12, 5), 14),
        ("porting", date(2026, 12, 19), 28),
        ("deactivation", date(2026, 12, 31), 40),
    ]
    by_kind = {e.kind: e for e in entries}
    assert by_kind["deactivation"].action == deadlines.UNDO
    assert by_kind["deactivation"].object == "Rufnummer 030 123456103 (Berlin)"
    assert by_kind["reset"].action == deadlines.CANCEL
    assert "noch 5 Versuche" in by_kind["pin_letter"].detail
    for kind in ("pin_letter", "porting"):
        assert by_kind[kind].action is None and by_kind[kind].refusal
    assert "bestätigter Termin 19.12.2026" == by_kind["porting"].detail
    assert by_kind["deactivation"].as_json() == {
        "kind": "deactivation", "date": "2026-12-31", "at": None, "days_left": 40,
        "object": "Rufnummer 030 123456103 (Berlin)",
        "detail": "aktiv bis einschließlich 31.12.2026, danach deaktiviert",
        "can_undo": True, "action": "undo", "reason": None, "ref": PENDING,
    }
    english = await listed(demo_core, replace(admin, locale="en"))
    assert english[-1].object == "Number 030 123456103 (Berlin)"


async def test_days_left_across_month_and_year_ends(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    await demo_core.run(numbers.undo_deactivation, admin, number=PENDING)
    clock.set(datetime(2027, 1, 31, 12, 0, tzinfo=UTC))
    await demo_core.run(numbers.deactivate, admin, number=PENDING)  # last day: 28.02.2027

    def days(entries: list[deadlines.Deadline]) -> list[tuple[date, int]]:
        return [(e.date, e.days_left) for e in entries if e.kind == "deactivation"]

    assert days(await listed(demo_core, admin)) == [(date(2027, 2, 28), 28)]
    clock.set(datetime(2027, 2, 27, 22, 59, tzinfo=UTC))  # 23:59 Berlin, still the 27th
    assert days(await listed(demo_core, admin)) == [(date(2027, 2, 28), 1)]
    clock.set(datetime(2027, 2, 27, 23, 0, tzinfo=UTC))  # midnight in Berlin: the 28th
    assert days(await listed(demo_core, admin)) == [(date(2027, 2, 28), 0)]

    clock.set(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # 00:30 on 1 January 2027 in Berlin
    await demo_core.run(numbers.undo_deactivation, admin, number=PENDING)
    await demo_core.run(numbers.deactivate, admin, number=PENDING)
    assert days(await listed(demo_core, admin)) == [(date(2027, 2, 28), 58)]


async def test_sorted_by_date_then_time_then_kind(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    # a second pending deactivation on the same day as the demo's, and one the month before
    await demo_core.run(numbers.deactivate, admin, number="+4930123456106")
    entries = await listed(demo_core, admin)
    keys = [(e.date, e.kind) for e in entries]
    assert keys == sorted(keys, key=lambda k: (k[0], deadlines.KINDS.index(k[1])))
    same_day = [e.ref for e in entries if e.date == date(2026, 12, 31)]
    assert same_day == [PENDING, "+4930123456106"]  # by object text: 103 before 106


async def test_employee_sees_only_own_numbers_deactivations_without_undo(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin, mia, tom = actors["admin"], actors["mia"], actors["tom"]
    assert await listed(demo_core, mia) == []  # the pending 103 is nobody's; no porting etc.
    await demo_core.run(numbers.deactivate, admin, number=MIA_NUMBER)

    entries = await listed(demo_core, mia)
    assert [(e.kind, e.ref) for e in entries] == [("deactivation", MIA_NUMBER)]
    assert entries[0].action is None
    assert entries[0].refusal and "Admin" in entries[0].refusal
    assert await listed(demo_core, tom) == []
    with pytest.raises(PermissionDenied):
        await demo_core.run(deadlines.resolve, mia, key=f"deactivation:{MIA_NUMBER}")
    # an admin in the user view sees only their own, like an employee
    user_view = admin.with_view_mode(ViewMode.USER)
    assert all(e.kind == "deactivation" for e in await listed(demo_core, user_view))


async def test_tenant_isolation_and_support(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin, other = actors["admin"], actors["beispiel"]
    mine = await listed(demo_core, admin)
    assert mine
    theirs = await listed(demo_core, other)
    assert not {e.ref for e in theirs} & {e.ref for e in mine}
    assert all(e.kind != "deactivation" or e.ref.startswith("+4989") for e in theirs)
    # another customer's entry cannot be undone: 'not found', not 'forbidden'
    with pytest.raises(NotFound) as foreign:
        await demo_core.run(deadlines.resolve, other, key=f"deactivation:{PENDING}")
    with pytest.raises(NotFound) as missing:
        await demo_core.run(deadlines.resolve, other, key="deactivation:+4930999999990")
    assert foreign.value.key == missing.value.key

    support = actors["support"]
    with pytest.raises(PermissionDenied):
        await listed(demo_core, support)  # no customer open
    opened = support.for_customer(admin.customer_id, customer_name="Muster GmbH")
    assert [e.key for e in await listed(demo_core, opened)] == [e.key for e in mine]
    # read-only until a reason is given: the write asks for it
    with pytest.raises(PermissionDenied) as refused:
        await demo_core.run(deadlines.resolve, opened, key=f"deactivation:{PENDING}")
    assert refused.value.key == "error.support_reason_required"


async def test_resolve_undoes_a_deactivation_and_cancels_a_reset(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    at = datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
    await run_with_code(demo_core, credentials.schedule, admin,
                        contract_id=await pbx_contract(demo_core), at=at, consent=True)
    entries = {e.kind: e for e in await listed(demo_core, admin)}

    done = await demo_core.run(deadlines.resolve, admin, key=entries["deactivation"].key,
                               version=entries["deactivation"].version)
    assert done == deadlines.UNDO
    assert (await demo_core.read(numbers.get_number, admin, number=PENDING)).status == "active"
    assert await demo_core.run(deadlines.resolve, admin, key=entries["reset"].key) == "cancel"
    assert await demo_core.read(credentials.list_scheduled, admin) == []
    assert {e.kind for e in await listed(demo_core, admin)} == {"porting"}

    with pytest.raises(RuleViolation):
        await demo_core.run(deadlines.resolve, admin, key=entries["porting"].key)
    with pytest.raises(RuleViolation):  # undone already: the number's state refuses it
        await demo_core.run(deadlines.resolve, admin, key=entries["deactivation"].key)


async def test_expired_pin_letter_and_finished_porting_are_not_deadlines(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    await demo_core.run(areas.request_pin, admin, area="040", address=HAMBURG)
    assert "pin_letter" in {e.kind for e in await listed(demo_core, admin)}
    clock.advance(timedelta(days=14))
    assert "pin_letter" not in {e.kind for e in await listed(demo_core, admin)}


async def test_command_mode_lists_the_same_entries(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    import json

    from ssh_server.commands import execute

    admin = actors["admin"]
    done = await execute(demo_core, admin, "deadlines list --json")
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert [(d["kind"], d["date"], d["days_left"], d["can_undo"]) for d in data] == [
        ("porting", "2026-12-19", 28, False), ("deactivation", "2026-12-31", 40, True)]
    assert data[1]["object"] == "Rufnummer 030 123456103 (Berlin)"
    text = await execute(demo_core, replace(admin, locale="en"), "deadlines list")
    assert text.exit_code == 0
    assert "31/12/2026" in text.stdout and "Deactivation" in text.stdout
    assert "Number 030 123456103 (Berlin)" in text.stdout
    # an employee: only the own numbers' deactivations (none), and support needs a customer
    mia = await execute(demo_core, actors["mia"], "deadlines list --json")
    assert (mia.exit_code, json.loads(mia.stdout)) == (0, [])
    support = await execute(demo_core, actors["support"], "deadlines list")
    assert support.exit_code != 0


def test_the_list_changes_by_time_at_midnight_or_an_entrys_time() -> None:
    def at(when: datetime | None) -> deadlines.Deadline:
        return deadlines.Deadline(key="k", kind="reset", date=date(2026, 3, 28), at=when,
                                  days_left=0, object="", detail="", action=None, refusal=None,
                                  ref="1")

    now = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)  # 23:30 Berlin (CET)
    assert deadlines.next_change(now, []) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    soon = datetime(2026, 3, 28, 22, 45, tzinfo=UTC)
    entries = [at(None), at(now - timedelta(hours=1)), at(soon)]
    assert deadlines.next_change(now, entries) == soon
    summer = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)  # the day the clocks go forward
    assert deadlines.next_change(summer, []) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


async def test_command_mode_says_today_and_due_in_words(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """`deadlines list` showed "0" (and "-1") in its Tage column where Fristen (and the
    README) say *heute* and *fällig*; --json keeps the number."""
    import json

    from ssh_server.commands import execute

    demo_core.clock.advance(timedelta(days=28))  # type: ignore[attr-defined]
    text = await execute(demo_core, actors["admin"], "deadlines list")
    porting_row = next(line for line in text.stdout.splitlines() if "Portierung" in line)
    assert porting_row.split()[1] == "heute", porting_row
    assert json.loads((await execute(demo_core, actors["admin"],
                                     "deadlines list --json")).stdout)[0]["days_left"] == 0
    assert deadlines.days_text(-1, "de") == "fällig" and deadlines.days_text(3, "en") == "3"
