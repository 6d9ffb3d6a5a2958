"""Support on an opened customer's number dashboard (issue 11.2): every write action opens
its dialog (no "a reason is needed" toast), confirming asks for the reason in a dialog
that takes typing, Enter and Esc, and the change runs with that reason in the audit log."""

from __future__ import annotations

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Select

from core.authz import Actor
from core.models import AuditEvent
from core.runtime import Core
from core.services import numbers
from screens.number_dialogs import (
    ActivateDialog,
    AssignDialog,
    DeactivateDialog,
    ForwardingDialog,
    NumberDialog,
    SwapDialog,
    UndoDeactivationDialog,
)
from screens.reason_dialog import ReasonDialog
from tests.tui.pilot_helpers import notifications, screen_text, wait_until
from tests.tui.stepup_pilot import enter_code
from tests.tui.test_number_dashboard import open_dashboard, select_number, settle
from tests.tui.test_number_dialogs import INACTIVE, MIA_MAIN, PENDING, TOM_NUMBER
from tests.tui.test_support_screen import _open_muster
from tui.app import LinedeskApp

INACTIVE_2 = "+4930123456105"


async def reasons(core: Core, action: str) -> list[str | None]:
    async with core.uow(readonly=True) as uow:
        rows = await uow.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [e.reason for e in rows]


async def open_muster_numbers(app: LinedeskApp, pilot: Pilot[None]) -> None:
    await wait_until(pilot, lambda: "o Öffnen" in screen_text(app))
    await _open_muster(app, pilot)
    await open_dashboard(app, pilot)


async def open_action(app: LinedeskApp, pilot: Pilot[None], e164: str, key: str,
                      dialog: type[NumberDialog[object]]) -> None:
    screen = app.screen  # the dashboard
    await select_number(screen, pilot, e164)  # type: ignore[arg-type]
    await pilot.press(key)
    await settle(app, pilot)
    assert isinstance(app.screen, dialog), (app.screen, notifications(app))
    assert "Grund" not in notifications(app)  # the dialog opened: no "reason needed" toast


async def give_reason(app: LinedeskApp, pilot: Pilot[None], reason: str | None) -> None:
    """Confirm the open dialog with ctrl+s, then type the reason and press Enter (or
    offer the last one again: just Enter)."""
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, ReasonDialog))
    if reason is not None:
        await pilot.press("ctrl+a", "ctrl+k", *reason)
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, ReasonDialog | NumberDialog))
    await settle(app, pilot)


async def test_support_runs_every_number_action_with_a_reason(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(160, 45)) as pilot:
        await open_muster_numbers(app, pilot)
        support = app.actor

        # r then ctrl+s: the reason dialog takes typing and Enter (it used to hang)
        await open_action(app, pilot, MIA_MAIN, "r", ForwardingDialog)
        await pilot.press("ctrl+a", "ctrl+k", *"sip:empfang@muster-gmbh.de")
        await give_reason(app, pilot, "T-1")
        view = await demo_core.read(numbers.get_number, support, number=MIA_MAIN)
        assert view.forwarding_target == "sip:empfang@muster-gmbh.de"
        assert await reasons(demo_core, "number.forwarding_set") == ["T-1"]

        # d: the dialog with the date opens (it only toasted), then the reason
        await open_action(app, pilot, TOM_NUMBER, "d", DeactivateDialog)
        await give_reason(app, pilot, "T-2")
        assert (await demo_core.read(numbers.get_number, support, number=TOM_NUMBER)).pending
        assert await reasons(demo_core, "number.deactivation_marked") == ["T-2"]

        # u: undo it; the last reason is offered again
        await open_action(app, pilot, TOM_NUMBER, "u", UndoDeactivationDialog)
        await give_reason(app, pilot, None)
        assert await reasons(demo_core, "number.deactivation_undone") == ["T-2"]

        # z: the employees are listed (it only toasted)
        await open_action(app, pilot, MIA_MAIN, "z", AssignDialog)
        app.screen.query_one("#employee", Select).value = "tom"
        await settle(app, pilot)
        await give_reason(app, pilot, "T-3")
        assert (
            await demo_core.read(numbers.get_number, support, number=MIA_MAIN)
        ).assigned_to == "tom"
        assert await reasons(demo_core, "number.assigned") == ["T-3"]

        # a: the prices are shown (it only toasted)
        await open_action(app, pilot, INACTIVE, "a", ActivateDialog)
        assert "Einmalig" in screen_text(app)
        await give_reason(app, pilot, "T-4")
        assert (
            await demo_core.read(numbers.get_number, support, number=INACTIVE)
        ).status == "active"
        assert await reasons(demo_core, "number.activated") == ["T-4"]

        # w: swap, then the forwarding offered afterwards is left for later
        await open_action(app, pilot, PENDING, "w", SwapDialog)
        app.screen.query_one("#new", Select).value = INACTIVE_2
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("ctrl+a", "ctrl+k", *"T-5", "enter")
        await enter_code(app, pilot, demo_core)  # R20: to support's own mobile
        await wait_until(pilot, lambda: isinstance(app.screen, ForwardingDialog))
        await pilot.press("escape")
        await settle(app, pilot)
        assert (await demo_core.read(numbers.get_number, support, number=INACTIVE_2)).in_use
        assert await reasons(demo_core, "number.swapped") == ["T-5"]


async def test_support_esc_in_the_reason_dialog_changes_nothing(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(160, 45)) as pilot:
        await open_muster_numbers(app, pilot)
        await open_action(app, pilot, MIA_MAIN, "r", ForwardingDialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"abc")
        assert app.screen.query_one("#reason").value.endswith("abc")  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ReasonDialog | NumberDialog))
        view = await demo_core.read(numbers.get_number, app.actor, number=MIA_MAIN)
        assert view.forwarding_target == "sip:mia@muster-gmbh.de"
        assert await reasons(demo_core, "number.forwarding_set") == []
        # and the session is not stuck: the keys still work
        await pilot.press("1")
        await wait_until(pilot, lambda: app.current_mode != "numbers")
