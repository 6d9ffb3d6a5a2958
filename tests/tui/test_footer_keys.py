"""At 120×40 every key the footer offers fits, so the global keys 1–4, v and ? are never cut
off; the screens' other keys are shown on their buttons."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from core.authz import Actor
from core.runtime import Core
from tests.tui.pilot_helpers import screen_text, wait_until
from tests.tui.test_support_screen import _open_muster
from tui.app import LinedeskApp

SIZE = (120, 40)


def footer_line(app: LinedeskApp) -> str:
    """The bottom line as painted; empty while a just switched-to screen has not painted
    yet (its compositor has no lines then)."""
    lines = screen_text(app).splitlines()
    return lines[SIZE[1] - 1] if len(lines) >= SIZE[1] else ""


def shown_keys(app: LinedeskApp) -> list[str]:
    """``key label`` of every binding the footer should show, as the compact footer writes it."""
    return [
        f"{app.get_key_display(binding)} {binding.description}"
        for _node, binding, _enabled, _tooltip in app.screen.active_bindings.values()
        if binding.show
    ]


async def assert_footer_complete(app: LinedeskApp, pilot: Pilot[None], help_label: str) -> None:
    await wait_until(pilot, lambda: help_label in footer_line(app))
    line = footer_line(app)
    missing = [key for key in shown_keys(app) if key not in line]
    assert not missing, f"{type(app.screen).__name__}: {missing} not in {line!r}"


@pytest.mark.parametrize(("who", "help_label"), [("admin", "? Hilfe"), ("mia", "? Hilfe"),
                                                 ("tom", "? Help")])
async def test_global_keys_fit_on_every_mode(
    demo_core: Core, actors: dict[str, Actor], who: str, help_label: str
) -> None:
    app = LinedeskApp(demo_core, actors[who])
    async with app.run_test(size=SIZE) as pilot:
        for key, mode in (("1", "contracts"), ("2", "numbers"), ("3", "users"), ("4", "audit")):
            await pilot.press(key)
            await wait_until(pilot, lambda mode=mode: app.current_mode == mode)
            await assert_footer_complete(app, pilot, help_label)
            for global_key in ("1 ", "2 ", "3 ", "4 "):
                assert global_key in footer_line(app)
            # the view switch only for a role that has two view modes (employees: none)
            assert (" v " in footer_line(app)) is actors[who].can_switch_view


async def test_areas_and_porting_screens_keep_the_global_keys(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        for key, screen in (("b", "AreasScreen"), ("p", "PortingScreen")):
            await pilot.press("2")
            await wait_until(pilot, lambda: app.current_mode == "numbers")
            await pilot.press(key)
            await wait_until(pilot, lambda screen=screen: type(app.screen).__name__ == screen)
            await assert_footer_complete(app, pilot, "? Hilfe")
            await pilot.press("escape")


async def test_support_sees_all_global_keys_with_a_customer_open(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=SIZE) as pilot:
        await _open_muster(app, pilot)
        for key in ("1", "2", "3", "4", "k"):
            await pilot.press(key)
            await assert_footer_complete(app, pilot, "? Hilfe")
            assert "k Kundensuche" in footer_line(app)


async def test_footer_labels_follow_the_language(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["tom"])
    async with app.run_test(size=SIZE) as pilot:
        for key, label in (
            ("2", "s Sort"),
            ("3", "^l Language"),
            ("4", "m Load more"),
            # an employee's contract overview offers no contract keys (user view), only
            # the global ones
            ("1", "1 Contracts"),
        ):
            await pilot.press(key)
            await wait_until(pilot, lambda label=label: label in footer_line(app))


async def test_clicking_a_key_in_the_bar_presses_it(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from tui.widgets.keybar import KeyBar

    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "2 Rufnummern" in footer_line(app))
        column = footer_line(app).index("2 Rufnummern")
        await pilot.click(KeyBar, offset=(column + 3, 0))
        await wait_until(pilot, lambda: app.current_mode == "numbers")
        await wait_until(pilot, lambda: "1 Verträge" in footer_line(app))
        column = footer_line(app).index("1 Verträge")
        await pilot.click(KeyBar, offset=(column, 0))
        await wait_until(pilot, lambda: app.current_mode == "contracts")


async def test_dialogs_show_their_own_keys(demo_core: Core, actors: dict[str, Actor]) -> None:
    from screens.number_dialogs import ActivateDialog
    from tests.tui.test_number_dialogs import INACTIVE, open_dialog

    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(app, pilot, INACTIVE, "a", ActivateDialog)
        await assert_footer_complete(app, pilot, "esc Abbrechen")
        assert "^s " in footer_line(app)
