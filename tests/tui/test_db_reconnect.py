"""Issue 16: while the node's connection to the database is lost (PostgreSQL restarting),
every session shows one notice instead of failing; on resume the notice goes, "wieder
verbunden" is said, and every open screen re-fetches, so a change whose event was missed
in the gap shows. A service call that finds the database unreachable shows a clear message
and the session goes on.

The bridge's events are simulated here (:data:`core.events.EVENTS_INTERRUPTED`,
:data:`core.events.EVENTS_RESUMED`, as :mod:`core.pg_bridge` publishes them); the real
PostgreSQL restart under an SSH session: ``tests/e2e/test_db_restart_e2e.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.authz import Actor
from core.errors import DatabaseUnavailable
from core.events import EVENTS_INTERRUPTED, EVENTS_RESUMED, DomainEvent
from core.runtime import Core
from core.services import numbers
from screens.contract_overview import ContractOverviewScreen
from screens.number_dashboard import NumberDashboardScreen
from tests.tui.pilot_helpers import notifications, settle, wait_until
from tui.app import LinedeskApp

TOM_NUMBER = "+4930123456101"
LOST_DE = "Verbindung zur Datenbank unterbrochen"


def _row(screen: NumberDashboardScreen, e164: str) -> list[str]:
    table: Any = screen.query_one("#numbers")
    return [str(c) for c in table.get_row(screen._keys[e164])]


async def test_notice_while_lost_and_every_screen_refetches_on_resume(
    demo_core: Core, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("1")
        await settle(pilot)
        contracts = app.screen
        assert isinstance(contracts, ContractOverviewScreen)
        await pilot.press("2")
        await settle(pilot)
        dashboard = app.screen
        assert isinstance(dashboard, NumberDashboardScreen)
        assert _row(dashboard, TOM_NUMBER)[0] != "!"

        demo_core.bus.publish(DomainEvent(EVENTS_INTERRUPTED, None, {}), from_bridge=True)
        await wait_until(pilot, lambda: LOST_DE in notifications(app))
        demo_core.bus.publish(DomainEvent(EVENTS_INTERRUPTED, None, {}), from_bridge=True)
        await settle(pilot)
        assert notifications(app).count(LOST_DE) == 1  # one notice, however often

        # another node marks tom's number meanwhile: its event is lost in the gap
        publish = demo_core.bus.publish
        monkeypatch.setattr(demo_core.bus, "publish", lambda *_a, **_k: None)
        await demo_core.run(numbers.deactivate, actors["admin"], number=TOM_NUMBER)
        monkeypatch.setattr(demo_core.bus, "publish", publish)
        await settle(pilot)
        assert _row(dashboard, TOM_NUMBER)[0] != "!"  # nothing told the session

        reloads: list[str] = []
        original = contracts.reload
        contracts.reload = lambda: reloads.append("contracts") or original()  # type: ignore
        demo_core.bus.publish(DomainEvent(EVENTS_RESUMED, None, {}), from_bridge=True)
        await wait_until(pilot, lambda: "Wieder verbunden" in notifications(app))
        await settle(pilot)
        assert LOST_DE not in notifications(app)
        await wait_until(pilot, lambda: _row(dashboard, TOM_NUMBER)[0] == "!")
        assert "31.12.2026" in " ".join(_row(dashboard, TOM_NUMBER))
        assert reloads == []  # out of sight (another mode): re-fetched when it comes back
        await pilot.press("1")
        await settle(pilot)
        assert reloads == ["contracts"]
        await pilot.press("2")
        await settle(pilot)
        assert reloads == ["contracts"]  # once


async def test_english_session_gets_the_english_notice(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["tom"])  # tom's profile is English
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        demo_core.bus.publish(DomainEvent(EVENTS_INTERRUPTED, None, {}), from_bridge=True)
        await wait_until(pilot, lambda: "Connection to the database interrupted"
                         in notifications(app))
        demo_core.bus.publish(DomainEvent(EVENTS_RESUMED, None, {}), from_bridge=True)
        await wait_until(pilot, lambda: "Connected again" in notifications(app))
        assert "interrupted" not in notifications(app)


async def test_a_service_call_that_finds_the_database_down_says_so_and_the_session_goes_on(
    demo_core: Core, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)

        async def down(*_a: object, **_k: object) -> None:
            raise DatabaseUnavailable()

        monkeypatch.setattr(demo_core, "read", down)
        monkeypatch.setattr(demo_core, "run", down)
        await pilot.press("2")  # the dashboard's fetch (a screen that catches DomainError)
        await settle(pilot)
        text = "Verbindung zur Datenbank unterbrochen – nichts wurde geändert"
        await wait_until(pilot, lambda: text in notifications(app))
        app.clear_notifications()

        async def uncaught() -> None:  # a worker that does not catch it: no crash either
            await demo_core.read(numbers.get_number, actors["admin"], number=TOM_NUMBER)

        app.run_worker(uncaught())
        await wait_until(pilot, lambda: text in notifications(app))
        assert app.is_running and app._exception is None
        monkeypatch.undo()
        await pilot.press("1")  # back: works again
        await settle(pilot)
        assert isinstance(app.screen, ContractOverviewScreen)
        assert app.is_running and app._exception is None
