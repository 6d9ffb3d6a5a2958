"""Pilot tests: form errors are said once, where they belong, and do not go stale.

* New employee: every wrong field's message under that field, all at once, no toast on top;
  the first wrong field has focus; correcting a field clears its message.
* Support reason: "Ohne Grund ..." goes away as soon as a reason is being typed.
"""

from __future__ import annotations

import asyncio

from textual.widgets import Input, Static

from core.authz import Actor
from core.runtime import Core
from core.services import numbers
from screens.reason_dialog import ReasonDialog
from screens.users import NewEmployeeDialog
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tests.tui.test_support_screen import _open_muster
from tests.tui.test_users_screen import open_users
from tui.app import LinedeskApp


def _line(dialog: NewEmployeeDialog, widget_id: str) -> Static:
    return dialog.query_one(f"#{widget_id}-error", Static)


def _text(line: Static) -> str:
    return str(line.render()) if line.display else ""


async def test_new_employee_shows_every_wrong_field_under_it(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 50)) as pilot:
        await open_users(app, pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewEmployeeDialog))
        dialog = app.screen
        assert isinstance(dialog, NewEmployeeDialog)
        dialog.query_one("#username", Input).value = "X!"
        dialog.query_one("#new-email", Input).value = "keine-adresse"
        dialog.query_one("#new-mobile", Input).value = "12"
        dialog.query_one("#full-name", Input).focus()
        before = len(app._notifications)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: _line(dialog, "username").display)
        assert "Ungültiger Benutzername" in _text(_line(dialog, "username"))
        assert "keine gültige E-Mail-Adresse" in _text(_line(dialog, "new-email"))
        assert "keine gültige Mobilfunk-Rufnummer" in _text(_line(dialog, "new-mobile"))
        assert _text(_line(dialog, "new-locale")) == ""
        assert not dialog.query_one("#dialog-error", Static).display  # not said twice
        assert len(app._notifications) == before  # no toast on top
        assert app.focused is dialog.query_one("#username", Input)
        assert isinstance(app.screen, NewEmployeeDialog)
        # correcting a field clears its message only
        dialog.query_one("#username", Input).value = "lea"
        await settle(pilot)
        assert _text(_line(dialog, "username")) == ""
        assert _text(_line(dialog, "new-email")) != ""
        # the next try names only what is still wrong, and focuses it
        dialog.query_one("#new-mobile", Input).value = ""
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not _line(dialog, "new-mobile").display)
        assert _text(_line(dialog, "new-email")) != ""
        assert app.focused is dialog.query_one("#new-email", Input)


async def test_new_employee_missing_email_and_taken_username(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 50)) as pilot:
        await open_users(app, pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewEmployeeDialog))
        dialog = app.screen
        assert isinstance(dialog, NewEmployeeDialog)
        dialog.query_one("#username", Input).value = "tom"  # a demo employee
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: _line(dialog, "new-email").display)
        assert "E-Mail-Adresse ist nötig" in _text(_line(dialog, "new-email"))
        assert _text(_line(dialog, "username")) == ""
        dialog.query_one("#new-email", Input).value = "tom2@muster-gmbh.de"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: _line(dialog, "username").display)
        assert "tom" in _text(_line(dialog, "username"))
        assert _text(_line(dialog, "new-email")) == ""
        assert app.focused is dialog.query_one("#username", Input)
        assert not dialog.query_one("#dialog-error", Static).display


async def test_reason_error_clears_once_a_reason_is_typed(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await _open_muster(app, pilot)
        task = asyncio.create_task(app.screen.call(numbers.activate, number="+4930123456104"))
        await wait_until(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("enter")  # no reason: refused, said on the dialog
        await wait_until(pilot, lambda: "Ohne Grund" in screen_text(app))
        await pilot.press("space")  # blanks are no reason: the error stays
        await settle(pilot)
        assert "Ohne Grund" in screen_text(app)
        await pilot.press("T")
        await wait_until(pilot, lambda: "Ohne Grund" not in screen_text(app))
        await pilot.press(*"-4711", "enter")
        view = await asyncio.wait_for(task, 20)
        assert view is not None and view.status == "active"
