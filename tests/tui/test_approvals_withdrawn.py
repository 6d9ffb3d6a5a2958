"""Pilot test of R21 as R19: the requester changes the consented e-mail in its own session
(the service, as the profile form does); the other admin's Freigaben screen drops the
withdrawn credentials request live, and Fristen with it."""

from __future__ import annotations

from textual.widgets import DataTable

from core.authz import Actor
from core.runtime import Core
from core.services import users
from screens.deadlines import DeadlinesScreen
from tests.approvals_helpers import file_generate
from tests.conftest import login
from tests.tui.pilot_helpers import settle, wait_until
from tests.tui.test_approvals_fristen import SIZE, open_approvals_from_fristen, stored_request
from tui.app import LinedeskApp


async def test_freigaben_drops_the_request_when_the_consented_contact_changes(
    demo_core: Core,
) -> None:
    requester: Actor = await login(demo_core, "beispiel")
    approver: Actor = await login(demo_core, "beispiel2")
    request_id = await file_generate(demo_core, requester)
    app = LinedeskApp(demo_core, approver)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_approvals_from_fristen(app, pilot)
        table = screen.query_one(DataTable)
        await demo_core.run(users.update_contact, requester, email="klaus@example.org",
                            mobile="+491609876543", current_password="beispiel-demo")
        await wait_until(pilot, lambda: table.row_count == 0)
        row = await stored_request(demo_core, request_id)
        assert row is not None and row.status == "cancelled"
        await pilot.press("escape")
        await settle(pilot)
        fristen = app.screen
        assert isinstance(fristen, DeadlinesScreen)
        keys = [str(k.value) for k in fristen.query_one(DataTable).rows]
        assert f"approval:{request_id}" not in keys
