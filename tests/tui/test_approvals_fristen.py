"""Pilot test of R21 in Fristen (key 5): a request filed in another session appears live
for the customer's other admin, ``u`` says where it is decided, and it goes when decided."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from core.authz import Actor
from core.models import ApprovalRequest
from core.runtime import Core
from core.services import approvals, numbers
from screens.approvals import ApprovalsScreen, DecideDialog
from screens.deadlines import DeadlinesScreen
from tests.conftest import login
from tests.stepup_helpers import run_with_code
from tests.tui.pilot_helpers import notifications, settle, wait_until
from tests.tui.stepup_pilot import enter_code, press_confirm
from tui.app import LinedeskApp

SIZE = (160, 45)


def rows(screen: DeadlinesScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def file_swap_request(core: Core, requester: Actor) -> int:
    """``requester`` swaps two numbers under four-eyes: the call files a request; its id."""
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await run_with_code(core, numbers.swap, requester,
                            old="+4989123456300", new="+4989123456301")
    return filed.value.request_id


async def open_approvals_from_fristen(app: LinedeskApp, pilot: Pilot[None]) -> ApprovalsScreen:
    """Fristen (5), then its approvals screen (a), showing the one open request."""
    await pilot.press("5")
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ApprovalsScreen)
    await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == 1)
    return screen


async def stored_request(core: Core, request_id: int) -> ApprovalRequest | None:
    async with core.uow(readonly=True) as uow:
        return await uow.session.get(ApprovalRequest, request_id)


async def test_request_appears_live_in_fristen_and_goes_when_rejected(demo_core: Core) -> None:
    requester: Actor = await login(demo_core, "beispiel")
    approver: Actor = await login(demo_core, "beispiel2")
    app = LinedeskApp(demo_core, approver)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        for _ in range(3):
            await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DeadlinesScreen)
        before = len(rows(screen))
        request_id = await file_swap_request(demo_core, requester)
        await wait_until(pilot, lambda: len(rows(screen)) == before + 1)
        entry = next(r for r in rows(screen) if r[2] == "Freigabe-Antrag")
        assert f"Antrag {request_id}: Rufnummerntausch" in entry[3]
        assert "beantragt von beispiel" in entry[4]
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(f"approval:{request_id}"), animate=False)
        await settle(pilot)
        await pilot.press("u")
        await wait_until(pilot, lambda: "approvals" in notifications(app))
        await demo_core.run(approvals.reject, approver, request_id=request_id,
                            comment="Nicht jetzt")
        await wait_until(pilot, lambda: len(rows(screen)) == before)


async def test_approvals_screen_from_fristen_reject_with_comment_and_own_refused(
    demo_core: Core,
) -> None:
    requester = await login(demo_core, "beispiel")
    approver = await login(demo_core, "beispiel2")
    request_id = await file_swap_request(demo_core, requester)
    own = LinedeskApp(demo_core, requester)
    async with own.run_test(size=SIZE) as pilot:
        await open_approvals_from_fristen(own, pilot)
        await pilot.press("f")
        await wait_until(pilot, lambda: "anderer Administrator" in notifications(own))
        assert not isinstance(own.screen, DecideDialog)
    app = LinedeskApp(demo_core, approver)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_approvals_from_fristen(app, pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, DecideDialog))
        await pilot.press("ctrl+s")  # no comment: refused in the dialog
        await settle(pilot)
        assert isinstance(app.screen, DecideDialog)
        await pilot.press(*"Erst im Januar")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == 0)
        assert f"Antrag {request_id} abgelehnt" in notifications(app)
    row = await stored_request(demo_core, request_id)
    assert row is not None and (row.status, row.comment) == ("rejected", "Erst im Januar")


async def test_approve_in_the_tui_asks_for_the_approvers_code_and_runs_it(
    demo_core: Core,
) -> None:
    requester = await login(demo_core, "beispiel")
    approver = await login(demo_core, "beispiel2")
    request_id = await file_swap_request(demo_core, requester)
    app = LinedeskApp(demo_core, approver)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_approvals_from_fristen(app, pilot)
        await pilot.press("f")
        await settle(pilot)
        press_confirm(app)
        await enter_code(app, pilot, demo_core)
        await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == 0)
        assert f"Antrag {request_id} freigegeben" in notifications(app)
    row = await stored_request(demo_core, request_id)
    assert row is not None and (row.status, row.decided_by) == ("approved", "beispiel2")
