"""Pilot tests of the local login screen (``linedesk tui``)."""

from __future__ import annotations

from core.runtime import Core
from tests.tui.pilot_helpers import settle
from tui.local import LoginApp


async def test_login_screen_rejects_then_accepts(demo_core: Core) -> None:
    app = LoginApp(demo_core)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#username")
        await pilot.press(*"admin")
        await pilot.press("enter")
        await pilot.press(*"wrong")
        await pilot.press("enter")
        await settle(pilot)
        error = str(app.screen.query_one("#login-error").render())
        assert "fehlgeschlagen" in error
        await pilot.press(*"admin-demo")
        await pilot.press("enter")
        await pilot.pause()  # the app exits with the actor
    assert app.return_value is not None
    assert app.return_value.username == "admin"
    assert app.return_value.source_address == "local"


async def test_login_screen_requires_both_fields(demo_core: Core) -> None:
    app = LoginApp(demo_core)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#login")
        await settle(pilot)
        assert "Bitte Benutzername" in str(app.screen.query_one("#login-error").render())
        await pilot.press("ctrl+q")
    assert app.return_value is None


async def test_local_login_refuses_a_locked_account_only_after_the_password(
    demo_core: Core,
) -> None:
    """R25 at the console: the same gate as SSH. A wrong password says only "failed" (a lock
    is no oracle); the right one shows the lock with its reason, no sign-in is recorded."""
    from sqlalchemy import select

    from core.models import AuditEvent
    from core.services import locks

    async with demo_core.uow() as uow:
        await locks.operator_lock(uow, username="mia", reason="Laptop gestohlen",
                                  operator="root")
    app = LoginApp(demo_core)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#username")
        await pilot.press(*"mia", "enter", *"wrong", "enter")
        await settle(pilot)
        error = str(app.screen.query_one("#login-error").render())
        assert "fehlgeschlagen" in error and "gesperrt" not in error
        await pilot.press(*"mia-demo", "enter")
        await settle(pilot)
        error = str(app.screen.query_one("#login-error").render())
        assert "Ihr Zugang ist gesperrt (Grund: Laptop gestohlen)" in error
        assert app.is_running
        await pilot.press("ctrl+q")
    assert app.return_value is None
    async with demo_core.uow(readonly=True) as uow:
        actions = list(await uow.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target == "mia")))
    assert "session.login_locked" in actions and "session.login" not in actions


async def test_live_local_portal_ends_with_the_notice_when_locked(demo_core: Core) -> None:
    """The local portal of a signed-in account exits (code 1) with the lock notice."""
    import asyncio

    from core.services import locks
    from tests.conftest import login
    from tui.app import LinedeskApp
    from tui.local import end_when_locked

    mia = await login(demo_core, "mia")
    app = LinedeskApp(demo_core, mia)
    async with app.run_test(size=(120, 40)) as pilot:
        watch = asyncio.create_task(end_when_locked(demo_core, app, mia))
        await settle(pilot)
        assert not watch.done()
        async with demo_core.uow() as uow:
            await locks.operator_lock(uow, username="mia", reason="Kündigung", operator="root")
        notice = await asyncio.wait_for(watch, 30)
        await pilot.pause()  # the app exits
    assert notice == ("Ihr Zugang wurde gesperrt (Grund: Kündigung). "
                      "Die Sitzung wurde beendet.")
    assert app.return_code == 1
