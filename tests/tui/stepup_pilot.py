"""Pilot helpers for flows that ask for the R20 step-up code: the code is read from its SMS
in the outbox (:func:`tests.stepup_helpers.take_code_from_outbox`) and typed into the code
dialog as a person would."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Button

from core.runtime import Core
from screens.code_dialog import CodeDialog
from tests.stepup_helpers import take_code_from_outbox
from tests.tui.pilot_helpers import settle, wait_until
from tui.app import LinedeskApp


async def wait_code_dialog(app: LinedeskApp, pilot: Pilot[None]) -> CodeDialog:
    await wait_until(pilot, lambda: isinstance(app.screen, CodeDialog))
    assert isinstance(app.screen, CodeDialog)
    return app.screen


async def enter_code(app: LinedeskApp, pilot: Pilot[None], core: Core) -> str:
    """The code dialog is (about to be) open: read the code from the SMS, type it, Enter;
    returns when the dialog has closed and the write's result is shown."""
    await wait_code_dialog(app, pilot)
    code = await take_code_from_outbox(core)
    await pilot.press(*code, "enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, CodeDialog))
    await settle(pilot)
    return code


def press_confirm(app: LinedeskApp) -> None:
    """Press the open dialog's confirm button without waiting for its worker (which waits
    for the code dialog)."""
    app.screen.query_one("#confirm", Button).press()
