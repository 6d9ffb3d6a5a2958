"""R27 in the dashboard (Pilot): space marks the number under the cursor, ``*`` every number
the filter matches across its pages; with marks the action keys open the bulk dialog for all
of them (preview, one confirmation, result per number); a finished action clears the marks."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

from core.authz import Actor
from core.enums import NumberStatus
from core.runtime import Core
from core.services import bulk, numbers
from screens.bulk_dialog import BulkDialog
from tests.tui.dashboard_helpers import on_dashboard
from tests.tui.pilot_helpers import wait_until
from tests.tui.test_number_dashboard import (
    add_numbers,
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
    async with on_dashboard(demo_core, admin, size=(160, 45)) as (app, pilot, screen):
        for e164 in (MIA_MAIN, TOM_NUMBER, INACTIVE):
            await select_number(screen, pilot, e164)
            await pilot.press("space")
        await settle(app, pilot)
        assert row_text(screen, MIA_MAIN)[0] == "●" and row_text(screen, INACTIVE)[0] == "●"
        assert "3 markiert" in summary(app)
        await select_number(screen, pilot, INACTIVE)
        await pilot.press("space")  # again: unmarked
        await settle(app, pilot)
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
    async with on_dashboard(demo_core, admin, size=(160, 45)) as (app, pilot, screen):
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


async def test_an_open_dashboard_reads_a_bulk_change_at_once(
    demo_core: Core, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session changes 300 numbers in one bulk action (300 events): an open
    dashboard shows its changed rows after a read or two, not one read per event, and
    numbers not on its page are not read at all."""
    admin = actors["admin"]
    await add_numbers(demo_core, admin, 300, active=lambda i: True)
    reads: list[int] = []
    real = numbers.get_numbers

    async def counted(uow: Any, actor: Actor, *, numbers: list[str]) -> Any:
        reads.append(len(numbers))
        return await real(uow, actor, numbers=numbers)

    monkeypatch.setattr(numbers, "get_numbers", counted)
    async with on_dashboard(demo_core, admin, size=(160, 45)) as (app, pilot, screen):
        await demo_core.run(bulk.apply, admin, action="deactivate",
                            numbers=[f"+49305550{i:05d}" for i in range(300)])
        await wait_until(pilot, lambda: row_text(screen, "+4930555000000")[0] == "!")
        await settle(app, pilot)
        assert len(reads) <= 2, reads
        assert sum(reads) < 50  # only rows of the page shown (50 rows, 13 of them demo)
