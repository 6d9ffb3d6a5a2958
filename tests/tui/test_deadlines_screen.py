"""Pilot tests of Fristen (key 5, R22): the list by date, undo from the list (and the
dashboard shows the number active), a refusal says why, live updates from another
session, the language switch and the employee's own scope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from textual.pilot import Pilot
from textual.widgets import DataTable

from core.authz import Actor
from core.clock import FixedClock
from core.runtime import Core
from core.services import numbers
from screens.deadlines import DeadlinesScreen, ResolveDialog
from screens.number_dashboard import NumberDashboardScreen
from tests.tui.pilot_helpers import notifications, screen_text, wait_until
from tests.tui.pilot_helpers import settle as settle_pilot
from tui.app import LinedeskApp

PENDING = "+4930123456103"
SIZE = (160, 45)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await settle_pilot(pilot)


async def open_deadlines(app: LinedeskApp, pilot: Pilot[None]) -> DeadlinesScreen:
    await pilot.press("5")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, DeadlinesScreen)
    return screen


@asynccontextmanager
async def deadlines_session(
    core: Core, actor: Actor
) -> AsyncIterator[tuple[LinedeskApp, Pilot[None], DeadlinesScreen]]:
    """A session of ``actor`` with Fristen open (key 5)."""
    app = LinedeskApp(core, actor)
    async with app.run_test(size=SIZE) as pilot:
        yield app, pilot, await open_deadlines(app, pilot)


def rows(screen: DeadlinesScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def select(screen: DeadlinesScreen, pilot: Pilot[None], key: str) -> None:
    table = screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(key), animate=False)
    await settle(pilot)


async def open_resolve(screen: DeadlinesScreen, pilot: Pilot[None], key: str) -> None:
    """The deadline ``key`` selected, ``u``: until its dialog (undo, cancel) is open."""
    await select(screen, pilot, key)
    await pilot.press("u")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ResolveDialog))


async def test_key_5_lists_the_deadlines_by_date(demo_core: Core, actors: dict[str, Actor]) -> None:
    async with deadlines_session(demo_core, actors["admin"]) as (app, pilot, screen):
        assert app.current_mode == "deadlines"
        assert rows(screen) == [
            ["19.12.2026", "28", "Portierung",
             "Auftrag SIM-000001: 1 Rufnummer(n) 030 987654321 von Alt-Telefon GmbH",
             "bestätigter Termin 19.12.2026"],
            ["31.12.2026", "40", "Deaktivierung", "Rufnummer 030 123456103 (Berlin)",
             "aktiv bis einschließlich 31.12.2026, danach deaktiviert"],
        ]
        text = screen_text(app)
        assert "Fristen" in text and "5 Fristen" in text.splitlines()[SIZE[1] - 1]
        # the confirmed porting order cannot be cancelled any more: u says why (R31)
        await select(screen, pilot, "porting:1")
        await pilot.press("u")
        await settle(pilot)
        assert not isinstance(app.screen, ResolveDialog)
        assert "bestätigter Auftrag kann nicht mehr storniert werden" in notifications(app)


async def test_undo_a_pending_deactivation_from_the_list(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with deadlines_session(demo_core, actors["admin"]) as (app, pilot, screen):
        await open_resolve(screen, pilot, f"deactivation:{PENDING}")
        assert "bleibt aktiv" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert [r[2] for r in rows(screen)] == ["Portierung"]
        assert "Deaktivierung zurückgenommen" in notifications(app)
        await pilot.press("2")
        await settle(pilot)
        dashboard = app.screen
        assert isinstance(dashboard, NumberDashboardScreen)
        table = dashboard.query_one("#numbers")
        row = [str(c) for c in table.get_row(dashboard._keys[PENDING])]
        assert "aktiv" in row and "31.12.2026" not in row
    view = await demo_core.read(numbers.get_number, actors["admin"], number=PENDING)
    assert view.status == "active"


async def test_cancelling_the_dialog_changes_nothing(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with deadlines_session(demo_core, actors["admin"]) as (_app, pilot, screen):
        await open_resolve(screen, pilot, f"deactivation:{PENDING}")
        await pilot.press("escape")
        await settle(pilot)
        assert len(rows(screen)) == 2
    view = await demo_core.read(numbers.get_number, actors["admin"], number=PENDING)
    assert view.status == "pending_deactivation"


async def test_change_in_another_session_appears_live(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    other = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot, other.run_test(size=SIZE) as other_pilot:
        screen = await open_deadlines(app, pilot)
        assert len(rows(screen)) == 2
        # another session marks a number for deactivation through its dashboard
        await other_pilot.press("2")
        await settle(other_pilot)
        await other.core.run(numbers.deactivate, other.actor, number="+4930123456106")
        await wait_until(pilot, lambda: len(rows(screen)) == 3)
        assert "Rufnummer 030 123456106 (Berlin)" in [r[3] for r in rows(screen)]
        # ... and takes it back: gone here too
        await other.core.run(numbers.undo_deactivation, other.actor, number="+4930123456106")
        await wait_until(pilot, lambda: len(rows(screen)) == 2)
        # a change while another mode is shown is there on return
        await pilot.press("1")
        await settle(pilot)
        await other.core.run(numbers.deactivate, other.actor, number="+4930123456106")
        await pilot.press("5")
        await wait_until(pilot, lambda: len(rows(screen)) == 3)


async def test_language_switch_rebuilds_the_list(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with deadlines_session(demo_core, actors["admin"]) as (app, pilot, screen):
        await pilot.press("ctrl+l")
        await wait_until(
            pilot, lambda: bool(rows(screen)) and rows(screen)[-1][2] == "Deactivation"
        )
        await settle(pilot)
        assert rows(screen)[-1][:4] == ["31/12/2026", "40", "Deactivation",
                                        "Number 030 123456103 (Berlin)"]
        text = screen_text(app)
        assert "Deadlines" in text and "Every deadline of the customer." in text
        assert "5 Deadlines" in text.splitlines()[SIZE[1] - 1]


async def test_employee_sees_own_scope_and_why_not(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    await demo_core.run(numbers.deactivate, actors["admin"], number="+4930123456102")  # mia's
    async with deadlines_session(demo_core, actors["mia"]) as (app, pilot, screen):
        assert [r[3] for r in rows(screen)] == ["Rufnummer 030 123456102 (Berlin)"]
        assert "die Deaktivierungen Ihrer eigenen Rufnummern" in screen_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert not isinstance(app.screen, ResolveDialog)
        assert "(Admin-Ansicht)" in notifications(app)


async def test_palette_and_help_offer_fristen(demo_core: Core, actors: dict[str, Actor]) -> None:
    from tests.tui.test_app_shell import open_help, open_palette, palette_search

    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await open_palette(pilot)
        assert "Fristen" in await palette_search(pilot, "Frist")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.current_mode == "deadlines")
        await settle(pilot)
        await open_help(pilot)
        text = screen_text(app)
        assert "Zurücknehmen" in text and "Fristen" in text


async def test_cancel_a_scheduled_reset_from_the_list(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from core.services import credentials
    from tests.stepup_helpers import run_with_code
    from tests.unit.test_deadlines import pbx_contract

    admin = actors["admin"]
    at = datetime(2026, 11, 21, 21, 0, tzinfo=UTC)  # tonight 22:00 Berlin
    reset = await run_with_code(demo_core, credentials.schedule, admin,
                                contract_id=await pbx_contract(demo_core), at=at, consent=True)
    async with deadlines_session(demo_core, admin) as (app, pilot, screen):
        first = rows(screen)[0]
        assert first[:3] == ["21.11.2026", "heute", "Neuvergabe der Zugangsdaten"]
        assert "am 21.11.2026 22:00 an admin" in first[4]
        await open_resolve(screen, pilot, f"reset:{reset.id}")
        assert "werden nicht erzeugt" in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(rows(screen)) == 2)
        assert "Geplante Neuvergabe der Zugangsdaten storniert" in notifications(app)
    assert await demo_core.read(credentials.list_scheduled, admin) == []


async def test_days_left_count_down_at_midnight_without_an_event(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 21, 22, 59, 59, tzinfo=UTC))  # 23:59:59 in Berlin
    async with deadlines_session(demo_core, actors["admin"]) as (_app, pilot, screen):
        assert [r[1] for r in rows(screen)] == ["28", "40"]
        clock.set(datetime(2026, 11, 21, 23, 0, 0, tzinfo=UTC))  # midnight: the 22nd
        await wait_until(pilot, lambda: [r[1] for r in rows(screen)] == ["27", "39"])


async def test_support_is_asked_for_a_reason_before_undoing(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from screens.reason_dialog import ReasonDialog
    from tests.tui.test_support_screen import _open_muster

    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "o Öffnen" in screen_text(app))
        await _open_muster(app, pilot)
        screen = await open_deadlines(app, pilot)
        assert len(rows(screen)) == 2
        await open_resolve(screen, pilot, f"deactivation:{PENDING}")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"T-4711", "enter")
        await wait_until(pilot, lambda: len(rows(screen)) == 1)
    view = await demo_core.read(numbers.get_number, actors["admin"], number=PENDING)
    assert view.status == "active"
