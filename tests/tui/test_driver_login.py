"""Pilot tests of the local login screen (``linedesk tui``)."""

from __future__ import annotations

from core.runtime import Core
from tui.local import LoginApp


async def test_login_screen_rejects_then_accepts(demo_core: Core) -> None:
    app = LoginApp(demo_core)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.click("#username")
        await pilot.press(*"admin")
        await pilot.press("enter")
        await pilot.press(*"wrong")
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#login-error").render())
        assert "fehlgeschlagen" in error
        await pilot.press(*"admin-demo")
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_value is not None
    assert app.return_value.username == "admin"
    assert app.return_value.source_address == "local"


async def test_login_screen_requires_both_fields(demo_core: Core) -> None:
    app = LoginApp(demo_core)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.click("#login")
        await pilot.pause()
        assert "Bitte Benutzername" in str(app.screen.query_one("#login-error").render())
        await pilot.press("ctrl+q")
    assert app.return_value is None
