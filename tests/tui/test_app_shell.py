"""Pilot tests of the App shell: header, navigation keys, help, live events."""

from __future__ import annotations

from core.authz import Actor
from core.runtime import Core
from tests.tui.pilot_helpers import screen_text
from tui.app import LinedeskApp


async def test_header_shows_user_and_customer(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Muster GmbH" in text
        assert "admin (Administrator)" in text
        assert "Admin-Ansicht" in text
        assert "Verträge" in text


async def test_number_keys_switch_modes(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(140, 40)) as pilot:
        for key, mode in (("1", "contracts"), ("2", "numbers"), ("3", "users"), ("4", "audit")):
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode == mode
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Tastenbelegung" in screen_text(app)
        await pilot.press("escape")


async def test_english_user_gets_english_labels(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["tom"])
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "User view" in text
        assert "Contracts" in text
