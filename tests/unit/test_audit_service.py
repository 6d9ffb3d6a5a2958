"""R17 reading side: who sees which audit events, order, filter, paging."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

import pytest

from core.authz import Actor, ViewMode
from core.clock import FixedClock
from core.errors import PermissionDenied
from core.runtime import Core
from core.services import areas
from core.services.audit import list_events
from tests.stepup_helpers import run_with_code


async def record(
    core: Core, actor: Actor | None, action: str, clock: FixedClock, **details: object
) -> None:
    clock.advance(timedelta(minutes=1))
    async with core.uow() as uow:
        customer_id = actor.customer_id if actor else 1
        uow.audit(actor, action, customer_id=customer_id, target="T", **details)


async def test_admin_sees_all_newest_first_including_support(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin, mia = actors["admin"], actors["mia"]
    support = replace(
        actors["support"].for_customer(
            admin.customer_id, customer_name="Muster GmbH", reason="T-4711"
        ),
        source_address="10.0.0.9",
        key_fingerprint="SHA256:abc",
    )
    await record(demo_core, mia, "profile.updated", clock)
    await record(demo_core, support, "areas.numbers_ordered", clock, count=2)
    await record(demo_core, actors["beispiel"], "profile.updated", clock)  # other tenant
    events = await demo_core.read(list_events, admin)
    assert [e.action for e in events[:2]] == ["areas.numbers_ordered", "profile.updated"]
    assert all(a.at >= b.at for a, b in pairwise(events))
    top = events[0]
    assert top.via_support and top.reason == "T-4711"
    assert top.source_address == "10.0.0.9" and top.key_fingerprint == "SHA256:abc"
    assert ("count", "2") in top.details
    assert all(e.actor_username != "beispiel" for e in events)
    # support acting for the customer (read-only, no reason) sees the same log
    reader = actors["support"].for_customer(admin.customer_id, customer_name="Muster GmbH")
    assert [e.id for e in await demo_core.read(list_events, reader)] == [e.id for e in events]


async def test_employee_sees_only_own_actions(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin, mia, tom = actors["admin"], actors["mia"], actors["tom"]
    await record(demo_core, mia, "profile.updated", clock)
    await record(demo_core, tom, "profile.updated", clock)
    await record(demo_core, admin, "numbers.assigned", clock)
    mine = await demo_core.read(list_events, mia)
    assert mine and {e.actor_username for e in mine} == {"mia"}
    as_user = await demo_core.read(list_events, admin.with_view_mode(ViewMode.USER))
    assert as_user and {e.actor_username for e in as_user} == {"admin"}
    with pytest.raises(PermissionDenied):
        await demo_core.read(list_events, actors["support"])  # no customer opened


async def test_filter_and_paging(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    for i in range(5):
        await record(demo_core, admin, f"test.step{i}", clock)
    await record(demo_core, actors["tom"], "profile.updated", clock)
    hits = await demo_core.read(list_events, admin, query="STEP")
    assert [e.action for e in hits] == [f"test.step{i}" for i in (4, 3, 2, 1, 0)]
    toms = await demo_core.read(list_events, admin, query="tom")
    assert {e.actor_username for e in toms} == {"tom"} and toms[0].action == "profile.updated"
    assert (
        await demo_core.read(list_events, admin, query="100%_") == []
    )  # LIKE wildcards are literal
    page = await demo_core.read(list_events, admin, query="step", limit=2, offset=2)
    assert [e.action for e in page] == ["test.step2", "test.step1"]


async def test_area_actions_show_up_without_secrets(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    await demo_core.run(areas.request_pin, admin, area="040", address="Jungfernstieg 10, 20354 "
                                                                      "Hamburg")
    events = await demo_core.read(list_events, admin, query="areas.")
    assert [e.action for e in events] == ["areas.pin_requested"]
    assert {k for k, _ in events[0].details} == {"address", "expires_at", "letter_id"}


async def test_entries_are_described_in_the_readers_language(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    """SPEC §8 (issue 11.13): no ``[number.assigned] assigned=… traffic_data_deleted=4``."""
    from core.services import numbers

    admin = actors["admin"]
    await run_with_code(demo_core, numbers.assign, admin, number="+4930123456100",
                        username="tom", delete_traffic_data=True)
    [de] = await demo_core.read(list_events, admin, query="number.assigned")
    assert de.description == ("Rufnummer 030 123456100 an Tom Becker (tom) zugewiesen; "
                              "Bisher zugewiesen an: Mia Schneider (mia); "
                              "Verkehrsdaten gelöscht: 4 Einträge")
    [en] = await demo_core.read(list_events, replace(admin, locale="en"), query="number.assigned")
    assert en.description.startswith("Number 030 123456100 assigned to Tom Becker (tom)")
    assert de.target == "+4930123456100" and de.target_text == "030 123456100"
    assert "Traffic data deleted: 4 entries" in en.description
    await record(demo_core, admin, "session.login", clock, method="publickey")
    await record(demo_core, admin, "number.deactivation_marked", clock,
                 deactivation_date="2026-12-31", number_id=7, versions={"x": 1})
    await record(demo_core, admin, "some.future_action", clock, secret_code_key="x")
    texts = [e.description for e in await demo_core.read(list_events, admin, limit=3)]
    assert texts == ["Änderung: T", "Rufnummer T zur Deaktivierung zum 31.12.2026 vorgemerkt",
                     "Anmeldung von T (SSH-Schlüssel)"]


def test_every_recorded_detail_has_a_label() -> None:
    """Each keyword a service passes to ``uow.audit`` is shown with a label (or is an id)."""
    import ast
    from pathlib import Path

    from core.i18n import CATALOG
    from core.services.audit import HIDDEN_DETAILS

    root = Path(__file__).resolve().parents[2] / "core"
    missing = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "audit"):
                for kw in node.keywords:
                    name = kw.arg
                    if name in (None, "customer_id", "target", "reason") or name in HIDDEN_DETAILS:
                        continue
                    if f"audit.detail.{name}" not in CATALOG:
                        missing.add(f"{path.name}:{name}")
    assert not missing
