"""The number dashboard with 10,000 numbers: time to open and to filter, in a Pilot run.

    python -m bench.dashboard --numbers 10000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from core import migrate
from core.config import Settings
from core.demo import VOICE_ACTIVATION_CENTS, VOICE_MONTHLY_CENTS, seed_demo
from core.models import Number, NumberKind, NumberStatus
from core.runtime import Core
from core.services.auth import authenticate_password


async def add_numbers(core: Core, count: int, *, status: NumberStatus | None = None) -> None:
    """Bulk-add Berlin numbers to Muster GmbH (customer 1), in the states of a real stock."""
    states = [NumberStatus.ACTIVE, NumberStatus.INACTIVE, NumberStatus.ACTIVE, NumberStatus.PENDING_DEACTIVATION]
    now = core.clock.now()
    async with core.uow() as uow:
        for i in range(count):
            st = status or states[i % len(states)]
            uow.session.add(Number(
                customer_id=1, e164=f"+4930555{i:07d}", area_prefix="030", kind=NumberKind.VOICE,
                status=st,
                deactivation_date=core.clock.today() if st is NumberStatus.PENDING_DEACTIVATION else None,
                settings={}, activation_fee_cents=VOICE_ACTIVATION_CENTS,
                monthly_price_cents=VOICE_MONTHLY_CENTS, created_at=now,
            ))


async def main_async(count: int, rounds: int) -> None:
    from tui.app import LinedeskApp

    data = Path(tempfile.mkdtemp(prefix="linedesk-dash-"))
    core = Core(Settings(data_dir=data))
    await migrate.upgrade(core.db)
    async with core.uow() as uow:
        await seed_demo(uow)
    await add_numbers(core, count)
    actor = (await authenticate_password(core, username="admin", password="admin-demo")).unwrap()
    opens: list[float] = []
    filters: list[float] = []
    for _ in range(rounds):
        app = LinedeskApp(core, actor)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            t0 = time.perf_counter()
            await pilot.press("2")
            await _until(pilot, lambda app=app: _rows(app) > 0)
            opens.append((time.perf_counter() - t0) * 1000)
            await pilot.press("slash")
            await pilot.press(*"5550000123")
            await pilot.pause()
            t1 = time.perf_counter()  # the filter applies on Enter: typing is not measured
            await pilot.press("enter")
            await _until(pilot, lambda app=app: 0 < _rows(app) < 10)
            filters.append((time.perf_counter() - t1) * 1000)
    await core.close()
    print(f"| dashboard open ({count} numbers) | median {statistics.median(opens):.0f} ms | max {max(opens):.0f} ms |")
    print(f"| dashboard filter ({count} numbers) | median {statistics.median(filters):.0f} ms | max {max(filters):.0f} ms |")


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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--numbers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main_async(args.numbers, args.rounds))


if __name__ == "__main__":
    main()
