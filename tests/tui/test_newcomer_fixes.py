"""What a newcomer found by using the portal with the OpenSSH client (80×24 and 120×40):
refusals cut off, wrong German grammar, audit entries that do not say what was refused."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from core.authz import Actor
from core.errors import PermissionDenied
from core.runtime import Core
from core.services import contracts
from core.services.audit import list_events
from screens.contract_overview import ContractOverviewScreen
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tui.app import LinedeskApp


async def test_employee_refusal_on_contracts_is_whole_at_80x24(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """The summary line wraps: an employee at 80×24 read "… in der Admin-Ansicht" and the
    end of the sentence ("zur Verfügung.") was cut off."""
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, ContractOverviewScreen)
        await wait_until(pilot, lambda: "nur dem Administrator-Konto" in screen_text(app))
        assert "zur Verfügung." in screen_text(app)


async def test_support_search_with_one_hit_says_kunde(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """„1 Kunden gefunden.“ is wrong German: one hit is „1 Kunde gefunden.“"""
    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"Muster", "enter")
        table = app.screen.query_one("#hits", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        await wait_until(pilot, lambda: "gefunden" in screen_text(app))
        text = screen_text(app)
        assert "1 Kunde gefunden." in text and "1 Kunden gefunden" not in text


@pytest.mark.parametrize(("locale", "expected"), [
    ("de", "Zugriff verweigert: Nur das Administrator-Konto (Admin-Ansicht) darf"),
    ("en", "Access denied: Only the administrator account (admin view) may do this."),
])
async def test_access_denied_entry_says_what_was_refused(
    demo_core: Core, actors: dict[str, Actor], locale: str, expected: str
) -> None:
    """The Archiv showed a bare „Zugriff verweigert“ for every employee who pressed 1: the
    detail line names the refusal the user was shown."""
    with pytest.raises(PermissionDenied):
        await demo_core.run(contracts.list_contracts, actors["mia"])
    events = await demo_core.run(list_events, actors["admin"])
    denied = next(e for e in events if e.action == "access.denied")
    from dataclasses import replace

    assert replace(denied, locale=locale).description.startswith(expected)


async def test_language_key_in_a_dialog_says_why_it_waits(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """ctrl+l (listed in the key bar and the help: "on any screen") did nothing at all in a
    dialog: the language is not switched under an open dialog, and now the user is told so."""
    from screens.users import NewEmployeeDialog
    from tests.tui.pilot_helpers import notifications

    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewEmployeeDialog))
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert "Bitte zuerst den Dialog schließen (Esc)." in notifications(app)
        assert app.actor.locale == "de" and isinstance(app.screen, NewEmployeeDialog)


async def test_code_dialog_placeholder_is_whole(demo_core: Core, actors: dict[str, Actor]) -> None:
    """The step-up code field read „6 Ziffern aus“: its placeholder did not fit."""
    from screens.code_dialog import CodeDialog
    from screens.credential_wizard import CredentialWizardScreen

    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CredentialWizardScreen(contract_id=8))
        await settle(pilot)
        for key in ("w", "w", "c", "w"):
            await pilot.press(key)
            await settle(pilot)
        await pilot.press("g")  # its worker waits for the code dialog: no settle()
        await wait_until(pilot, lambda: isinstance(app.screen, CodeDialog))
        await wait_until(pilot, lambda: "Code an" in screen_text(app))
        assert "6 Ziffern aus der SMS" in screen_text(app)


@pytest.mark.parametrize(("locale", "query"), [
    ("de", "Rufnummer aktiviert"), ("de", "aktiviert"), ("en", "number activated"),
    ("de", "030 123456104"), ("de", "Administrator"),
])
async def test_archiv_filter_finds_the_words_it_shows(
    demo_core: Core, actors: dict[str, Actor], locale: str, query: str
) -> None:
    """The Archiv's filter („Aktion, Benutzer, Objekt …“) matched only the stored codes
    (``number.activated``, ``+4930…``, ``admin``): typing what the table shows — the action
    „Rufnummer aktiviert“, the number „030 123456104“, the role „Administrator“ — found
    nothing."""
    from dataclasses import replace

    from core.services import numbers

    admin = replace(actors["admin"], locale=locale)
    await demo_core.run(numbers.activate, admin, number="+4930123456104")
    events = await demo_core.read(list_events, admin, query=query)
    assert [e.action for e in events if e.action == "number.activated"] == ["number.activated"]


@pytest.mark.parametrize(("locale", "expected"), [
    ("de", "Zum Beenden Strg+Q drücken."), ("en", "Press ctrl+q to quit the portal."),
])
async def test_ctrl_c_hint_is_in_the_users_language(
    demo_core: Core, actors: dict[str, Actor], locale: str, expected: str
) -> None:
    """ctrl+c (pressed by reflex) showed Textual's own English toast „Do you want to quit?
    Press ctrl+q to quit the app“ to a German user."""
    from dataclasses import replace

    app = LinedeskApp(demo_core, replace(actors["admin"], locale=locale))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await settle(pilot)
        shown = [(n.title, n.message) for n in app._notifications]
        assert any(message == expected for _title, message in shown), shown
        assert not any("Do you want to quit" in (title or "") for title, _m in shown)
        if locale == "de":
            assert not any("quit" in message for _t, message in shown), shown


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_home_has_a_button_for_each_key_it_names(
    demo_core: Core, actors: dict[str, Actor], size: tuple[int, int]
) -> None:
    """The start screen says „Tasten 1–5 oder den Schaltflächen“ but had buttons for 1–4
    only: Fristen (5) had none (SPEC §4: every action also has a visible button)."""
    from textual.widgets import Button

    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Tasten 1–5" in text
        for label in ("1 Verträge", "2 Rufnummern", "3 Benutzerverwaltung", "4 Archiv",
                      "5 Fristen"):
            assert label in text.replace("▁", " "), label
        app.screen.query_one("#go-deadlines", Button).press()
        await settle(pilot)
        assert app.current_mode == "deadlines"
