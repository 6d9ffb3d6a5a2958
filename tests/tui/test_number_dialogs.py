"""Pilot tests of every number dialog: confirm does exactly the action, cancel changes
nothing, a concurrent change ends in a clear conflict."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, Select, SelectionList

from core.authz import Actor
from core.models import AuditEvent, CallRecord, Charge, OutboxMessage
from core.runtime import Core
from core.services import numbers
from screens.number_dialogs import (
    ActivateDialog,
    AssignDialog,
    DeactivateDialog,
    FaxCredentialsDialog,
    ForwardingDialog,
    SwapDialog,
    UndoDeactivationDialog,
)
from tests.tui.pilot_helpers import screen_text
from tests.tui.stepup_pilot import enter_code, press_confirm
from tests.tui.test_number_dashboard import open_dashboard, row_text, select_number, settle
from tui.app import LinedeskApp

MIA_MAIN = "+4930123456100"
TOM_NUMBER = "+4930123456101"
PENDING = "+4930123456103"
INACTIVE = "+4930123456104"
PERSONAL_FAX = "+4930123456110"
SHARED_FAX = "+4930123456111"
SIZE = (160, 45)


async def count(core: Core, model: type, *where: object) -> int:
    async with core.uow(readonly=True) as uow:
        return int(
            await uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )


async def status_of(core: Core, actor: Actor, e164: str) -> numbers.NumberView:
    return await core.read(numbers.get_number, actor, number=e164)


async def open_dialog(
    app: LinedeskApp, pilot: Pilot[None], e164: str, key: str, dialog: type
) -> object:
    screen = await open_dashboard(app, pilot)
    await select_number(screen, pilot, e164)
    await pilot.press(key)
    await settle(app, pilot)
    assert isinstance(app.screen, dialog), app.screen
    return app.screen


@asynccontextmanager
async def dialog_session(
    core: Core, actor: Actor, e164: str, key: str, dialog: type, size: tuple[int, int] = SIZE
) -> AsyncIterator[tuple[LinedeskApp, Pilot[None]]]:
    """A session of ``actor`` with the dashboard's ``key`` dialog open for ``e164``."""
    app = LinedeskApp(core, actor)
    async with app.run_test(size=size) as pilot:
        await open_dialog(app, pilot, e164, key, dialog)
        yield app, pilot


async def click(app: LinedeskApp, pilot: Pilot[None], button_id: str) -> None:
    button = app.screen.query_one(f"#{button_id}", Button)
    assert not button.disabled, button_id
    button.press()
    await settle(app, pilot)


