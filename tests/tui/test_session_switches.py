"""Pilot tests: a language or view-mode switch applies at once to every screen of the
session, the open ones included (SPEC §8), whichever screen it was made on."""

from __future__ import annotations

from textual.pilot import Pilot

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
