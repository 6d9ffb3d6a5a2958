"""Pilot test of R25 in user management: the admin locks an employee with a reason (key l,
the reason dialog), the table shows it, the same key unlocks after a confirmation."""

from __future__ import annotations

from textual.widgets import DataTable

from core.authz import Actor
from core.runtime import Core
from core.services import locks
from screens.users import ConfirmDialog, LockDialog
from tests.tui.pilot_helpers import screen_text, settle
from tests.tui.test_users_screen import account, notices, open_users
from tui.app import LinedeskApp


async def test_admin_locks_and_unlocks_employee_by_key(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_users(app, pilot)
        table = screen.query_one("#accounts", DataTable)
        table.move_cursor(row=table.get_row_index("tom"))
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LockDialog)
        await pilot.press("enter")  # no reason yet: refused on the dialog
        await settle(pilot)
        assert isinstance(app.screen, LockDialog)
        assert "Grund" in screen_text(app)
        await pilot.press(*"Laptop weg", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, LockDialog)
        # „seine Sitzungen“ also for Mia: the account's sessions, whoever it is
        assert "tom ist gesperrt; alle Sitzungen des Kontos werden beendet." in notices(app)
        await settle(pilot)
        assert "gesperrt" in screen_text(app)
        assert (await account(demo_core, "tom")).lock_reason == "Laptop weg"

        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#confirm")
        await settle(pilot)
        assert "tom ist entsperrt" in notices(app)
    assert (await account(demo_core, "tom")).locked_at is None
    async with demo_core.uow(readonly=True) as uow:
        assert await locks.lock_of(uow, actors["tom"].account_id) is None


async def test_the_lock_key_on_the_admins_own_row_says_why_without_a_dialog(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """``l`` on the admin's own row opened „Konto admin sperren“; only after a typed reason
    did the core refuse („Das eigene Konto kann nicht gesperrt werden.“). The screen now asks
    the core (``locks.lock_refusal``) first and shows its reason at once."""
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_users(app, pilot)
        table = screen.query_one("#accounts", DataTable)
        table.move_cursor(row=table.get_row_index("admin"))
        await pilot.press("l")
        await settle(pilot)
        assert not isinstance(app.screen, LockDialog)
        assert "Das eigene Konto kann nicht gesperrt werden." in notices(app)
    assert (await account(demo_core, "admin")).locked_at is None


async def test_support_is_not_offered_the_lock_and_pressing_l_says_why(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """Support never locks (R25; the operator or the customer's admin does), yet its user
    management showed „Sperren/Entsperren (l)“, and ``l`` opened the reason dialog that the
    core then refused. The button is gone for support; the key says why at once."""
    from textual.widgets import Button

    from core.services import support

    agent = await demo_core.run(support.open_customer, actors["support"],
                                customer_number="1000001")
    app = LinedeskApp(demo_core, agent)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert not screen.query_one("#btn-lock", Button).display
        assert screen.query_one("#btn-reset", Button).display  # the others stay
        assert "Sperren/Entsperren" not in screen_text(app)
        table = screen.query_one("#accounts", DataTable)
        table.move_cursor(row=table.get_row_index("tom"))
        table.focus()
        await pilot.press("l")
        await settle(pilot)
        assert not isinstance(app.screen, LockDialog)
        assert "Support kann Konten nicht sperren" in notices(app)
    assert (await account(demo_core, "tom")).locked_at is None
    # the admin still has it
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_users(app, pilot)
        assert screen.query_one("#btn-lock", Button).display
