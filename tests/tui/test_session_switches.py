"""Pilot tests: a language or view-mode switch applies at once to every screen of the
session, the open ones included (SPEC §8), whichever screen it was made on."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox

from core.authz import Actor
from core.runtime import Core
from tests.tui.pilot_helpers import notifications, screen_text, settle, wait_until
from tui.app import LinedeskApp

SIZE = (160, 45)

# a few texts of each screen, German and English: header title, a column, a button, a key
TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "home": {"de": ("linedesk  Start ", "1 Verträge", "? Hilfe"),
             "en": ("linedesk  Home ", "1 Contracts", "? Help")},
    "contracts": {"de": ("Vertragsübersicht", "Kundennr.", "weiter (w)", "/ Filtern w weiter"),
                  "en": ("Contract overview", "Cust. no.", "next (w)", "/ Filter w next")},
    "numbers": {"de": ("Rufnummern-Verwaltung", "Mitarbeiter", "Monatlich", "s Sortieren "),
                "en": ("Number management", "Employee", "Monthly", "s Sort ")},
    "porting": {"de": ("Rufnummern portieren", "Wunschtermin", "Zurück (Esc)", "esc Zurück"),
                "en": ("Port numbers", "Wished date", "Back (Esc)", "esc Back")},
    "audit": {"de": ("linedesk  Archiv ", "Zeitpunkt", "Mehr laden (m)", "m Mehr laden"),
              "en": ("linedesk  Audit log ", "Time", "Load more (m)", "m Load more")},
    "users": {"de": ("Mein Profil", "Neuer Mitarbeiter (n)", "Kontaktdaten speichern"),
              "en": ("My profile", "New employee (n)", "Save contact details")},
}
GLOBAL = {"de": ("1 Verträge", "4 Archiv", "? Hilfe", "Ansichtsmodus: "),
          "en": ("1 Contracts", "4 Audit log", "? Help", "View mode: ")}


def assert_language(text: str, screen: str, locale: str) -> None:
    other = "en" if locale == "de" else "de"
    for expected in TEXTS[screen][locale] + GLOBAL[locale]:
        assert expected in text, f"{screen}: {expected!r} missing ({locale})\n{text}"
    for stale in TEXTS[screen][other] + GLOBAL[other]:
        assert stale not in text, f"{screen}: {stale!r} left over ({other})\n{text}"


async def press(pilot: Pilot[None], *keys: str) -> str:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    return screen_text(pilot.app)


async def open_every_screen(pilot: Pilot[None]) -> None:
    """Home, contracts, the dashboard with the porting screen on top, audit, users."""
    await settle(pilot)
    await press(pilot, "1", "2", "p", "4", "3")


async def assert_every_screen(pilot: Pilot[None], locale: str) -> None:
    """Walk every open screen (porting still on top of the dashboard) and read it."""
    assert_language(await press(pilot, "3"), "users", locale)
    assert_language(await press(pilot, "1"), "contracts", locale)
    assert_language(await press(pilot, "4"), "audit", locale)
    assert_language(await press(pilot, "2"), "porting", locale)
    assert_language(await press(pilot, "escape"), "numbers", locale)
    assert_language(await press(pilot, "p"), "porting", locale)
    app = pilot.app
    app.switch_mode("home")
    await settle(pilot)
    assert_language(screen_text(app), "home", locale)


async def test_language_switch_in_user_management_reaches_every_open_screen(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        await open_every_screen(pilot)
        await press(pilot, "ctrl+l")  # on the users screen: its own language key
        await wait_until(pilot, lambda: app.actor.locale == "en")
        await assert_every_screen(pilot, "en")
        await press(pilot, "3", "ctrl+l")
        await wait_until(pilot, lambda: app.actor.locale == "de")
        await assert_every_screen(pilot, "de")


async def test_global_language_key_from_any_screen(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        await open_every_screen(pilot)
        await press(pilot, "2", "ctrl+l")  # on the porting screen
        await wait_until(pilot, lambda: app.actor.locale == "en")
        assert "Language changed." in notifications(app)
        await assert_every_screen(pilot, "en")
        await press(pilot, "1", "ctrl+l")  # on the contracts screen, back to German
        await wait_until(pilot, lambda: app.actor.locale == "de")
        await assert_every_screen(pilot, "de")
    # stored in the profile: the next session starts in it
    from core.services import users

    profile = await demo_core.read(users.get_profile, actors["admin"])
    assert profile.locale == "de"


async def test_view_mode_switch_rebuilds_open_screens(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "V-1000001-0001" in await press(pilot, "1")
        assert "030 123456100" in await press(pilot, "2")
        await press(pilot, "3", "v")  # switched on the users screen
        text = screen_text(app)
        assert "Ansichtsmodus: Anwender-Ansicht" in text and "Neuer Mitarbeiter" not in text

        text = await press(pilot, "1")  # the core shows the user view no contracts
        assert "Ansichtsmodus: Anwender-Ansicht" in text
        assert "V-1000001-0001" not in text and "nur dem Administrator-Konto" in text

        text = await press(pilot, "2")  # the user view: only the admin's own numbers
        assert "Ansichtsmodus: Anwender-Ansicht" in text
        assert "040 123456200" in text and "030 123456100" not in text
        app.clear_notifications()
        await press(pilot, "d")  # an admin action: refused with the reason, not silently
        assert "Nur das Administrator-Konto (Admin-Ansicht)" in notifications(app)

        await press(pilot, "v")  # back, switched on the dashboard
        text = screen_text(app)
        assert "Ansichtsmodus: Admin-Ansicht" in text and "030 123456100" in text
        text = await press(pilot, "1")
        assert "Ansichtsmodus: Admin-Ansicht" in text and "V-1000001-0001" in text
        assert "Neuer Mitarbeiter" in await press(pilot, "3")


async def test_keys_of_impossible_actions_say_why(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["support"])  # no customer open yet
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#hits").focus()  # not the search field: keys are commands
        await press(pilot, "2")
        assert app.current_mode == "customers"
        assert "bitte zuerst einen Kunden öffnen" in notifications(app)
        app.clear_notifications()
        await press(pilot, "v")  # support has no view switch: says so
        assert "Support" in notifications(app)


async def test_open_wizard_and_areas_follow_the_language_and_keep_their_state(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from core.models import ContractType
    from screens.credential_wizard import CredentialWizardScreen
    from tests.tui.test_credential_wizard import contract_id, open_wizard

    cid = await contract_id(demo_core, ContractType.COMPANYFLEX_MSN_COMPLETE)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2", "b")  # the areas screen on the dashboard
        assert "PIN-Brief anfordern" in screen_text(app)
        wizard = await open_wizard(app, pilot, cid)
        await press(pilot, "w", "w", "c")  # step 3, consent given
        assert wizard.step == 3 and "Schritt 3 von 5" in screen_text(app)
        await press(pilot, "ctrl+l")
        await wait_until(pilot, lambda: app.actor.locale == "en")
        await settle(pilot)
        text = screen_text(app)
        assert isinstance(app.screen, CredentialWizardScreen) and wizard.step == 3
        assert "Step 3 of 5" in text and "Yes, I agree (c)" in text and "Schritt" not in text
        assert wizard.query_one("#consent", Checkbox).value  # still given
        await press(pilot, "w")  # and on from there
        assert wizard.step == 4
        await press(pilot, "2")
        text = screen_text(app)
        assert "Request PIN letter" in text and "PIN-Brief anfordern" not in text


async def test_language_switch_during_a_write_shows_its_result(
    demo_core: Core, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctrl+l while the wizard generates: the write is not cut off, the wizard shows its
    result (step 5), then in English."""
    import asyncio

    from core.models import ContractType
    from core.services import credentials
    from tests.stepup_helpers import set_policy
    from tests.tui.test_credential_wizard import contract_id, open_wizard

    await set_policy(demo_core, actors["admin"], required=False)  # no code dialog (R20)
    release = asyncio.Event()
    generate = credentials.generate

    async def held_generate(*args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await generate(*args, **kwargs)

    monkeypatch.setattr(credentials, "generate", held_generate)
    cid = await contract_id(demo_core, ContractType.COMPANYFLEX_MSN_COMPLETE)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(app, pilot, cid)
        await press(pilot, "w", "w", "c", "w")
        await pilot.press("g")
        await wait_until(pilot, lambda: wizard.busy)
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: app.actor.locale == "en")
        release.set()
        await settle(pilot)
        assert wizard.step == 5 and wizard.result is not None
        text = screen_text(app)
        assert "Step 5 of 5" in text and "Schritt" not in text
