"""R31 Pilot tests: the porting screen's carrier date, comment (`c`) and cancel (`s`) keys,
their refusals from the core, and cancelling a submitted order from Fristen (`u`)."""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from core.authz import Actor
from core.clock import FixedClock
from core.runtime import Core
from core.services import porting
from screens.deadlines import DeadlinesScreen, ResolveDialog
from screens.porting import CancelPortingDialog, CommentDialog, PortingScreen
from tests.tui.pilot_helpers import notifications, screen_text, settle, wait_until
from tui.app import LinedeskApp

SIZE = (160, 45)


async def submit(core: Core, actor: Actor, **extra: object) -> porting.PortingOrderView:
    return await core.run(
        porting.create_order, actor, area="030", numbers=["030 5550100"],
        old_provider="Alt-Telefon GmbH", account_holder="Muster GmbH", wished_date="earliest",
        **extra,  # type: ignore[arg-type]
    )


async def open_porting(pilot: Pilot[None], key: str) -> PortingScreen:
    screen = PortingScreen()
    await pilot.app.push_screen(screen)
    await settle(pilot)
    table = screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(key), animate=False)
    await settle(pilot)
    return screen


async def test_comment_then_cancel_a_submitted_order(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    order = await submit(demo_core, actors["admin"])
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_porting(pilot, str(order.id))
        assert "c Kommentar · s stornieren" in screen_text(app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CommentDialog))
        dialog = app.screen
        await pilot.press("enter")  # empty: says why, stays open
        await settle(pilot)
        assert app.screen is dialog and "Bitte geben Sie einen Kommentar ein" in screen_text(app)
        dialog.query_one("#comment", Input).value = "Bitte [b]nicht[/b] vor 8 Uhr \u202eumstellen"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        assert "Kommentar zu Auftrag SIM-" in notifications(app)
        text = screen_text(app)
        # author and time, the text escaped (markup shown as typed, no bidi override)
        assert "21.11.2026 11:00  Kommentar von admin (Administrator): Bitte [b]nicht[/b]" in text
        assert "\u202e" not in text

        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, CancelPortingDialog))
        assert "bleiben bei Alt-Telefon GmbH" in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        said = notifications(app)
        assert "Portierungsauftrag SIM-" in said and "storniert." in said
        assert screen.orders[str(order.id)].status == "cancelled"
        text = screen_text(app)
        assert "storniert" in text and "Vom Kunden storniert" in text
        # once cancelled, s says why not (the core's words) and opens no dialog
        await pilot.press("s")
        await settle(pilot)
        assert app.screen is screen
        assert "bereits storniert und kann nicht storniert werden" in notifications(app)
    mine = await demo_core.read(porting.get_order, actors["admin"], order_id=order.id)
    assert [(e.kind, e.status) for e in mine.timeline] == [
        ("status", "submitted"), ("comment", "submitted"), ("status", "cancelled")]


async def test_confirmed_order_shows_the_carrier_date_and_refuses_cancel(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    order = await submit(demo_core, actors["admin"], scenario="other_date")
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_porting(pilot, str(order.id))
        clock.advance(timedelta(days=1))
        async with demo_core.uow() as uow:
            assert await porting.advance_due(uow) == 1
        await wait_until(pilot, lambda: screen.orders[str(order.id)].status == "confirmed")
        await settle(pilot)
        text = screen_text(app)
        assert "16.12.2026 ≠ Wunsch" in text
        assert "hat den 16.12.2026 bestätigt, nicht den Wunschtermin 11.12.2026" in text
        await pilot.press("s")
        await settle(pilot)
        assert not isinstance(app.screen, CancelPortingDialog)
        assert "bereits für den 16.12.2026 bestätigt" in notifications(app)


async def test_cancel_from_fristen(demo_core: Core, actors: dict[str, Actor]) -> None:
    order = await submit(demo_core, actors["admin"])
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DeadlinesScreen)
        key = f"porting:{order.id}"
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(key), animate=False)
        await settle(pilot)
        assert "u: Auftrag stornieren" in screen_text(app)
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, ResolveDialog))
        assert "Portierungsauftrag stornieren" in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        assert "Portierungsauftrag storniert: Auftrag SIM-" in notifications(app)
        assert key not in screen.entries
    mine = await demo_core.read(porting.get_order, actors["admin"], order_id=order.id)
    assert mine.status == "cancelled"
