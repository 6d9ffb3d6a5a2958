"""The number dashboard with 10,000 numbers, in a Pilot run: time and CPU to open it,
time to filter, CPU per arrow key, and the memory one session holds with it open.

    python -m bench.dashboard --numbers 10000

Keys are sent to the app directly and a measurement ends with the first frame the screen
draws that shows the result (``Pilot.press`` waits for the process to look idle in 20 ms
steps, which would be measured too):

* open: key ``2`` → the first frame with rows in the table; its CPU is the per-session
  cost of opening the dashboard.
* filter: filter text typed (not measured), then Enter → the first frame showing only the
  matching rows.
* CPU per arrow key: ``--keys`` presses of down, then as many of up, each until its frame
  and 20 ms beyond (so trailing work is counted); "idle loop" is the CPU of the same loop
  without keys (the polling itself), to subtract; "a key bound to nothing" is what any key
  costs in Textual (dispatch, binding checks), for reference.
* memory: tracemalloc, in an extra round after the timed ones (it slows everything down):
  what one more session holds on the home screen, with the dashboard open, and after
  paging through its first page (gc'd).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.screen import Screen

from core import migrate
from core.config import Settings
from core.demo import seed_demo
from core.models import Number, NumberKind, NumberStatus
from core.runtime import Core
from core.services.auth import authenticate_password
from core.tariffs import NUMBER_TARIFFS


async def add_numbers(core: Core, count: int, *, status: NumberStatus | None = None) -> None:
    """Bulk-add Berlin numbers to Muster GmbH (customer 1), in the states of a real stock."""
    states = [
        NumberStatus.ACTIVE,
        NumberStatus.INACTIVE,
        NumberStatus.ACTIVE,
        NumberStatus.PENDING_DEACTIVATION,
    ]
    now = core.clock.now()
    async with core.uow() as uow:
        for i in range(count):
            st = status or states[i % len(states)]
            uow.session.add(
                Number(
                    customer_id=1,
                    e164=f"+4930555{i:07d}",
                    area_prefix="030",
                    kind=NumberKind.VOICE,
                    status=st,
                    deactivation_date=core.clock.today()
                    if st is NumberStatus.PENDING_DEACTIVATION
                    else None,
                    settings={},
                    activation_fee_cents=NUMBER_TARIFFS[NumberKind.VOICE].activation_cents,
                    monthly_price_cents=NUMBER_TARIFFS[NumberKind.VOICE].monthly_cents,
                    created_at=now,
                )
            )


async def main_async(count: int, rounds: int, keys: int) -> None:
    from ssh_server.server import preload_ui
    from tui.app import LinedeskApp

    preload_ui()  # as the server does before the first session (imports, shared CSS caches)
    _watch_frames()
    data = Path(tempfile.mkdtemp(prefix="linedesk-dash-"))
    core = Core(Settings(data_dir=data))
    await migrate.upgrade(core.db)
    async with core.uow() as uow:
        await seed_demo(uow)
    await add_numbers(core, count)
    actor = (await authenticate_password(core, username="admin", password="admin-demo")).unwrap()
    opens: list[float] = []
    open_cpu: list[float] = []
    filters: list[float] = []
    filter_cpu: list[float] = []
    key_cpu: list[float] = []
    idle_cpu: list[float] = []
    noop_cpu: list[float] = []
    for _ in range(rounds):
        app = LinedeskApp(core, actor)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            wall, cpu = await _timed_key(app, "2", lambda app=app: _rows(app) > 0)
            opens.append(wall)
            open_cpu.append(cpu)
            await pilot.pause()
            key_cpu.append(await _arrow_cpu(app, keys))
            idle_cpu.append(await _arrow_cpu(app, keys, idle=True))
            noop_cpu.append(await _arrow_cpu(app, keys, noop=True))
            if count <= 123:
                continue  # no +4930555…0123 to filter for (--numbers 0: the demo data only)
            await pilot.press("slash")
            await pilot.press(*"5550000123")
            await pilot.pause()
            wall, cpu = await _timed_key(app, "enter", lambda app=app: 0 < _rows(app) < 10)
            filters.append(wall)
            filter_cpu.append(cpu)
    home_mb, dashboard_mb, scrolled_mb = await _session_memory(core, actor)
    await core.close()

    def row(name: str, values: list[float], digits: int = 0) -> None:
        print(f"| {name} | median {statistics.median(values):.{digits}f} ms | max "
              f"{max(values):.{digits}f} ms |")

    row(f"dashboard open ({count} numbers)", opens)
    row(f"dashboard open CPU ({count} numbers)", open_cpu)
    if filters:
        row(f"dashboard filter ({count} numbers)", filters)
        row(f"dashboard filter CPU ({count} numbers)", filter_cpu)
    row("dashboard CPU per arrow key", key_cpu, 1)
    row("(idle loop, to subtract)", idle_cpu, 1)
    row("(a key bound to nothing, same loop)", noop_cpu, 1)
    print(f"| session memory: home / dashboard opened / scrolled ({count} numbers) | {home_mb:.2f} "
          "MB "
          f"| {dashboard_mb:.2f} MB | {scrolled_mb:.2f} MB |")


class _Frames:
    """Set by :func:`_timed_key`: the condition a drawn frame has to show, and when it did."""

    cond: Callable[[], bool] | None = None
    shown: float | None = None


def _watch_frames() -> None:
    original = Screen._compositor_refresh

    def _compositor_refresh(self: Screen[object]) -> None:
        original(self)
        if _Frames.cond is not None and _Frames.shown is None and _Frames.cond():
            _Frames.shown = time.perf_counter()

    Screen._compositor_refresh = _compositor_refresh  # type: ignore[method-assign]


def _send(app: object, key: str) -> None:
    char = key if len(key) == 1 else ("\r" if key == "enter" else None)
    event = events.Key(key, char)
    event.set_sender(app)  # type: ignore[arg-type]
    app._driver.send_message(event)  # type: ignore[attr-defined]


async def _timed_key(
    app: object, key: str, cond: Callable[[], bool], timeout: float = 30
) -> tuple[float, float]:
    """Wall and CPU ms from sending ``key`` to the first frame drawn with ``cond`` true."""
    _Frames.cond, _Frames.shown = cond, None
    t0, c0 = time.perf_counter(), time.process_time()
    _send(app, key)
    while _Frames.shown is None:
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(key)
        await asyncio.sleep(0.001)
    cpu = (time.process_time() - c0) * 1000
    _Frames.cond = None
    return (_Frames.shown - t0) * 1000, cpu


async def _arrow_cpu(app: object, keys: int, *, idle: bool = False, noop: bool = False) -> float:
    """CPU ms per arrow key: down ``keys`` times, then up, each until its frame + 20 ms
    (``idle``: no key; ``noop``: a key nothing is bound to, i.e. Textual's cost of any key)."""
    from textual.widgets import DataTable

    table = app.screen.query_one(DataTable)  # type: ignore[attr-defined]
    started = time.process_time()
    for key in ["down"] * keys + ["up"] * keys:
        if noop:
            _send(app, "f19")
        elif not idle:
            target = table.cursor_row + (1 if key == "down" else -1)
            await _timed_key(app, key, lambda target=target: table.cursor_row == target)
        await asyncio.sleep(0.02)
    return (time.process_time() - started) * 1000 / (2 * keys)


async def _session_memory(core: Core, actor: object) -> tuple[float, float, float]:
    """MB that one more session holds (tracemalloc): on the home screen, with the dashboard
    just opened, and after paging down through its first page."""
    from tui.app import LinedeskApp

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    app = LinedeskApp(core, actor)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        gc.collect()
        home = tracemalloc.get_traced_memory()[0] - before
        await pilot.press("2")
        await _until(pilot, lambda: _rows(app) > 0)
        for _ in range(3):
            await pilot.pause()
        gc.collect()
        dashboard = tracemalloc.get_traced_memory()[0] - before
        await pilot.press(*["pagedown"] * 4, *["up"] * 5)  # through the page: caches fill
        await pilot.pause()
        gc.collect()
        scrolled = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return home / 2**20, dashboard / 2**20, scrolled / 2**20


def _rows(app: object) -> int:
    from textual.widgets import DataTable

    try:
        table = app.screen.query_one(DataTable)  # type: ignore[attr-defined]
    except Exception:
        return 0
    return int(table.row_count)


async def _until(pilot: object, cond, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError
        await pilot.pause(0.005)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--numbers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keys", type=int, default=40,
                        help="arrow key presses each way per round (past ~30 the table scrolls)")
    args = parser.parse_args()
    asyncio.run(main_async(args.numbers, args.rounds, args.keys))


if __name__ == "__main__":
    main()
