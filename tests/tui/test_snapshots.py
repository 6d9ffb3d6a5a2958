"""Snapshot tests of the main screens: a layout regression shows as a picture diff.

Each main screen (home, contracts, number dashboard, users, Archiv) is drawn for the demo
admin in German and English at 120×40 and 80×24 and compared with the SVG stored in
``__snapshots__/test_snapshots/``. Deterministic: the demo data of SPEC §7, the injected
clock (``DEMO_NOW``), no wall-clock time on screen, blinking cursors off.

When a screen changes on purpose: ``pytest tests/tui/test_snapshots.py --snapshot-update``,
then look at every changed SVG before committing it (``--snapshot-report`` writes an HTML
side-by-side of the failures).

The tests are synchronous on purpose: ``snap_compare`` runs the App with its own event loop
(``App.run``), so the core is built here and used only inside that loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

import tui.app
from core.authz import Actor
from core.clock import FixedClock
from core.runtime import Core
from tests.conftest import DEMO_NOW, copy_template, login, make_settings
from tests.tui.pilot_helpers import settle
from tui.app import LinedeskApp

SCREENS = {
    "home": None,  # where a session starts
    "contracts": "contracts",
    "numbers": "numbers",
    "users": "users",
    "audit": "audit",
}
SIZES = {"120x40": (120, 40), "80x24": (80, 24)}


class SnapshotApp(LinedeskApp):
    """The portal App, closing its core before the App's event loop ends."""

    CSS_PATH = str(Path(tui.app.__file__).with_name("app.tcss"))  # relative: to this file

    async def _on_exit_app(self) -> None:
        await super()._on_exit_app()
        await self.core.close()


def _admin(data_dir: Path, locale: str) -> Actor:
    """The demo admin, signed in through a core of its own (closed in its own loop)."""

    async def sign_in() -> Actor:
        core = Core(make_settings(data_dir), clock=FixedClock(DEMO_NOW))
        try:
            return await login(core, "admin")
        finally:
            await core.close()

    return replace(asyncio.run(sign_in()), locale=locale)


@pytest.fixture
def portal(db_templates: dict[str, Path], tmp_path: Path) -> Callable[[str], LinedeskApp]:
    """A fresh demo database and a portal App for the demo admin in the given language."""

    def make(locale: str) -> LinedeskApp:
        data_dir = copy_template(db_templates["demo"], tmp_path / "data")
        actor = _admin(data_dir, locale)
        return SnapshotApp(Core(make_settings(data_dir), clock=FixedClock(DEMO_NOW)), actor)

    return make


def _show(mode: str | None) -> Callable[[Pilot[None]], object]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        if mode is not None:
            await pilot.app.run_action(f"switch_mode('{mode}')")
            await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await settle(pilot)  # anything the switch started (a second fetch, a relabel)

    return run_before


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("locale", ["de", "en"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_main_screen(
    snap_compare: Callable[..., bool], portal: Callable[[str], LinedeskApp],
    screen: str, locale: str, size: str,
) -> None:
    app = portal(locale)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_show(SCREENS[screen]))
