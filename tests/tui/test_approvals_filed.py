"""Pilot: a Beispiel AG admin (four eyes on) performs a guarded action in the TUI — swap,
assignment with traffic-data deletion, new credentials now or scheduled, turning the policy
off — and the screen shows an information that the request was filed (never an error
toast); the request is there for beispiel2. The policy switch in user management (key f)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from textual.app import App
from textual.widgets import Checkbox, Select

from core.authz import Actor
from core.models import Contract, ContractType
from core.runtime import Core
from core.services import approvals, numbers
from screens.credential_wizard import CredentialWizardScreen
from screens.number_dialogs import AssignDialog, SwapDialog
from screens.reset_time_dialog import ResetTimeDialog
from tests.approvals_helpers import set_contact
from tests.conftest import login
from tests.tui.pilot_helpers import screen_text, wait_until
from tests.tui.stepup_pilot import enter_code, press_confirm
from tests.tui.test_credential_wizard import open_wizard
from tests.tui.test_number_dashboard import settle
from tests.tui.test_number_dialogs import open_dialog
from tests.tui.test_users_screen import open_users
from tui.app import LinedeskApp

OLD = "+4989123456300"
NEW = "+4989123456301"
SIZE = (160, 45)


def toasts(app: App[None], severity: str) -> list[str]:
    return [n.message for n in app._notifications if n.severity == severity]


async def filed_info(app: App[None], pilot: Any) -> str:
    """Waits for the information toast of the filed request; no error toast came."""
    await wait_until(pilot, lambda: any("Freigabe beantragt" in m
                                        for m in toasts(app, "information")))
    assert toasts(app, "error") == [], toasts(app, "error")
    [info] = [m for m in toasts(app, "information") if "Freigabe beantragt" in m]
    assert "wartet auf Freigabe durch einen zweiten Administrator" in info
    return info


async def open_requests(core: Core) -> list[approvals.ApprovalView]:
    return await core.read(approvals.list_requests, await login(core, "beispiel2"))


async def test_swap_files_a_request_shown_as_information(demo_core: Core) -> None:
    app = LinedeskApp(demo_core, await login(demo_core, "beispiel"))
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(app, pilot, OLD, "w", SwapDialog)
        app.screen.query_one("#new", Select).value = NEW
        await settle(app, pilot)
        press_confirm(app)
        await enter_code(app, pilot, demo_core)  # R20 first: the requester's own code
        info = await filed_info(app, pilot)
        assert "Rufnummerntausch" in info
        assert not isinstance(app.screen, SwapDialog)
    [request] = await open_requests(demo_core)
    assert (request.action, request.requested_by, request.can_decide) == (
        approvals.SWAP, "beispiel", True)


async def test_assignment_with_traffic_data_deletion_files_a_request(demo_core: Core) -> None:
    requester = await login(demo_core, "beispiel")
    await demo_core.run(numbers.assign, requester, number=OLD, username="beispiel")
    app = LinedeskApp(demo_core, requester)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, OLD, "z", AssignDialog)
        assert isinstance(dialog, AssignDialog)
        await wait_until(pilot, lambda: len(dialog.query_one("#employee", Select)._options) > 1)
        dialog.query_one("#employee", Select).value = "beispiel2"
        dialog.query_one("#delete-traffic", Checkbox).value = True
        await settle(app, pilot)
        press_confirm(app)
        await enter_code(app, pilot, demo_core)
        await filed_info(app, pilot)
    [request] = await open_requests(demo_core)
    assert request.action == approvals.ASSIGN_DELETE
    assert (await demo_core.read(numbers.get_number, requester, number=OLD)).assigned_to == (
        "beispiel")


async def walk_to_generate(app: LinedeskApp, pilot: Any, core: Core) -> CredentialWizardScreen:
    """Beispiel AG's PBX contract, through the warning and the consent to step 4."""
    async with core.uow(readonly=True) as uow:
        cid = await uow.session.scalar(select(Contract.id).where(
            Contract.type == ContractType.CLOUD_PBX_MAIN, Contract.contract_ref.like("V-2000%")))
    assert cid is not None
    wizard = await open_wizard(app, pilot, cid)
    for key in ("w", "w", "c", "w"):
        await pilot.press(key)
        await settle(app, pilot)
    assert wizard.step == 4
    return wizard


