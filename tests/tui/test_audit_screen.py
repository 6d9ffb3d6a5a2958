"""Pilot tests of the Archiv screen: support actions, newest first, filter, scope, live rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from core.authz import Actor
from core.clock import FixedClock
from core.runtime import Core
from core.services import areas
from screens.audit import AuditScreen
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tui.app import LinedeskApp


async def settle_filter(pilot: Pilot[None]) -> None:
    """The filter waits for a typing pause before it queries: wait for that timer to have
    fired (on a busy machine a fixed pause can end before it did), then for the query."""
    await settle(pilot)  # the Input.Changed that (re)starts the timer
    timer = pilot.app.screen._filter_timer  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: timer is None or timer._task is None or timer._task.done())
    await settle(pilot)


async def open_archiv(app: LinedeskApp, pilot: Pilot[None]) -> AuditScreen:
    """The Archiv (key 4), loaded."""
    await pilot.press("4")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, AuditScreen)
    return screen


@asynccontextmanager
async def archiv_session(
    core: Core, actor: Actor, size: tuple[int, int] = (180, 45)
) -> AsyncIterator[tuple[LinedeskApp, Pilot[None], AuditScreen]]:
    """A session of ``actor`` with the Archiv open (key 4)."""
    app = LinedeskApp(core, actor)
    async with app.run_test(size=size) as pilot:
        yield app, pilot, await open_archiv(app, pilot)


async def support_orders_numbers(core: Core, actors: dict[str, Actor], clock: FixedClock) -> None:
    support = replace(
        actors["support"].for_customer(actors["admin"].customer_id, customer_name="Muster GmbH",
                                       reason="TICKET-4711"),
        source_address="192.0.2.7", key_fingerprint="SHA256:abcdef",
    )
    clock.advance(timedelta(minutes=5))
    await core.run(areas.order_numbers, support, area="030", count=2)


async def test_admin_sees_support_actions_newest_first_and_filters(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    await support_orders_numbers(demo_core, actors, clock)
    async with archiv_session(demo_core, actors["admin"]) as (app, pilot, screen):
        text = screen_text(app)
        assert "Rufnummern bestellt" in text and "TICKET-4711" in text
        assert "192.0.2.7" in text and "SHA256:abcdef" in text
        assert "support (Support)" in text
        first = next(iter(screen.events.values()))
        assert first.action == "areas.numbers_ordered"  # newest first
        assert "Support-Zugriff, Grund: TICKET-4711" in text  # detail of the highlighted row
        table = screen.query_one(DataTable)
        total = table.row_count
        assert total >= 2

        await pilot.press("slash")
        await settle(pilot)
        assert screen.query_one("#filter", Input).has_focus
        await pilot.press(*"ticket")
        await settle_filter(pilot)
        assert table.row_count == 1
        await pilot.press("enter")
        assert table.has_focus
        # clearing the filter (the "cancel" of a filter) shows everything again
        screen.query_one("#filter", Input).value = ""
        await settle_filter(pilot)
        assert table.row_count == total
        screen.query_one("#filter", Input).value = "nothing-matches-this"
        await settle_filter(pilot)
        assert table.row_count == 0 and "Keine Einträge." in screen_text(app)


async def test_employee_sees_only_own_actions(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    await support_orders_numbers(demo_core, actors, clock)
    async with archiv_session(demo_core, actors["mia"]) as (app, _pilot, screen):
        assert "Ihre eigenen Aktionen" in screen_text(app)
        assert {e.actor_username for e in screen.events.values()} <= {"mia"}
        assert "TICKET-4711" not in screen_text(app)


async def test_new_events_appear_live(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    async with archiv_session(demo_core, actors["admin"]) as (app, pilot, screen):
        before = len(screen.events)
        clock.advance(timedelta(minutes=1))
        await demo_core.run(areas.request_pin, actors["admin"], area="040", address="Jungfernstieg "
                                                                                    "10, 20354 "
                                                                                    "Hamburg")
        await settle(pilot)
        assert len(screen.events) == before + 1
        assert "PIN-Brief angefordert" in screen_text(app)


async def many_events(core: Core, actors: dict[str, Actor], clock: FixedClock, count: int) -> None:
    clock.advance(timedelta(minutes=1))
    admin = actors["admin"]
    async with core.uow() as uow:
        for i in range(count):
            uow.audit(admin, "number.forwarding_set", customer_id=admin.customer_id,
                      target=f"+49301234{i:05d}", forwarding_target=f"sip:n{i}@muster-gmbh.de")


def cursor_visible(table: DataTable[object]) -> bool:
    top = int(table.scroll_y)
    return top <= table.cursor_row < top + table.scrollable_content_region.height - 1


async def test_load_more_and_reload_show_the_selected_row(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    """Issue 11.14: after "Mehr laden" the list scrolls to the newly loaded rows, after a
    reload it keeps the selected row in view, and the detail pane shows that row."""
    await many_events(demo_core, actors, clock, 260)
    async with archiv_session(demo_core, actors["admin"], size=(160, 40)) as (_app, pilot, screen):
        table = screen.query_one(DataTable)
        assert table.row_count == 200
        await pilot.press("end")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert table.row_count > 200
        assert table.cursor_row == 200 and cursor_visible(table)
        detail = str(screen.query_one("#detail").render())
        selected = screen.events[str(table.coordinate_to_cell_key(table.cursor_coordinate)
                                        .row_key.value)]
        assert selected.description and selected.description in detail

        await pilot.press("home", "down", "down", "down")
        await settle(pilot)
        before = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        await many_events(demo_core, actors, clock, 60)  # live: 60 new rows on top
        await settle(pilot)
        await wait_until(pilot, lambda: table.row_count > 260)
        await settle(pilot)
        assert str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value) == before
        assert cursor_visible(table)
        assert screen.events[before].description in str(screen.query_one("#detail").render())


async def test_escape_clears_the_filter_first(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    await support_orders_numbers(demo_core, actors, clock)
    async with archiv_session(demo_core, actors["admin"]) as (app, pilot, screen):
        table = screen.query_one(DataTable)
        total = table.row_count
        await pilot.press("slash", *"ticket")
        await settle_filter(pilot)
        assert table.row_count == 1
        await pilot.press("escape")
        await settle_filter(pilot)
        assert app.screen is screen and table.row_count == total
        assert screen.query_one("#filter", Input).value == ""
        assert table.has_focus
