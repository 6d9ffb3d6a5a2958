"""R27 in the dashboard (Pilot): space marks the number under the cursor, ``*`` every number
the filter matches across its pages; with marks the action keys open the bulk dialog for all
of them (preview, one confirmation, result per number); a finished action clears the marks."""

from __future__ import annotations

from textual.widgets import Static

from core.authz import Actor
from core.enums import NumberStatus
from core.runtime import Core
from core.services import numbers
from screens.bulk_dialog import BulkDialog
from tests.tui.pilot_helpers import wait_until
from tests.tui.test_number_dashboard import (
    add_numbers,
    open_dashboard,
    row_text,
    select_number,
    settle,
)
from tui.app import LinedeskApp

MIA_MAIN = "+4930123456100"
TOM_NUMBER = "+4930123456101"
INACTIVE = "+4930123456104"


def summary(app: LinedeskApp) -> str:
    return str(app.screen.query_one("#summary", Static).content)


async def test_space_marks_and_d_deactivates_all_marked(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    app = LinedeskApp(demo_core, admin)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        for e164 in (MIA_MAIN, TOM_NUMBER, INACTIVE):
            await select_number(screen, pilot, e164)
            await pilot.press("space")
        await pilot.pause()
        assert row_text(screen, MIA_MAIN)[0] == "●" and row_text(screen, INACTIVE)[0] == "●"
        assert "3 markiert" in summary(app)
        await select_number(screen, pilot, INACTIVE)
        await pilot.press("space")  # again: unmarked
        await pilot.pause()
        assert row_text(screen, INACTIVE)[0] == "" and "2 markiert" in summary(app)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, BulkDialog))
        dialog = app.screen
        assert isinstance(dialog, BulkDialog) and dialog.marked == (MIA_MAIN, TOM_NUMBER)
        await wait_until(pilot, lambda: dialog.preview is not None)
        await pilot.press("enter")
        await wait_until(pilot, lambda: dialog.result is not None)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, BulkDialog))
        await settle(app, pilot)
        assert "markiert" not in summary(app)
        assert row_text(screen, MIA_MAIN)[0] == "!"
    for e164 in (MIA_MAIN, TOM_NUMBER):
        view = await demo_core.read(numbers.get_number, admin, number=e164)
        assert view.status == NumberStatus.PENDING_DEACTIVATION


async def test_star_marks_every_match_of_the_filter_across_pages(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    await add_numbers(demo_core, admin, 120, active=lambda i: False)
    app = LinedeskApp(demo_core, admin)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        await pilot.press("slash")
        await pilot.press(*"5550")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("asterisk")
        await wait_until(pilot, lambda: "120 markiert" in summary(app))
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, BulkDialog))
        dialog = app.screen
        assert isinstance(dialog, BulkDialog) and len(dialog.marked) == 120
        await wait_until(pilot, lambda: dialog.preview is not None)
        assert dialog.preview is not None and dialog.preview.count == 120
        await pilot.press("escape")  # cancelled: nothing changed, the marks stay
        await wait_until(pilot, lambda: not isinstance(app.screen, BulkDialog))
        assert "120 markiert" in summary(app)
        await pilot.press("asterisk")  # all of them marked: * unmarks them
        await wait_until(pilot, lambda: "markiert" not in summary(app))
        assert screen.marks == set()
    view = await demo_core.read(numbers.get_number, admin, number="+4930555000119")
    assert view.status == NumberStatus.INACTIVE
