"""R29 in the dashboard: the selected number's emergency location line, the dialog (``n``)
that changes it (field errors at the field, Enter saves, Esc cancels, 80×24 usable), the
activation refused without one (the core's reason), and another session updating live."""

from __future__ import annotations

from sqlalchemy import update
from textual.binding import Binding
from textual.widgets import Input, Static

from core.authz import Actor
from core.models import Number
from core.runtime import Core
from core.services import emergency, numbers
from screens.location_dialog import LocationDialog
from screens.number_dashboard import NumberDashboardScreen
from tests.tui.dashboard_helpers import on_dashboard, press
from tests.tui.pilot_helpers import notifications, screen_text, wait_until
from tests.tui.test_number_dashboard import select_number
from tui.app import LinedeskApp

MIA_MAIN = "+4930123456100"
INACTIVE = "+4930123456104"
SHARED_FAX = "+4930123456111"
BERLIN_SITE = "Friedrichstraße 123, 10117 Berlin"


def location_line(screen: NumberDashboardScreen) -> str:
    return str(screen.query_one("#location", Static).visual)


def field(app: LinedeskApp, name: str) -> Input:
    return app.screen.query_one(f"#location-{name}", Input)


def field_error(app: LinedeskApp, name: str) -> str:
    line = app.screen.query_one(f"#location-{name}-error", Static)
    return str(line.visual) if line.display else ""


def _active(screen: NumberDashboardScreen) -> list[Binding]:
    return [active.binding for active in screen.active_bindings.values()]


def dialog_fits(app: LinedeskApp) -> bool:
    frame = app.screen.query_one("#dialog")
    return frame.max_scroll_y == 0


async def stored_location(core: Core, actor: Actor, number: str = MIA_MAIN) -> str:
    """The number's emergency location as the core has it now (it must have one)."""
    view = await core.read(numbers.get_number, actor, number=number)
    assert view.emergency_location is not None
    return view.emergency_location.text


async def replace_text(app: LinedeskApp, pilot: object, name: str, text: str) -> None:
    box = field(app, name)
    box.value = text


async def test_line_dialog_field_errors_and_save(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with on_dashboard(
        demo_core, admin, size=(80, 24), number=MIA_MAIN
    ) as (app, pilot, screen):
        assert location_line(screen) == f"Notrufstandort: {BERLIN_SITE}"
        await select_number(screen, pilot, SHARED_FAX)
        assert location_line(screen) == "Notrufstandort: – (Faxnummer)"
        await select_number(screen, pilot, MIA_MAIN)
        assert "Notrufstandort (n)" in screen_text(app)
        keys = {(b.key, b.action, b.description) for b in _active(screen)}
        assert ("n", "row_action('location')", "Notrufstandort") in keys  # listed by `?`

        await press(app, pilot, "n")
        assert isinstance(app.screen, LocationDialog)
        text = screen_text(app)
        assert "Notrufstandort ändern" in text and "PLZ im Ortsnetz 030 Berlin" in text
        assert dialog_fits(app)  # 80×24: no scrolling needed
        assert "Notrufstandort speichern" in text  # the buttons fit 80×24
        assert (field(app, "street").value, field(app, "house_number").value) == (
            "Friedrichstraße", "123")
        assert field(app, "postcode").max_length == 5

        # a postcode outside Berlin: the message at the postcode, the dialog stays
        await replace_text(app, pilot, "postcode", "20095")
        await replace_text(app, pilot, "street", "")
        field(app, "city").focus()
        await press(app, pilot, "enter")
        assert isinstance(app.screen, LocationDialog)
        assert field_error(app, "street") == "Bitte die Straße angeben."
        assert field_error(app, "postcode") == ""  # malformed fields first, then the area
        await replace_text(app, pilot, "street", "Am Treptower Park")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, LocationDialog)
        assert field_error(app, "street") == ""
        assert "liegt nicht im Ortsnetz 030 Berlin" in field_error(app, "postcode")
        assert "Notrufstandort speichern" in screen_text(app)  # the buttons still show
        assert app.screen.focused is field(app, "postcode")

        await replace_text(app, pilot, "postcode", "12435")
        await replace_text(app, pilot, "house_number", "28")
        await press(app, pilot, "enter")
        assert not isinstance(app.screen, LocationDialog)
        assert "Notrufstandort von 030 123456100 gespeichert" in notifications(app)
        assert location_line(screen) == "Notrufstandort: Am Treptower Park 28, 12435 Berlin"
    assert await stored_location(demo_core, admin) == "Am Treptower Park 28, 12435 Berlin"


async def test_escape_cancels_and_changes_nothing(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with on_dashboard(
        demo_core, admin, size=(120, 40), number=MIA_MAIN
    ) as (app, pilot, _screen):
        await press(app, pilot, "n")
        await replace_text(app, pilot, "city", "Potsdam")
        await press(app, pilot, "escape")
        assert isinstance(app.screen, NumberDashboardScreen)
    assert await stored_location(demo_core, admin) == BERLIN_SITE


async def test_without_a_location_activation_says_why_and_the_dialog_suggests_the_site(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with demo_core.uow() as uow:
        await uow.session.execute(update(Number).where(Number.e164 == INACTIVE).values(
            emergency_street=None, emergency_house_number=None, emergency_postcode=None,
            emergency_city=None))
    admin = actors["admin"]
    async with on_dashboard(
        demo_core, admin, size=(120, 40), number=INACTIVE
    ) as (app, pilot, screen):
        assert location_line(screen).startswith("Notrufstandort: keiner")
        await press(app, pilot, "a")
        assert isinstance(app.screen, NumberDashboardScreen)  # no price dialog
        assert "hat keinen Notrufstandort" in notifications(app)

        await press(app, pilot, "n")
        assert "Vorschlag: die Adresse des Standorts" in screen_text(app)
        assert field(app, "street").value == "Friedrichstraße"
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, NumberDashboardScreen)
        assert location_line(screen) == f"Notrufstandort: {BERLIN_SITE}"
        assert screen.selected is not None and screen.selected.allows("activate")


async def test_a_change_in_another_session_shows_at_once(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with on_dashboard(
        demo_core, admin, size=(120, 40), number=MIA_MAIN
    ) as (_app, pilot, screen):
        await demo_core.run(emergency.set_location, admin, number=MIA_MAIN,
                            street="Am Treptower Park", house_number="28", postcode="12435",
                            city="Berlin")
        await wait_until(pilot, lambda: "Treptower" in location_line(screen))