async def test_credential_wizard_files_a_request_and_says_so_in_step_5(demo_core: Core) -> None:
    app = LinedeskApp(demo_core, await login(demo_core, "beispiel"))
    async with app.run_test(size=(140, 45)) as pilot:
        wizard = await walk_to_generate(app, pilot, demo_core)
        await pilot.press("g")
        await enter_code(app, pilot, demo_core)
        await filed_info(app, pilot)
        await wait_until(pilot, lambda: wizard.step == 5)
        text = screen_text(app)
        assert "Freigabe beantragt" in text and "Zurück zur Vertragsansicht" in text
        assert "Es wurden neue Internet-Zugangsdaten generiert" not in text
        assert not wizard.query_one("#generate-status").has_class("danger")
    [request] = await open_requests(demo_core)
    assert request.action == approvals.GENERATE
    assert request.delivery and "beispiel" in request.delivery


async def test_scheduled_reset_files_a_request_and_the_dialog_closes(demo_core: Core) -> None:
    app = LinedeskApp(demo_core, await login(demo_core, "beispiel"))
    async with app.run_test(size=(140, 45)) as pilot:
        wizard = await walk_to_generate(app, pilot, demo_core)
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, ResetTimeDialog))
        press_confirm(app)
        await enter_code(app, pilot, demo_core)
        await filed_info(app, pilot)
        await wait_until(pilot, lambda: wizard.step == 5)
        assert app.screen is wizard
        assert "Freigabe beantragt" in screen_text(app)
    [request] = await open_requests(demo_core)
    assert request.action == approvals.SCHEDULE


async def test_policy_switch_in_user_management(demo_core: Core,
                                                actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, await login(demo_core, "beispiel"))
    async with app.run_test(size=SIZE) as pilot:
        await open_users(app, pilot)
        await wait_until(pilot, lambda: "Vier-Augen-Prinzip ist eingeschaltet"
                         in screen_text(app))
        assert "Vier-Augen-Prinzip abschalten (f)" in screen_text(app)
        await pilot.press("f")  # on: turning it off is a request for the second admin
        await filed_info(app, pilot)
        await wait_until(pilot, lambda: "Abschalten beantragt" in screen_text(app))
        assert "Vier-Augen-Prinzip ist eingeschaltet" in screen_text(app)
    [request] = await open_requests(demo_core)
    assert request.action == approvals.POLICY_OFF
    muster = LinedeskApp(demo_core, actors["admin"])  # policy off: on at once
    async with muster.run_test(size=SIZE) as pilot:
        await open_users(muster, pilot)
        await wait_until(pilot, lambda: "Vier-Augen-Prinzip ist abgeschaltet"
                         in screen_text(muster))
        await pilot.press("f")
        await wait_until(pilot, lambda: "Vier-Augen-Prinzip ist eingeschaltet"
                         in screen_text(muster))
    assert (await demo_core.read(approvals.get_policy, actors["admin"])).required is True


async def approve_first_in_the_tui(app: LinedeskApp, pilot: Any) -> str:
    """beispiel2: Fristen, a, f on the only request, confirm; returns the dialog's text."""
    from textual.widgets import DataTable

    from screens.approvals import ApprovalsScreen, DecideDialog

    await pilot.press("5")
    await settle(app, pilot)
    await pilot.press("a")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ApprovalsScreen)
    await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == 1)
    await pilot.press("f")
    await wait_until(pilot, lambda: isinstance(app.screen, DecideDialog))
    text = screen_text(app)
    press_confirm(app)
    return text


async def test_approver_sees_where_the_credentials_go_and_a_changed_contact_refuses(
    demo_core: Core,
) -> None:
    requester = await login(demo_core, "beispiel")
    app = LinedeskApp(demo_core, requester)
    async with app.run_test(size=(140, 45)) as pilot:
        await walk_to_generate(app, pilot, demo_core)
        await pilot.press("g")
        await enter_code(app, pilot, demo_core)
        await filed_info(app, pilot)
    # changed past the services (which withdraw the request at once, see
    # tests/tui/test_approvals_withdrawn.py): the approval-time check is the second line
    await set_contact(demo_core, "beispiel", email="klaus@example.org")
    other = LinedeskApp(demo_core, await login(demo_core, "beispiel2"))
    async with other.run_test(size=SIZE) as pilot:
        text = await approve_first_in_the_tui(other, pilot)
        # refused before any code is asked for: nothing would run with it
        assert "Zustellung wie zugestimmt: beispiel (k.***@beispiel-ag.de" in text
        assert "k.beispiel@beispiel-ag.de" not in text  # masked
        await wait_until(pilot, lambda: any("seit dem Antrag geändert" in m
                                            for m in toasts(other, "error")))
    [done] = await demo_core.read(approvals.list_requests, await login(demo_core, "beispiel2"),
                                  include_done=True)
    assert done.status == "failed"
