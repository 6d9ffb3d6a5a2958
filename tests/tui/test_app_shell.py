"""Pilot tests of the App shell: header, navigation keys, help, live events."""

from __future__ import annotations

import asyncio
import logging

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList
from textual.widgets._select import SelectCurrent
from textual.widgets._toast import Toast

from core.authz import Actor
from core.runtime import Core
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tui.app import LinedeskApp


async def first_screen(core: Core, actor: Actor) -> str:
    """What a session of ``actor`` shows first."""
    app = LinedeskApp(core, actor)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        return screen_text(app)


async def test_header_shows_user_and_customer(demo_core: Core, actors: dict[str, Actor]) -> None:
    text = await first_screen(demo_core, actors["admin"])
    assert "Muster GmbH" in text
    assert "admin (Administrator)" in text
    assert "Admin-Ansicht" in text
    assert "Verträge" in text


async def test_number_keys_switch_modes(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(140, 40)) as pilot:
        for key, mode in (("1", "contracts"), ("2", "numbers"), ("3", "users"), ("4", "audit")):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
        await pilot.press("question_mark")
        await settle(pilot)
        assert "Tastenbelegung" in screen_text(app)
        await pilot.press("escape")


async def test_english_user_gets_english_labels(demo_core: Core, actors: dict[str, Actor]) -> None:
    text = await first_screen(demo_core, actors["tom"])
    assert "User view" in text
    assert "Contracts" in text


async def open_mode(pilot: Pilot[None], key: str) -> None:
    """Once the screen shown is settled, the mode of ``key`` (1–5), loaded."""
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)


async def open_palette(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))


async def open_help(pilot: Pilot[None]) -> None:
    await pilot.press("question_mark")
    await wait_until(pilot, lambda: "Tasten dieser Ansicht" in screen_text(pilot.app))


async def palette_search(pilot: Pilot[None], text: str) -> str:
    app = pilot.app
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    palette.query_one(Input).value = text
    await wait_until(pilot, lambda: len(palette.query_one(OptionList).options) > 0)
    await settle(pilot)
    return "\n".join(str(o.prompt) for o in palette.query_one(OptionList).options)


async def test_palette_offers_the_portal_commands_in_the_users_language(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 40)) as pilot:
        await open_mode(pilot, "2")
        await open_palette(pilot)
        assert "Befehl suchen" in screen_text(app)
        everything = await palette_search(pilot, "e")
        for textual_default in ("Keys", "Maximize", "Screenshot", "Theme"):
            assert textual_default not in everything
        assert "Verträge" in await palette_search(pilot, "Vertr")
        assert "Hilfe" in await palette_search(pilot, "Hilfe")
        assert "Sprache wechseln" in await palette_search(pilot, "Sprache")
        assert "Sortieren" in await palette_search(pilot, "Sortier")  # the screen's own keys
        assert "Archiv" in await palette_search(pilot, "Archiv")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.current_mode == "audit")
        await settle(pilot)
        await open_palette(pilot)
        assert "Sprache wechseln" in await palette_search(pilot, "Sprache")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.actor.locale == "en")
        await settle(pilot)
        assert "Audit log" in screen_text(app)


async def test_palette_in_english(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["tom"])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await open_palette(pilot)
        assert "Contracts" in await palette_search(pilot, "Contr")
        assert "Audit log" in await palette_search(pilot, "Audit")


async def test_help_lists_the_screens_keys_and_the_global_ones(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 40)) as pilot:
        await open_mode(pilot, "2")
        await open_help(pilot)
        text = screen_text(app)
        # the dashboard's keys, also those only written on its buttons (not in the key bar)
        for label in ("Sortieren", "Filtern", "Deaktivieren", "Weiterleitung"):
            assert label in text, label
        assert "Überall" in text and "Benutzer" in text and "Fristen" in text and "Beenden" in text
        await pilot.press("escape")
        await open_mode(pilot, "4")
        await open_help(pilot)
        assert "Mehr laden" in screen_text(app) and "Sortieren" not in screen_text(app)


async def test_toasts_are_limited_and_merged(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        for _ in range(5):
            app.notify("Immer dieselbe Meldung")
        await settle(pilot)
        assert [n.message for n in app._notifications] == ["Immer dieselbe Meldung"]
        for index in range(8):
            app.notify(f"Meldung {index}")
        await settle(pilot)
        shown = [n.message for n in app._notifications]
        assert shown == ["Meldung 5", "Meldung 6", "Meldung 7"]
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 3)
        assert "Meldung 7" in screen_text(app) and "Meldung 4" not in screen_text(app)


@pytest.mark.parametrize("user", ["admin", "support"])
@pytest.mark.parametrize("ticks", [0, 1, 2, 3, 5, 8, 13])
async def test_closing_right_after_opening_is_no_error(
    demo_core: Core, actors: dict[str, Actor], user: str, ticks: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The client goes away while the first screen is still being built (issue 12: a
    close within 0.5 s logged NoMatches '#go-contracts' as an error)."""
    app = LinedeskApp(demo_core, actors[user])

    async def close_soon() -> None:
        for _ in range(ticks):
            await asyncio.sleep(0)
        app.exit()

    closer = asyncio.create_task(close_soon())
    await app.run_async(headless=True, size=(120, 40))
    await closer
    assert app._exception is None
    assert not app._exit_renderables
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_focus_is_clearly_visible_on_a_compact_select(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 40)) as pilot:
        await open_mode(pilot, "1")
        current = app.screen.query_one("#product").query_one(SelectCurrent)
        blurred = current.styles.background
        app.screen.query_one("#product").focus()
        await settle(pilot)
        focused = current.styles.background
        # more than Textual's 5 % tint: a different colour, and bold text
        assert abs(focused.brightness - blurred.brightness) > 0.2
        assert current.rich_style.bold


@pytest.mark.parametrize("width", [60, 80])
async def test_narrow_header_keeps_customer_user_and_view_mode(
    demo_core: Core, actors: dict[str, Actor], width: int
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(width, 24)) as pilot:
        await open_mode(pilot, "1")
        header = screen_text(app).splitlines()[0]
        assert "Muster GmbH" in header and "admin" in header and "Admin-Ansicht" in header
        await pilot.press("v")
        await settle(pilot)
        assert "Anwender-Ansicht" in screen_text(app).splitlines()[0]
