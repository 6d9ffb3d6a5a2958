"""Pilot tests of user management: contact change, language, employee accounts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from textual.widgets import DataTable, Input, SelectionList

from core.authz import Actor
from core.models import Account, Number, OutboxMessage
from core.runtime import Core
from screens.users import ConfirmDialog, NewEmployeeDialog, UsersScreen
from tests.tui.pilot_helpers import screen_text, settle
from tui.app import LinedeskApp


async def open_users(app: LinedeskApp, pilot: Any) -> UsersScreen:
    await pilot.press("3")
    await settle(pilot)
    assert isinstance(app.screen, UsersScreen)
    return app.screen


async def account(core: Core, username: str) -> Account:
    async with core.uow(readonly=True) as uow:
        found = await uow.session.scalar(select(Account).where(Account.username == username))
    assert found is not None
    return found


async def outbox_count(core: Core) -> int:
    async with core.uow(readonly=True) as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def notices(app: LinedeskApp) -> str:
    return " | ".join(n.message for n in app._notifications)


async def test_employee_changes_own_contact(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_users(app, pilot)
        assert screen.query_one("#email", Input).value == "mia.schneider@muster-gmbh.de"
        assert screen.query_one("#mobile", Input).value == "+491712345678"
        assert "Administrator-Konto" in screen_text(app)
        assert not screen.query_one("#accounts", DataTable).display
        screen.query_one("#email", Input).value = "mia@neu.example"
        screen.query_one("#current-password", Input).focus()
        await pilot.press(*"falsch!!", "ctrl+s")
        await settle(pilot)
        assert "Passwort ist falsch" in notices(app)
        assert (await account(demo_core, "mia")).email == "mia.schneider@muster-gmbh.de"
        assert screen.query_one("#current-password", Input).value == ""
        await pilot.press(*"mia-demo", "ctrl+s")
        await settle(pilot)
        assert "Kontaktdaten gespeichert" in notices(app)
    assert (await account(demo_core, "mia")).email == "mia@neu.example"
    assert await outbox_count(demo_core) == 1  # the notice to the old address


async def test_invalid_mobile_is_refused(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_users(app, pilot)
        screen.query_one("#mobile", Input).value = "0171-abc"
        screen.query_one("#current-password", Input).value = "mia-demo"
        await pilot.click("#btn-save")
        await settle(pilot)
        assert "keine gültige Mobilfunk-Rufnummer" in notices(app)
    assert (await account(demo_core, "mia")).mobile == "+491712345678"


async def test_language_switch_applies_to_running_session(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(140, 45)) as pilot:
        await open_users(app, pilot)
        assert "Benutzerverwaltung" in screen_text(app)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.actor.locale == "en"
        text = screen_text(app)
        assert "User management" in text and "E-mail address" in text
    assert (await account(demo_core, "mia")).locale == "en"


async def test_admin_resets_and_deactivates_employee(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_users(app, pilot)
        table = screen.query_one("#accounts", DataTable)
        assert set(screen.accounts) == {"admin", "mia", "tom"}
        assert "030 123456100" in screen_text(app)
        table.move_cursor(row=table.get_row_index("tom"))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert await outbox_count(demo_core) == 0
        await pilot.press("r")
        await settle(pilot)
        await pilot.click("#confirm")
        await settle(pilot)
        assert await outbox_count(demo_core) == 1
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#confirm")
        await settle(pilot)
        assert not screen.accounts["tom"].active
    assert not (await account(demo_core, "tom")).active


async def test_admin_creates_employee_with_number(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await open_users(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewEmployeeDialog)
        await pilot.press(*"lea")
        dialog.query_one("#full-name", Input).value = "Lea Neu"
        dialog.query_one("#new-email", Input).value = "lea@muster-gmbh.de"
        dialog.query_one("#new-mobile", Input).value = "0176 0000001"
        choices = dialog.query_one("#new-numbers", SelectionList)
        choices.select("+4930123456106")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        assert "lea" in screen.accounts
        assert screen.accounts["lea"].numbers == ("+4930123456106",)
    async with demo_core.uow(readonly=True) as uow:
        lea = await account(demo_core, "lea")
        assigned = await uow.session.scalar(
            select(Number.e164).where(Number.assigned_account_id == lea.id)
        )
    assert assigned == "+4930123456106" and lea.mobile == "+491760000001"
    assert await outbox_count(demo_core) == 1


async def login_failures(core: Core) -> int:
    from core.models import LoginFailure

    async with core.uow(readonly=True) as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(LoginFailure)) or 0)


async def test_own_typing_mistakes_do_not_count_as_failed_logins(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """Issue 11.10 as mia typed it: a landline as mobile, then the fix, then Enter; and a
    save with the password field left empty. Neither is a failed login."""
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_users(app, pilot)
        mobile = screen.query_one("#mobile", Input)
        password = screen.query_one("#current-password", Input)
        mobile.focus()
        mobile.value = ""
        await pilot.press(*"030 1234567", "tab", *"mia-demo", "ctrl+s")
        await settle(pilot)
        assert "keine Mobilfunk-Rufnummer" in notices(app)
        assert password.value == "mia-demo"  # kept: the mistake was the mobile number
        assert mobile.has_focus
        mobile.value = ""
        await pilot.press(*"0151 12345678", "enter")
        await settle(pilot)
        assert "Kontaktdaten gespeichert" in notices(app)
        assert password.value == ""
        assert (await account(demo_core, "mia")).mobile == "+4915112345678"

        screen.query_one("#email", Input).value = "mia@neu.example"
        await pilot.click("#btn-save")
        await settle(pilot)
        assert "Bitte aktuelles Passwort eingeben" in notices(app)
        assert "Passwort ist falsch" not in notices(app)
        assert password.has_focus
    assert await login_failures(demo_core) == 0
    assert (await account(demo_core, "mia")).email == "mia.schneider@muster-gmbh.de"


async def test_employee_sees_own_calls_and_fax_credentials(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """SPEC §2: "Meine Anrufe" and "Fax-Zugangsdaten" in mia's user management; not the
    admin's accounts table, and no secret."""
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(120, 60)) as pilot:
        screen = await open_users(app, pilot)
        text = screen_text(app)
        assert "Meine Anrufe" in text and "030 123456102" in text and "+4930123405XXX" in text
        assert screen.query_one("#calls", DataTable).row_count == 6
        assert "Fax-Zugangsdaten" in text and "030 123456110" in text
        assert "fax4930123456110-mia" in text and "persönlich" in text
        assert "argon2" not in text
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(120, 60)) as pilot:
        screen = await open_users(app, pilot)
        assert not screen.query_one("#calls", DataTable).display
        assert "Meine Anrufe" not in screen_text(app)


async def test_deactivated_account_is_marked_on_a_narrow_terminal(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from core.services import users

    await demo_core.run(users.deactivate_employee, actors["admin"], username="tom")
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(80, 30)) as pilot:
        await open_users(app, pilot)
        line = next(row for row in screen_text(app).splitlines() if " tom " in row)
        assert "deaktiviert" in line


async def test_confirm_dialog_enter_confirms_and_escape_cancels(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_users(app, pilot)
        table = screen.query_one("#accounts", DataTable)
        table.move_cursor(row=table.get_row_index("tom"))
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.focused is not None and dialog.focused.id == "confirm"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and await outbox_count(demo_core) == 0
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and await outbox_count(demo_core) == 1
        assert "Neues Passwort für tom" in notices(app)


async def test_employee_without_fax_credentials_is_told_so(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["tom"])
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await open_users(app, pilot)
        assert "Fax credentials" in screen_text(app) and "none received yet" in screen_text(app)
        assert not screen.query_one("#faxes", DataTable).display
        assert screen.query_one("#calls", DataTable).row_count == 1  # tom's one call
