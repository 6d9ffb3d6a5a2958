"""R27 bulk actions: preview (count, prices, refusals and why), apply (partial refusal never
undoes the others, each change audited and emitted like the single write), permission
first, and the command mode ``numbers activate|deactivate|undo-deactivation|assign N1 N2``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from core.authz import Actor, ViewMode
from core.errors import NotFound, PermissionDenied
from core.events import DomainEvent
from core.models import AuditEvent, Charge, Customer, Number, NumberStatus
from core.runtime import Core
from core.services import bulk, numbers
from ssh_server.commands import execute

MIA_MAIN = "+4930123456100"
TOM_NUMBER = "+4930123456101"
MIA_SECOND = "+4930123456102"
PENDING = "+4930123456103"
INACTIVE = "+4930123456104"
INACTIVE_2 = "+4930123456105"
FORWARDED = "+4930123456106"
PORTING = "+4930987654321"
HAMBURG_INACTIVE = "+4940123456201"
BEISPIEL = "+4989123456300"


async def status_of(core: Core, e164: str) -> NumberStatus:
    async with core.uow(readonly=True) as uow:
        n = await uow.session.scalar(select(Number).where(Number.e164 == e164))
        assert n is not None
        return n.status


async def count(core: Core, model: Any, *where: Any) -> int:
    async with core.uow(readonly=True) as uow:
        return int(await uow.session.scalar(
            select(func.count()).select_from(model).where(*where)) or 0)


def capture(core: Core) -> list[DomainEvent]:
    seen: list[DomainEvent] = []
    core.bus.subscribe(seen.append)
    return seen


async def test_preview_counts_prices_and_says_why_refused(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    preview = await demo_core.read(
        bulk.preview, admin, action="activate",
        numbers=[INACTIVE, "030 123456105", MIA_MAIN, BEISPIEL, "+4930999", INACTIVE, "kaputt"],
    )
    assert preview.count == 2 and not preview.applied
    assert preview.one_time_cents == 2 * 995 and preview.monthly_cents == 2 * 250
    by = {i.number: i for i in preview.items}
    assert len(preview.items) == 6  # INACTIVE given twice counts once
    assert by[INACTIVE].ok and by[INACTIVE_2].ok
    assert by[MIA_MAIN].reason == (
        "Rufnummer +4930123456100 ist aktiv: aktivieren lässt sich nur eine inaktive Rufnummer.")
    assert by[MIA_MAIN].rule == "R11"
    # another customer's number and an unknown one read alike: no existence oracle
    assert by[BEISPIEL].reason == "Rufnummer +4989123456300 nicht gefunden."
    assert by["+4930999"].reason == "Rufnummer +4930999 nicht gefunden."
    assert by[BEISPIEL].status is None and by[BEISPIEL].national == BEISPIEL
    assert "keine gültige Rufnummer" in (by["kaputt"].reason or "")
    # nothing changed
    assert await status_of(demo_core, INACTIVE) is NumberStatus.INACTIVE
    assert await count(demo_core, Charge) == 0


async def test_refusals_in_the_users_language(demo_core: Core, actors: dict[str, Actor]) -> None:
    from dataclasses import replace

    english = replace(actors["admin"], locale="en")
    preview = await demo_core.read(bulk.preview, english, action="undo",
                                   numbers=[PENDING, MIA_MAIN])
    assert preview.count == 1
    assert preview.refused[0].reason == (
        "Number +4930123456100 is active: only a pending deactivation can be undone.")


async def test_apply_does_the_allowed_and_refuses_the_rest(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    events = capture(demo_core)
    result = await demo_core.run(
        bulk.apply, admin, action="deactivate",
        numbers=[MIA_MAIN, PENDING, TOM_NUMBER, INACTIVE, BEISPIEL],
    )
    assert result.applied
    assert [i.number for i in result.done] == [MIA_MAIN, TOM_NUMBER]
    assert {i.number for i in result.refused} == {PENDING, INACTIVE, BEISPIEL}
    # the refused ones did not undo the others
    assert await status_of(demo_core, MIA_MAIN) is NumberStatus.PENDING_DEACTIVATION
    assert await status_of(demo_core, TOM_NUMBER) is NumberStatus.PENDING_DEACTIVATION
    assert await status_of(demo_core, INACTIVE) is NumberStatus.INACTIVE
    assert await status_of(demo_core, BEISPIEL) is NumberStatus.ACTIVE
    assert result.deactivation_date is not None
    assert all(i.deactivation_date == result.deactivation_date for i in result.done)
    marked = [e for e in events if e.name == "NumberDeactivationMarked"]
    assert sorted(e.payload["number"] for e in marked) == [MIA_MAIN, TOM_NUMBER]
    assert await count(demo_core, AuditEvent,
                       AuditEvent.action == "number.deactivation_marked") == 2


async def test_activate_records_a_charge_per_number(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    result = await demo_core.run(bulk.apply, actors["admin"], action="activate",
                                 numbers=[INACTIVE, INACTIVE_2, HAMBURG_INACTIVE, MIA_MAIN])
    assert result.count == 3 and result.one_time_cents == 3 * 995
    assert await count(demo_core, Charge) == 3
    assert await status_of(demo_core, HAMBURG_INACTIVE) is NumberStatus.ACTIVE


async def test_bulk_audits_and_emits_like_the_single_write(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """Same audit action and details, same event name and payload keys: the Archiv and
    the live updates cannot tell a bulk change from a single one."""
    admin = actors["admin"]
    cases: list[tuple[str, str, str, dict[str, Any]]] = [
        ("activate", INACTIVE, INACTIVE_2, {}),
        ("deactivate", TOM_NUMBER, MIA_SECOND, {}),
        ("undo", TOM_NUMBER, MIA_SECOND, {}),
        ("assign", INACTIVE, INACTIVE_2, {"username": "tom"}),
    ]
    single: dict[str, Any] = {"activate": numbers.activate, "deactivate": numbers.deactivate,
              "undo": numbers.undo_deactivation, "assign": numbers.assign}
    for action, one, other, extra in cases:
        events = capture(demo_core)
        await demo_core.run(single[action], admin, number=one, **extra)
        await demo_core.run(bulk.apply, admin, action=action, numbers=[other], **extra)
        async with demo_core.uow(readonly=True) as uow:
            rows = {a.target: a for a in await uow.session.scalars(
                select(AuditEvent).where(AuditEvent.target.in_([one, other]))
                .order_by(AuditEvent.id.desc()))}
        assert rows[one].action == rows[other].action
        assert set(rows[one].details) == set(rows[other].details)
        named = {e.payload.get("number"): e for e in events if e.name != "AuditRecorded"}
        assert named[one].name == named[other].name
        assert set(named[one].payload) == set(named[other].payload)


async def test_permission_first_and_support_needs_a_reason(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    with pytest.raises(PermissionDenied):
        await demo_core.run(bulk.apply, actors["mia"], action="deactivate", numbers=[MIA_MAIN])
    with pytest.raises(PermissionDenied):
        await demo_core.read(bulk.preview, actors["mia"], action="deactivate",
                             numbers=[MIA_MAIN])
    user_view = actors["admin"].with_view_mode(ViewMode.USER)
    with pytest.raises(PermissionDenied):
        await demo_core.run(bulk.apply, user_view, action="deactivate", numbers=[MIA_MAIN])
    async with demo_core.uow(readonly=True) as uow:
        muster = await uow.session.scalar(select(Customer.id).where(Customer.name == "Muster GmbH"))
    support = actors["support"].for_customer(muster, customer_name="Muster GmbH")
    # the preview is open before the reason, the change is not
    assert (await demo_core.read(bulk.preview, support, action="deactivate",
                                 numbers=[MIA_MAIN])).count == 1
    with pytest.raises(PermissionDenied) as denied:
        await demo_core.run(bulk.apply, support, action="deactivate", numbers=[MIA_MAIN])
    assert denied.value.key == "error.support_reason_required"
    assert await status_of(demo_core, MIA_MAIN) is NumberStatus.ACTIVE
    done = await demo_core.run(bulk.apply, support.with_reason("T-1"), action="deactivate",
                               numbers=[MIA_MAIN])
    assert done.count == 1
    async with demo_core.uow(readonly=True) as uow:
        audit = await uow.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "number.deactivation_marked"))
        assert audit is not None and audit.via_support and audit.reason == "T-1"


async def test_assign_target_checked_once_and_already_assigned_refused(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    for who in ("nobody", "beispiel", "support"):
        with pytest.raises(NotFound):
            await demo_core.read(bulk.preview, admin, action="assign", numbers=[TOM_NUMBER],
                                 username=who)
    result = await demo_core.run(bulk.apply, admin, action="assign", username="mia",
                                 numbers=[TOM_NUMBER, MIA_MAIN, INACTIVE, FORWARDED])
    assert [i.number for i in result.done] == [TOM_NUMBER, FORWARDED]
    refused = {i.number: i for i in result.refused}
    assert refused[MIA_MAIN].rule == "R14"
    assert refused[INACTIVE].rule == "R14" and "inaktiv" in (refused[INACTIVE].reason or "")
    view = await demo_core.read(numbers.get_number, admin, number=TOM_NUMBER)
    assert view.assigned_to == "mia"


async def test_a_number_changed_since_the_preview_is_refused(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    preview = await demo_core.read(bulk.preview, admin, action="deactivate",
                                   numbers=[MIA_MAIN, TOM_NUMBER])
    await demo_core.run(numbers.assign, admin, number=TOM_NUMBER, username="mia")
    result = await demo_core.run(bulk.apply, admin, action="deactivate",
                                 numbers=[MIA_MAIN, TOM_NUMBER],
                                 expected_versions=preview.versions)
    assert [i.number for i in result.done] == [MIA_MAIN]
    assert result.refused[0].error_key == "error.conflict"
    assert await status_of(demo_core, TOM_NUMBER) is NumberStatus.ACTIVE


async def test_many_numbers_read_in_chunks(demo_core: Core, actors: dict[str, Actor]) -> None:
    """More numbers than one IN (...) chunk: every one decided."""
    wanted = [f"+49301234{i:05d}" for i in range(1200)] + [MIA_MAIN]
    preview = await demo_core.read(bulk.preview, actors["admin"], action="deactivate",
                                   numbers=wanted)
    assert len(preview.items) == 1201 and preview.count == 1
    assert preview.items[-1].number == MIA_MAIN and preview.items[-1].ok


# ---------------------------------------------------------------------------- command mode


async def test_command_without_yes_previews_and_exits_2(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    result = await execute(demo_core, actors["admin"],
                           "numbers activate 030 123456104 030 123456105 030 123456100")
    assert result.exit_code == 2
    assert "2 von 3 Rufnummern würden kostenpflichtig aktiviert" in result.stdout
    assert "einmalig 19,90\u00a0€, monatlich 5,00\u00a0€" in result.stdout
    assert "Abgelehnt würden:" in result.stdout
    assert "+4930123456100: Rufnummer +4930123456100 ist aktiv" in result.stdout
    assert "--yes" in result.stderr
    assert await status_of(demo_core, INACTIVE) is NumberStatus.INACTIVE
    as_json = json.loads((await execute(
        demo_core, actors["admin"], "numbers activate 030 123456104 030 123456100 --json")).stdout)
    assert as_json["executed"] is False and as_json["preview"]["count"] == 1
    assert as_json["preview"]["numbers"][1]["rule"] == "R11"


async def test_command_with_yes_one_line_per_number_exit_4_if_refused(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    result = await execute(demo_core, actors["admin"],
                           "numbers deactivate 030 123456100 +49 30 123456101 030 123456104 --yes")
    assert result.exit_code == 4
    lines = result.stdout.splitlines()
    assert lines[0] == "+4930123456100: erledigt"
    assert lines[1] == "+4930123456101: erledigt"
    assert lines[2].startswith("+4930123456104: abgelehnt: Rufnummer +4930123456104 ist inaktiv")
    assert lines[3] == "2 erledigt, 1 abgelehnt."
    assert result.stderr == "1 von 3 Rufnummern abgelehnt (die übrigen sind erledigt).\n"
    undo = await execute(demo_core, actors["admin"],
                         "numbers undo-deactivation 030 123456100 030 123456101 --yes --json")
    assert undo.exit_code == 0
    data = json.loads(undo.stdout)
    assert [d["number"] for d in data] == [MIA_MAIN, TOM_NUMBER]
    assert all(d["done"] and d["status"] == "active" for d in data)


async def test_command_assign_several_numbers(demo_core: Core, actors: dict[str, Actor]) -> None:
    tom = await execute(demo_core, actors["admin"],
                        "numbers assign 030 123456106 030 123456111 tom --yes")
    assert tom.exit_code == 0, tom.stderr
    assert "2 erledigt, 0 abgelehnt." in tom.stdout
    view = await demo_core.read(numbers.get_number, actors["admin"], number=FORWARDED)
    assert view.assigned_to == "tom"
    refused = await execute(demo_core, actors["admin"],
                            "numbers assign 030 123456106 030 123456111 tom "
                            "--delete-traffic-data --yes")
    assert refused.exit_code == 2
    # one number keeps the single command (its texts and exit codes)
    single = await execute(demo_core, actors["admin"], "numbers assign 030 123456106 mia")
    assert single.exit_code == 0 and "ist jetzt mia zugewiesen" in single.stdout


async def test_command_employee_denied_exit_3(demo_core: Core, actors: dict[str, Actor]) -> None:
    result = await execute(demo_core, actors["mia"],
                           "numbers deactivate 030 123456100 030 123456102 --yes")
    assert result.exit_code == 3
    assert await status_of(demo_core, MIA_MAIN) is NumberStatus.ACTIVE


async def test_matching_marks_every_number_of_the_filter(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """``*`` in the dashboard: all numbers the filter matches, not only the page shown."""
    admin = actors["admin"]
    everything = await demo_core.read(bulk.matching, admin)
    assert len(everything) == 23 and BEISPIEL not in everything
    hamburg = await demo_core.read(bulk.matching, admin, query="Hamburg")
    assert hamburg == ("+4940123456200", HAMBURG_INACTIVE, "+4940123456202")
    assert await demo_core.read(bulk.matching, admin, query="inaktiv") == (
        INACTIVE, INACTIVE_2, HAMBURG_INACTIVE)
    with pytest.raises(PermissionDenied):
        await demo_core.read(bulk.matching, actors["mia"])
