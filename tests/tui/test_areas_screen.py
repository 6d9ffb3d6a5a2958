"""Pilot tests of the areas screen: PIN letter, PIN entry, ordering, cancel, refusals."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from core.authz import Actor
from core.runtime import Core
from core.services import areas
from screens.areas import AreasScreen, EnterPinDialog, OrderNumbersDialog, RequestPinDialog
from tests.tui.pilot_helpers import notifications, screen_text, settle, wait_until
from tui.app import LinedeskApp


async def open_areas(pilot: Pilot[None], row: str) -> AreasScreen:
    screen = AreasScreen()
    await pilot.app.push_screen(screen)
    await settle(pilot)
    table = screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(row))
    await settle(pilot)
    return screen


@asynccontextmanager
async def areas_session(
    core: Core, actor: Actor, row: str
) -> AsyncIterator[tuple[LinedeskApp, Pilot[None], AreasScreen]]:
    """A session of ``actor`` on the areas screen, the area ``row`` selected."""
    app = LinedeskApp(core, actor)
    async with app.run_test(size=(160, 45)) as pilot:
        yield app, pilot, await open_areas(pilot, row)


async def form(pilot: Pilot[None], key: str) -> None:
    """``key`` on the areas screen: r PIN letter, p PIN entry, o order (or the refusal)."""
    await pilot.press(key)
    await settle(pilot)


async def read_pin(core: Core, data_dir: Path) -> str:
    await core.dispatcher.dispatch_once()
    letter = next((data_dir / "letters").glob("*.txt")).read_text(encoding="utf-8")
    match = re.search(r"PIN: (\d{6})", letter)
    assert match
    return match.group(1)


async def test_request_letter_enter_pin_and_order(
    demo_core: Core, actors: dict[str, Actor], data_dir: Path
) -> None:
    async with areas_session(demo_core, actors["admin"], "040") as (app, pilot, screen):
        text = screen_text(app)
        assert "Ortsnetze" in text and "verifiziert seit" in text and "nicht verifiziert" in text
        assert "PIN-Brief anfordern (r)" in text  # visible button with its key

        await form(pilot, "r")
        assert isinstance(app.screen, RequestPinDialog)
        assert "14 Tage" in screen_text(app)
        await pilot.press(*"Jungfernstieg 10, 20354 Hamburg", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert "PIN-Brief für das Ortsnetz 040 ist unterwegs" in notifications(app)
        assert "PIN-Brief unterwegs" in screen_text(app)

        pin = await read_pin(demo_core, data_dir)
        await form(pilot, "p")
        assert isinstance(app.screen, EnterPinDialog)
        assert "verbleibende Versuche: 5" in screen_text(app)
        await pilot.press(*f"{(int(pin) + 1) % 1_000_000:06d}", "enter")
        await settle(pilot)
        assert isinstance(app.screen, EnterPinDialog)  # stays open after a wrong PIN
        assert "Verbleibende Versuche: 4" in notifications(app)
        assert app.screen.query_one("#pin", Input).value == ""
        assert "verbleibende Versuche: 4" in screen_text(app)  # the dialog's own line too
        await pilot.press(*pin, "enter")
        await settle(pilot)
        assert app.screen is screen
        assert "ist verifiziert" in notifications(app)
        assert screen.views["040"].verified

        await form(pilot, "o")
        assert isinstance(app.screen, OrderNumbersDialog)
        assert "9,95\u00a0€" in screen_text(app)
        app.screen.query_one("#count", Input).value = "3"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert "3 Rufnummer(n) bestellt" in notifications(app)
        assert "+494070000" in notifications(app)


async def test_cancel_changes_nothing(demo_core: Core, actors: dict[str, Actor]) -> None:
    async with areas_session(demo_core, actors["admin"], "040") as (app, pilot, screen):
        await form(pilot, "r")
        await pilot.press(*"Somewhere 1", "escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.click("#order")  # unverified area: refused before any dialog opens
        await settle(pilot)
        assert app.screen is screen
        assert "erst nach der Verifizierung" in notifications(app)
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("030"))
        await form(pilot, "o")
        await pilot.click("#cancel")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen
    view = next(
        v for v in await demo_core.read(areas.list_areas, actors["admin"]) if v.prefix == "040"
    )
    assert view.letter is None
    assert next(v for v in await demo_core.read(areas.list_areas, actors["admin"])
                if v.prefix == "030").number_count == 20  # with the R30 demo block


async def test_refusal_is_shown_and_other_session_updates(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with areas_session(demo_core, actors["admin"], "030") as (app, pilot, screen):
        await form(pilot, "o")
        app.screen.query_one("#count", Input).value = "11"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderNumbersDialog)  # stays open, refusal shown
        assert "Pro Bestellung" in notifications(app) and "[R16]" not in notifications(app)
        await pilot.press("escape")
        await settle(pilot)
        # a change made elsewhere (command mode, another session) shows up live
        await demo_core.run(areas.request_pin, actors["admin"], area="089", address="Marienplatz "
                                                                                    "1, 80331 "
                                                                                    "München")
        await settle(pilot)
        assert screen.views["089"].letter is not None


async def test_user_markup_is_not_interpreted(demo_core: Core, actors: dict[str, Actor]) -> None:
    await demo_core.run(areas.request_pin, actors["admin"], area="040", address="[bold]Evil[/bold] "
                                                                                "Weg 1, 20095 "
                                                                                "Hamburg")
    async with areas_session(demo_core, actors["admin"], "040") as (app, _pilot, _screen):
        assert "[bold]Evil[/bold] Weg 1" in screen_text(app)


async def test_support_is_asked_for_a_reason_which_is_audited(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from core.services.audit import list_events
    from screens.reason_dialog import ReasonDialog

    support = actors["support"].for_customer(
        actors["admin"].customer_id, customer_name="Muster GmbH"
    )
    async with areas_session(demo_core, support, "030") as (app, pilot, screen):
        await form(pilot, "o")
        app.screen.query_one("#count", Input).value = "2"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReasonDialog))
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"TICKET-9", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert "2 Rufnummer(n) bestellt" in notifications(app)
    events = await demo_core.read(list_events, support, query="areas.numbers_ordered")
    assert [(e.actor_username, e.reason) for e in events] == [("support", "TICKET-9")]


async def test_english_session_gets_english_texts(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from dataclasses import replace

    async with areas_session(
        demo_core, replace(actors["admin"], locale="en"), "030"
    ) as (app, pilot, _screen):
        text = screen_text(app)
        assert "Buy numbers – local areas" in text and "verified since 23/08/2026" in text
        assert "Request PIN letter (r)" in text and "not verified" in text
        await form(pilot, "o")
        assert "€9.95" in screen_text(app) and "€2.50" in screen_text(app)


async def test_verified_area_needs_no_letter_and_no_pin(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with areas_session(demo_core, actors["admin"], "030") as (app, pilot, screen):
        for key in ("r", "p"):
            app.clear_notifications()
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen
            assert "Die Adresse im Ortsnetz 030 ist bereits verifiziert." in notifications(app)


async def test_pin_letter_to_an_address_outside_the_area_is_refused(
    demo_core: Core, actors: dict[str, Actor], data_dir: Path
) -> None:
    """Issue 11.5: a Berlin address cannot get a PIN letter for 040 Hamburg."""
    async with areas_session(demo_core, actors["admin"], "040") as (app, pilot, screen):
        await form(pilot, "r")
        await pilot.press(*"Friedrichstraße 123, 10117 Berlin", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RequestPinDialog)  # stays open to correct the address
        said = notifications(app)
        assert "Postleitzahl 10117 liegt nicht im Ortsnetz 040 Hamburg" in said
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.views["040"].letter is None


async def test_dialog_keys_ctrl_s_confirms_and_focus_is_never_on_cancel(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """The product's dialog rule on the area forms: the focus starts in the field, ctrl+s
    confirms like Enter, Esc cancels; a refusal is also said on the dialog itself."""
    async with areas_session(demo_core, actors["admin"], "040") as (app, pilot, screen):
        await form(pilot, "r")
        dialog = app.screen
        assert isinstance(dialog, RequestPinDialog)
        assert dialog.focused is not None and dialog.focused.id == "address"
        await pilot.press(*"Jungfernstieg 10", "ctrl+s")  # no postcode
        await settle(pilot)
        assert app.screen is dialog and "fünfstellige Postleitzahl" in screen_text(app)
        await pilot.press(*", 20354 Hamburg", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen and screen.views["040"].letter is not None
