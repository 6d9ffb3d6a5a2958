"""R27 bulk dialog (Pilot): the preview with count, total price and every refusal, one
confirmation, the result per number; assign asks for the employee first; Esc before the
apply changes nothing."""

from __future__ import annotations

from typing import Any

from textual.widgets import Select, Static

from core.authz import Actor
from core.enums import NumberAction, NumberStatus
from core.runtime import Core
from core.services import bulk, numbers
from screens.bulk_dialog import BulkDialog
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tui.app import LinedeskApp

MIA_MAIN = "+4930123456100"
TOM_NUMBER = "+4930123456101"
INACTIVE = "+4930123456104"
INACTIVE_2 = "+4930123456105"


def shown(app: LinedeskApp, widget_id: str) -> str:
    """What a Static of the dialog says (the painted screen wraps it in the frame)."""
    found = app.screen.query(f"#{widget_id}")
    return str(found.first(Static).content) if found else ""


async def status(core: Core, actor: Actor, e164: str) -> str:
    return (await core.read(numbers.get_number, actor, number=e164)).status


async def test_preview_confirm_and_result_per_number(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    app = LinedeskApp(demo_core, admin)
    closed: list[Any] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(BulkDialog(NumberAction.ACTIVATE, [INACTIVE, INACTIVE_2, MIA_MAIN]),
                        closed.append)
        await wait_until(pilot, lambda: "würden" in shown(app, "bulk-summary"))
        assert "3 markierte Rufnummern aktivieren" in screen_text(app)
        assert shown(app, "bulk-summary") == (
            "2 von 3 Rufnummern würden kostenpflichtig aktiviert: einmalig 19,90\u00a0€, "
            "monatlich 5,00\u00a0€.")
        assert "✗ 030 123456100: Rufnummer +4930123456100 ist aktiv" in shown(
            app, "bulk-details")
        assert await status(demo_core, admin, INACTIVE) == NumberStatus.INACTIVE
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Schließen" in screen_text(app))
        assert shown(app, "bulk-summary") == "2 erledigt, 1 abgelehnt."
        details = shown(app, "bulk-details")
        assert "✓ 030 123456104" in details and "✓ 030 123456105" in details
        assert await status(demo_core, admin, INACTIVE) == NumberStatus.ACTIVE
        # the key bar says what the keys do now; it offered "^s Rufnummern jetzt
        # kostenpflichtig aktivieren esc Abbrechen" beside the one "Schließen" button
        await settle(pilot)
        bar = screen_text(app).splitlines()[app.size.height - 1]
        assert "Schließen" in bar and "aktivieren" not in bar and "Abbrechen" not in bar, bar
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(closed))
    outcome = closed[0]
    assert isinstance(outcome, bulk.BulkOutcome) and outcome.count == 2


async def test_assign_asks_for_the_employee_and_escape_changes_nothing(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    app = LinedeskApp(demo_core, admin)
    closed: list[Any] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dialog = BulkDialog(NumberAction.ASSIGN, [TOM_NUMBER, MIA_MAIN])
        app.push_screen(dialog, closed.append)
        await wait_until(pilot, lambda: shown(app, "bulk-summary")
                         == "Bitte zuerst einen Mitarbeiter wählen.")
        await pilot.press("ctrl+s")  # nobody chosen: the dialog says so, nothing happens
        await settle(pilot)
        assert app.screen is dialog
        assert shown(app, "dialog-error") == "Bitte zuerst einen Mitarbeiter wählen."
        dialog.query_one("#employee", Select).value = "mia"
        await wait_until(pilot, lambda: "würden mia zugewiesen" in shown(app, "bulk-summary"))
        assert shown(app, "bulk-summary").startswith("1 von 2 Rufnummern")
        await pilot.press("escape")
        await wait_until(pilot, lambda: bool(closed))
    assert closed == [None]
    view = await demo_core.read(numbers.get_number, admin, number=TOM_NUMBER)
    assert view.assigned_to == "tom"
