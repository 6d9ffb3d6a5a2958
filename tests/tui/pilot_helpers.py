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


def _busy(app: App[None]) -> bool:
    """A worker still runs, or a message waits in the queue of the App or of a node of the
    top screen (a handler's ``call_later``, a worker's ``post_message``)."""
    if any(not worker.is_finished for worker in app.workers):
        return True
    nodes = [app, *app.screen.walk_children(with_self=True)]
    return any(not node._message_queue.empty() for node in nodes)


async def settle(pilot: Pilot[None], timeout: float = 30) -> None:
    """Let workers, the messages they post and the tables they fill run to the end.

    Repeated until nothing is left to do: a worker's result can start another (a live
    refresh that reloads, a domain event that rebuilds via ``call_later``), a pushed screen
    mounts after its AwaitMount returned, and on a busy machine any single pause can end
    before the next step began (CI once saw an empty porting list)."""
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await pilot.pause()
        # a pushed screen's AwaitMount does not wait for the screen's own Mount handlers,
        # which start its fetch: until they ran, "all workers" is none of its workers
        await wait_until(pilot, lambda: app.screen.is_mounted, timeout)
        screen = app.screen
        # not WorkerManager.wait_for_complete: it raises WorkerCancelled when one of the
        # workers is an exclusive fetch that a newer one replaced (typing in a filter);
        # asyncio.wait on the tasks themselves cancels nothing when its time is up
        tasks = [w._task for w in app.workers if not w.is_finished and w._task is not None]
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=max(0.1, deadline - loop.time()))
            assert not pending, "workers still running (waiting for a dialog?): " + ", ".join(
                w.name or w.group for w in app.workers if not w.is_finished)
        await pilot.pause()
        if app.screen is screen and screen.is_mounted and not _busy(app) \
                and tables_measured(app):
            return
        assert loop.time() < deadline, "the app did not settle in time"
