"""Pilot tests of the porting screen: list with timeline, create, cancel, refusals, live steps."""

from __future__ import annotations

from datetime import date, timedelta

from textual.pilot import Pilot
from textual.widgets import Input, Static

from core.authz import Actor
from core.clock import FixedClock
from core.runtime import Core
from core.services import porting
from core.services.porting import parse_wished_date
from screens.porting import CreatePortingDialog, PortingScreen, split_numbers
from tests.tui.pilot_helpers import notifications, screen_text, settle, wait_until
from tui.app import LinedeskApp


async def open_porting(pilot: Pilot[None]) -> PortingScreen:
    screen = PortingScreen()
    await pilot.app.push_screen(screen)
    await settle(pilot)
    # the first fetch ends in show_timeline (an order's timeline or the empty text): on a
    # busy machine settle() can return before that worker even started (CI saw an empty list)
    await wait_until(pilot, lambda: bool(str(screen.query_one("#timeline", Static).content)))
    await settle(pilot)
    return screen


def test_form_parsing() -> None:
    today = date(2026, 11, 21)
    assert parse_wished_date("11.12.2026", today) == date(2026, 12, 11)
    assert parse_wished_date("2026-12-11", today) == date(2026, 12, 11)
    assert parse_wished_date("11/12/2026", today) == date(2026, 12, 11)
    assert parse_wished_date("frühestens", today) == date(2026, 12, 11)
    assert split_numbers("030 5550100, +49305550101;\n030-5550102") == [
        "030 5550100", "+49305550101", "030-5550102",
    ]


async def test_list_shows_demo_order_with_timeline(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        await open_porting(pilot)
        text = screen_text(app)
        assert "SIM-000001" in text and "Alt-Telefon GmbH" in text and "bestätigt" in text
        assert "Verlauf von Auftrag SIM-000001" in text
        assert "eingereicht" in text and "Alt-Anbieter hat bestätigt" in text
        assert "Neuer Portierungsauftrag (n)" in text


async def test_create_order_then_carrier_steps_show_live(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_porting(pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreatePortingDialog)
        assert "frühestens" in screen_text(app) and "11.12.2026" in screen_text(app)
        assert dialog.query_one("#holder", Input).value == "Muster GmbH"
        await pilot.press(*"030 5550100, 030 5550101")
        dialog.query_one("#provider", Input).value = "Alt-Telefon GmbH"
        dialog.query_one("#wished", Input).value = "10.12.2026"  # one working day too early
        await pilot.click("#confirm")
        await settle(pilot)
        assert app.screen is dialog
        assert "[R16]" not in notifications(app) and "15 Werktage" in notifications(app)
        dialog.query_one("#wished", Input).value = "11.12.2026"
        # Textual's Button ignores a click during its 0.2 s "-active" flash after the first
        # one (a person does not click again that fast; this test did, now and then)
        await wait_until(pilot, lambda: not dialog.query_one("#confirm").has_class("-active"))
        await pilot.click("#confirm")
        await settle(pilot)
        # the dialog closes from its worker: on a busy machine a moment after settle()
        await wait_until(pilot, lambda: app.screen is screen)
        assert "eingereicht (Wunschtermin 11.12.2026)" in notifications(app)
        newest = next(iter(screen.orders.values()))
        assert newest.status == "submitted" and newest.numbers == ("+49305550100", "+49305550101")

        clock.advance(timedelta(days=1))
        async with demo_core.uow() as uow:
            assert await porting.advance_due(uow) == 1
        await settle(pilot)
        assert screen.orders[str(newest.id)].status == "confirmed"
        assert "Alt-Anbieter hat den Wunschtermin bestätigt" in screen_text(app)


async def test_cancel_creates_nothing_and_unverified_customer_is_told(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_porting(pilot)
        await pilot.click("#create")
        await settle(pilot)
        assert isinstance(app.screen, CreatePortingDialog)
        await pilot.press(*"030 5550100", "escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen
    assert len(await demo_core.read(porting.list_orders, actors["admin"])) == 1

    # Beispiel AG has 089 verified; a customer without any verified area gets a clear hint
    async with demo_core.uow() as uow:
        from sqlalchemy import delete

        from core.models import AreaVerification

        await uow.session.execute(delete(AreaVerification))
    app = LinedeskApp(demo_core, actors["beispiel"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_porting(pilot)
        assert "Noch keine Portierungsaufträge" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        assert "erst möglich" in notifications(app)
