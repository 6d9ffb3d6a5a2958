"""What the Pilot tests share: reading the painted screen, waiting for workers and tables."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from io import StringIO

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable


def screen_text(app: App[None]) -> str:
    """Everything currently painted, as plain text."""
    console = Console(file=StringIO(), width=200, legacy_windows=False, color_system=None)
    lines = app.screen._compositor.render_update(full=True)
    console.print(lines)
    return console.file.getvalue()  # type: ignore[attr-defined]


def notifications(app: App[None]) -> str:
    return "\n".join(n.message for n in app._notifications)


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 15
) -> None:
    """Workers and database threads take a while on a busy machine; poll, bounded."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await pilot.pause(0.05)


def tables_measured(app: App[None]) -> bool:
    """Textual's DataTable measures its columns on its own Idle event, which comes after its
    message queue drained: until then new rows are painted cut to the header widths. On a
    busy machine `pilot.pause()` can return before that Idle ran."""
    return not any(
        table._require_update_dimensions or table._updated_cells
        for table in app.screen.query(DataTable)
    )


async def settle(pilot: Pilot[None]) -> None:
    """Let workers, the messages they post and the tables they fill run to the end."""
    await pilot.pause()
    # a pushed screen's AwaitMount does not wait for the screen's own Mount handlers, which
    # start its fetch: on a busy machine the pause above can end before they ran, and
    # waiting for "all workers" then waits for none (CI once saw an empty porting list)
    await wait_until(pilot, lambda: pilot.app.screen.is_mounted)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await wait_until(pilot, lambda: tables_measured(pilot.app))
