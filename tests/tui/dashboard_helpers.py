"""Pilot set-up shared by the tests of the numbers dashboard's dialogs and marks: a session
on the dashboard (key 2), optionally with a number selected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from textual.pilot import Pilot

from core.authz import Actor
from core.runtime import Core
from screens.number_dashboard import NumberDashboardScreen
from tests.tui.test_number_dashboard import open_dashboard, select_number, settle
from tui.app import LinedeskApp


@asynccontextmanager
async def on_dashboard(
    core: Core, actor: Actor, *, size: tuple[int, int], number: str | None = None
) -> AsyncIterator[tuple[LinedeskApp, Pilot[None], NumberDashboardScreen]]:
    """``actor``'s session at ``size`` on the dashboard, ``number`` under the cursor."""
    app = LinedeskApp(core, actor)
    async with app.run_test(size=size) as pilot:
        screen = await open_dashboard(app, pilot)
        if number is not None:
            await select_number(screen, pilot, number)
        yield app, pilot, screen


async def press(app: LinedeskApp, pilot: Pilot[None], key: str) -> None:
    """Press ``key`` and let what it started (workers, a dialog's mount) run to the end."""
    await pilot.press(key)
    await settle(app, pilot)