async def test_activate_shows_prices_and_charges_on_confirm(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with dialog_session(demo_core, admin, INACTIVE, "a", ActivateDialog) as (app, pilot):
        text = screen_text(app)
        assert "Einmalig: 9,95\u00a0€" in text and "Monatlich: 2,50\u00a0€" in text
        assert "Rufnummer jetzt kostenpflichtig aktivieren" in text and "Abbrechen" in text
        await click(app, pilot, "cancel")
        assert not isinstance(app.screen, ActivateDialog)
        assert (await status_of(demo_core, admin, INACTIVE)).status == "inactive"
        assert await count(demo_core, Charge) == 0

        await pilot.press("a")
        await settle(app, pilot)
        await click(app, pilot, "confirm")
        assert (await status_of(demo_core, admin, INACTIVE)).status == "active"
        assert await count(demo_core, Charge, Charge.amount_cents == 995) == 1
        assert row_text(app.screen, INACTIVE)[5] == "aktiv"  # type: ignore[arg-type]


async def test_activate_conflict_when_someone_else_was_faster(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with dialog_session(demo_core, admin, INACTIVE, "a", ActivateDialog) as (app, pilot):
        await demo_core.run(numbers.activate, admin, number=INACTIVE)  # a second admin session
        await click(app, pilot, "confirm")
        assert not isinstance(app.screen, ActivateDialog)
        assert await count(demo_core, Charge) == 1  # charged once, not twice
        notes = [n.message for n in app._notifications]
        assert any("von jemand anderem geändert" in m for m in notes), notes


async def test_deactivate_shows_date_and_cancel_keeps_active(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with dialog_session(demo_core, admin, TOM_NUMBER, "d", DeactivateDialog) as (app, pilot):
        text = screen_text(app)
        assert "31.12.2026" in text and "Rufnummer jetzt deaktivieren" in text
        await pilot.press("escape")
        await settle(app, pilot)
        assert (await status_of(demo_core, admin, TOM_NUMBER)).status == "active"
        await pilot.press("d")
        await settle(app, pilot)
        await click(app, pilot, "confirm")
        view = await status_of(demo_core, admin, TOM_NUMBER)
        assert (view.status, str(view.deactivation_date)) == ("pending_deactivation", "2026-12-31")
        row = row_text(app.screen, TOM_NUMBER)  # type: ignore[arg-type]
        assert row[0] == "!" and "31.12.2026" in row


async def test_undo_deactivation(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    async with dialog_session(
        demo_core, admin, PENDING, "u", UndoDeactivationDialog
    ) as (app, pilot):
        assert "31.12.2026" in screen_text(app)
        await click(app, pilot, "cancel")
        assert (await status_of(demo_core, admin, PENDING)).status == "pending_deactivation"
        await pilot.press("u")
        await settle(app, pilot)
        await click(app, pilot, "confirm")
        assert (await status_of(demo_core, admin, PENDING)).status == "active"
        assert row_text(app.screen, PENDING)[0] == ""  # type: ignore[arg-type]


async def test_swap_warns_then_offers_forwarding(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    async with dialog_session(demo_core, admin, MIA_MAIN, "w", SwapDialog) as (app, pilot):
        dialog = app.screen
        text = screen_text(app)
        assert "unwiderruflich gelöscht" in text and "Rufnummerntausch jetzt abschließen" in text
        assert dialog.query_one("#old", Select).value == MIA_MAIN
        # no new number chosen yet: Enter (focus starts on the first field) says why
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, SwapDialog)
        assert "Bitte die inaktive Rufnummer wählen" in screen_text(app)
        await click(app, pilot, "cancel")
        assert (
            await status_of(demo_core, admin, MIA_MAIN)
        ).forwarding_target == "sip:mia@muster-gmbh.de"

        await pilot.press("w")
        await settle(app, pilot)
        app.screen.query_one("#new", Select).value = INACTIVE
        await settle(app, pilot)
        press_confirm(app)
        await enter_code(app, pilot, demo_core)  # R20: the code from the SMS
        assert isinstance(app.screen, ForwardingDialog)
        assert "Später" in screen_text(app)
        old = await status_of(demo_core, admin, MIA_MAIN)
        new = await status_of(demo_core, admin, INACTIVE)
        assert (old.status, old.forwarding_target, new.status, new.assigned_to) == (
            "inactive", None, "active", "mia")
        assert await count(demo_core, Charge) == 0

        box = app.screen.query_one("#target", Input)
        box.value = "sip:nohost"
        await click(app, pilot, "confirm")
        assert isinstance(app.screen, ForwardingDialog)  # stays open with the message
        assert "kein gültiges Weiterleitungsziel" in screen_text(app)
        box.value = "sip:mia-tisch@muster-gmbh.de"
        await click(app, pilot, "confirm")
        assert not isinstance(app.screen, ForwardingDialog)
        assert (
            await status_of(demo_core, admin, INACTIVE)
        ).forwarding_target == "sip:mia-tisch@muster-gmbh.de"


async def test_forwarding_later_changes_nothing(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    async with dialog_session(demo_core, admin, TOM_NUMBER, "r", ForwardingDialog) as (app, pilot):
        app.screen.query_one("#target", Input).value = "sip:tom@muster-gmbh.de"
        await click(app, pilot, "cancel")
        assert (await status_of(demo_core, admin, TOM_NUMBER)).forwarding_target is None
        assert await count(demo_core, AuditEvent, AuditEvent.target == TOM_NUMBER) == 0


async def test_assign_shows_current_user_and_deletes_traffic_data(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    mia_calls = (CallRecord.account_id == actors["mia"].account_id, CallRecord.deleted.is_(False))
    async with dialog_session(demo_core, admin, MIA_MAIN, "z", AssignDialog) as (app, pilot):
        text = screen_text(app)
        assert "Diese Rufnummer nutzt momentan: Mia Schneider (mia)" in text
        assert "Verkehrsdaten löschen" in text
        app.screen.query_one("#employee", Select).value = "tom"
        app.screen.query_one("#delete-traffic", Checkbox).value = True
        await settle(app, pilot)
        await click(app, pilot, "cancel")
        assert (await status_of(demo_core, admin, MIA_MAIN)).assigned_to == "mia"
        assert await count(demo_core, CallRecord, *mia_calls) == 6

        await pilot.press("z")
        await settle(app, pilot)
        options = [v for _, v in app.screen.query_one("#employee", Select)._options]
        assert "mia" not in options and "tom" in options
        app.screen.query_one("#employee", Select).value = "tom"
        app.screen.query_one("#delete-traffic", Checkbox).value = True
        await settle(app, pilot)
        press_confirm(app)
        await enter_code(app, pilot, demo_core)  # R20: the code from the SMS
        assert (await status_of(demo_core, admin, MIA_MAIN)).assigned_to == "tom"
        assert await count(demo_core, CallRecord, *mia_calls) == 2  # the other number's calls stay
        assert "Tom Becker" in row_text(app.screen, MIA_MAIN)  # type: ignore[arg-type]


async def test_assign_without_deleting_keeps_call_records(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with dialog_session(demo_core, admin, MIA_MAIN, "z", AssignDialog) as (app, pilot):
        app.screen.query_one("#employee", Select).value = "admin"
        await settle(app, pilot)
        await click(app, pilot, "confirm")
    assert (await status_of(demo_core, admin, MIA_MAIN)).assigned_to == "admin"
    assert await count(demo_core, CallRecord, CallRecord.deleted.is_(True)) == 0


async def test_fax_personal_is_locked_to_owner(demo_core: Core, actors: dict[str, Actor]) -> None:
    async with dialog_session(
        demo_core, actors["admin"], PERSONAL_FAX, "f", FaxCredentialsDialog
    ) as (app, pilot):
        assert "Persönliche Faxnummer von mia" in screen_text(app)
        recipients = app.screen.query_one("#recipients", SelectionList)
        assert (
            recipients.disabled and recipients.selected == ["mia"] and recipients.option_count == 1
        )
        await click(app, pilot, "cancel")
        assert await count(demo_core, OutboxMessage) == 0
        await pilot.press("f")
        await settle(app, pilot)
        assert "Zugangsdaten an Mitarbeiter versenden" in screen_text(app)
        await click(app, pilot, "confirm")
        assert await count(demo_core, OutboxMessage) == 1
        assert any("versendet an: mia" in n.message for n in app._notifications)


async def test_fax_shared_sends_to_chosen_employees(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with dialog_session(
        demo_core, actors["admin"], SHARED_FAX, "f", FaxCredentialsDialog
    ) as (app, pilot):
        recipients = app.screen.query_one("#recipients", SelectionList)
        assert not recipients.disabled and recipients.selected == []
        await pilot.press("ctrl+s")  # nobody chosen: says why instead of nothing
        await settle(app, pilot)
        assert "Bitte mindestens einen Mitarbeiter auswählen" in screen_text(app)
        recipients.select("tom")
        recipients.select("mia")
        await settle(app, pilot)
        await click(app, pilot, "confirm")
        assert await count(demo_core, OutboxMessage) == 2
        choice = await demo_core.read(numbers.fax_recipients, actors["admin"], number=SHARED_FAX)
        assert choice.already_sent_to == ("mia", "tom")


async def test_enter_confirms_and_escape_cancels(demo_core: Core, actors: dict[str, Actor]) -> None:
    """The product-wide dialog rule (kit Dialog): the focus never starts on "Abbrechen",
    Enter confirms, Esc cancels."""
    admin = actors["admin"]
    async with dialog_session(demo_core, admin, INACTIVE, "a", ActivateDialog) as (app, pilot):
        dialog = app.screen
        assert app.focused is not None and app.focused.id != "cancel"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is not dialog
        assert (await status_of(demo_core, admin, INACTIVE)).status == "inactive"
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ActivateDialog)
        assert (await status_of(demo_core, admin, INACTIVE)).status == "active"
        # a dialog with a text field: typing goes there, Enter saves
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, ForwardingDialog)
        await pilot.press(*"+4989123")
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ForwardingDialog)
        assert (await status_of(demo_core, admin, INACTIVE)).forwarding_target == "+4989123"


async def test_language_switch_rebuilds_an_open_dialog_and_the_filtered_dashboard(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """H3's rebuild (screens.base) on the number screens: an open dialog and the
    dashboard under it switch language at once; the dashboard keeps its filter."""
    from dataclasses import replace

    from tests.tui.test_number_dashboard import e164_column

    admin = actors["admin"]
    app = LinedeskApp(demo_core, admin)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        await pilot.press("slash", *"Tom", "enter")
        await settle(app, pilot)
        assert e164_column(screen) == [TOM_NUMBER]  # type: ignore[arg-type]
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, ForwardingDialog)
        app.set_actor(replace(app.actor, locale="en"))
        await settle(app, pilot)
        text = screen_text(app)
        assert "Set up forwarding" in text and "Save forwarding" in text and "Cancel" in text
        assert "Weiterleitung einrichten" not in text and "^s Save forwarding" in text
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        text = screen_text(app)
        assert "Number management" in text and "filter: 'Tom'" in text
        assert e164_column(screen) == [TOM_NUMBER]  # type: ignore[arg-type]


async def test_swap_targets_are_paged_and_filtered(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """The swap dialog reads one page of targets from the core (numbers.swap_options), not
    every number of the customer; the filter line finds the others."""
    from screens.number_dialogs import SWAP_PAGE
    from tests.tui.test_number_dashboard import add_numbers

    admin = actors["admin"]
    await add_numbers(demo_core, admin, 120, active=lambda i: False)
    async with dialog_session(demo_core, admin, MIA_MAIN, "w", SwapDialog) as (app, pilot):
        dialog = app.screen
        new = dialog.query_one("#new", Select)
        assert len(new._options) - 1 == SWAP_PAGE  # the "–" prompt is an option too
        assert f"{SWAP_PAGE} von 123 inaktiven Rufnummern" in screen_text(app)
        box = dialog.query_one("#new-filter", Input)
        box.focus()
        await pilot.press(*"+49305550001")
        await settle(app, pilot)
        values = [v for _, v in new._options if isinstance(v, str)]
        assert values and all(v.startswith("+49305550001") for v in values) and len(values) == 20
        await pilot.press("enter")  # Enter in the filter narrows, it does not confirm
        await settle(app, pilot)
        assert isinstance(app.screen, SwapDialog)
        new.value = "+4930555000105"
        await settle(app, pilot)
        assert app.screen.is_ready  # type: ignore[attr-defined]
