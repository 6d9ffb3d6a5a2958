"""R23: consenting to being watched is a deliberate act. An Enter (or any key) typed before
the consent dialog was painted, or within its guard after, is no answer however long the
typeahead gate held it; the dialog starts on "Ablehnen" (a stray Enter declines), ``z``
allows, ctrl+s (every other dialog's OK) does nothing here."""

from __future__ import annotations

import math
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from core.authz import Actor
from core.runtime import Core
from screens.shadow_dialog import ShadowConsentDialog
from tests.tui.pilot_helpers import screen_text, wait_until
from tui.app import LinedeskApp


class Asked:
    def __init__(self) -> None:
        self.answers: list[str] = []
        self.dialog: ShadowConsentDialog | None = None

    def push(self, app: LinedeskApp) -> None:
        """What ``ShadowHub.consent`` does in the user's App."""
        self.dialog = ShadowConsentDialog("support", 60, self.answers.append)
        app.push_screen(self.dialog)


def enter() -> events.Key:
    return events.Key("enter", "\r")


async def _armed(pilot: Pilot[Any], asked: Asked) -> ShadowConsentDialog:
    """The dialog is on top and its keys count (the key bar shows them)."""
    app = pilot.app
    await wait_until(pilot, lambda: asked.dialog is not None and app.screen is asked.dialog
                     and asked.dialog.armed)
    await wait_until(pilot, lambda: "z Zulassen" in screen_text(app))
    assert asked.dialog is not None
    return asked.dialog


async def _home(app: LinedeskApp, pilot: Pilot[Any]) -> None:
    await wait_until(pilot, lambda: app.screen.id != "_default" and app.screen.is_mounted)
    await pilot.pause()


async def test_an_enter_arriving_with_the_request_does_not_consent(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(120, 40)) as pilot:
        await _home(app, pilot)
        asked = Asked()
        asked.push(app)
        app.post_message(enter())  # typed ahead: it reaches the App while the dialog mounts
        app.post_message(events.Key("z", "z"))
        dialog = await _armed(pilot, asked)
        await pilot.pause()
        assert asked.answers == [] and app.screen is dialog
        # typed within the guard, handled only after it (a loaded machine): still no answer
        late = events.Key("z", "z")
        late.time = dialog.keys_since - 0.01
        app.post_message(late)
        await pilot.pause()
        assert asked.answers == [] and app.screen is dialog
        # a deliberate Enter now presses the focused button: "Ablehnen"
        assert app.focused is dialog.query_one("#cancel")
        await pilot.press("enter")
        await wait_until(pilot, lambda: asked.answers == ["declined"])
        assert app.screen is not dialog


async def test_z_allows_and_ctrl_s_does_not(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(120, 40)) as pilot:
        await _home(app, pilot)
        asked = Asked()
        asked.push(app)
        dialog = await _armed(pilot, asked)
        assert "esc Ablehnen" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert asked.answers == [] and app.screen is dialog
        await pilot.press("z")
        await wait_until(pilot, lambda: asked.answers == ["accepted"])
        await wait_until(pilot, lambda: app.screen is not dialog)


async def test_within_the_guard_neither_keys_nor_a_click_answer(
    demo_core: Core, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ShadowConsentDialog, "GUARD", 600.0)  # the guard does not end here
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(120, 40)) as pilot:
        await _home(app, pilot)
        asked = Asked()
        asked.push(app)
        await wait_until(pilot, lambda: app.screen is asked.dialog)
        dialog = asked.dialog
        assert dialog is not None
        await wait_until(pilot, lambda: dialog.keys_since < math.inf)  # painted
        await pilot.press("z", "enter", "ctrl+s", "escape")
        await pilot.click("#confirm")
        await pilot.pause()
        assert asked.answers == [] and app.screen is dialog
        assert "z Zulassen" not in screen_text(app)
