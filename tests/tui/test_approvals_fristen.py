"""Pilot test of R21 in Fristen (key 5): a request filed in another session appears live
for the customer's other admin, ``u`` says where it is decided, and it goes when decided."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from core.authz import Actor
from core.runtime import Core
from core.services import approvals, numbers
from screens.deadlines import DeadlinesScreen
from tests.conftest import login
from tests.stepup_helpers import run_with_code
from tests.tui.pilot_helpers import notifications, settle, wait_until
from tui.app import LinedeskApp

SIZE = (160, 45)


def rows(screen: DeadlinesScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


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
        with pytest.raises(approvals.ApprovalRequested) as filed:
            await run_with_code(demo_core, numbers.swap, requester,
                                old="+4989123456300", new="+4989123456301")
        await wait_until(pilot, lambda: len(rows(screen)) == before + 1)
        entry = next(r for r in rows(screen) if r[2] == "Freigabe-Antrag")
        assert f"Antrag {filed.value.request_id}: Rufnummerntausch" in entry[3]
        assert "beantragt von beispiel" in entry[4]
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(f"approval:{filed.value.request_id}"),
                          animate=False)
        await pilot.pause()
        await pilot.press("u")
        await wait_until(pilot, lambda: "approvals" in notifications(app))
        await demo_core.run(approvals.reject, approver, request_id=filed.value.request_id,
                            comment="Nicht jetzt")
        await wait_until(pilot, lambda: len(rows(screen)) == before)


async def test_approvals_screen_from_fristen_reject_with_comment_and_own_refused(
    demo_core: Core,
) -> None:
    from screens.approvals import ApprovalsScreen, DecideDialog

    requester = await login(demo_core, "beispiel")
    approver = await login(demo_core, "beispiel2")
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await run_with_code(demo_core, numbers.swap, requester,
                            old="+4989123456300", new="+4989123456301")
    request_id = filed.value.request_id
    own = LinedeskApp(demo_core, requester)
    async with own.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = own.screen
        assert isinstance(screen, ApprovalsScreen)
        await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == 1)
        await pilot.press("f")
        await wait_until(pilot, lambda: "anderer Administrator" in notifications(own))
        assert not isinstance(own.screen, DecideDialog)
    app = LinedeskApp(demo_core, approver)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == 1)
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
    async with demo_core.uow(readonly=True) as uow:
        from core.models import ApprovalRequest

        row = await uow.session.get(ApprovalRequest, request_id)
    assert row is not None and (row.status, row.comment) == ("rejected", "Erst im Januar")


async def test_approve_in_the_tui_asks_for_the_approvers_code_and_runs_it(
    demo_core: Core,
) -> None:
    from screens.approvals import ApprovalsScreen
    from tests.tui.stepup_pilot import enter_code, press_confirm

    requester = await login(demo_core, "beispiel")
    approver = await login(demo_core, "beispiel2")
    with pytest.raises(approvals.ApprovalRequested) as filed:
        await run_with_code(demo_core, numbers.swap, requester,
                            old="+4989123456300", new="+4989123456301")
    app = LinedeskApp(demo_core, approver)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == 1)
        await pilot.press("f")
        await settle(pilot)
        press_confirm(app)
        await enter_code(app, pilot, demo_core)
        await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == 0)
        assert f"Antrag {filed.value.request_id} freigegeben" in notifications(app)
    async with demo_core.uow(readonly=True) as uow:
        from core.models import ApprovalRequest

        row = await uow.session.get(ApprovalRequest, filed.value.request_id)
    assert row is not None and (row.status, row.decided_by) == ("approved", "beispiel2")
