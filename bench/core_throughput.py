"""Core throughput: service calls per second for list / activate / deactivate on SQLite
and (when PostgreSQL is installed) PostgreSQL, with C concurrent callers.

    python -m bench.core_throughput --seconds 5 --concurrency 1,8,32

Each call is one unit of work through ``Core.run`` / ``Core.read`` exactly as the TUI
and command mode use it. Activate/deactivate alternate on a pool of numbers so every
call changes state (and writes audit + charge rows).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from core import migrate
from core.config import Settings
from core.demo import seed_demo
from core.models import NumberStatus
from core.runtime import Core
from core.services import numbers
from core.services.auth import authenticate_password


async def make_core(url: str | None, data_dir: Path, extra_numbers: int) -> Core:
    core = Core(Settings(data_dir=data_dir, database_url=url))
    await migrate.upgrade(core.db)
    async with core.uow() as uow:
        await seed_demo(uow)
    if extra_numbers:
        from bench.dashboard import add_numbers

        await add_numbers(core, extra_numbers, status=NumberStatus.ACTIVE)
    return core


async def run_for(seconds: float, concurrency: int, op) -> tuple[int, list[float]]:  # type: ignore[no-untyped-def]
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    count = 0

    async def worker(w: int) -> None:
        nonlocal count
        i = 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            await op(w, i)
            latencies.append((time.perf_counter() - t0) * 1000)
            count += 1
            i += 1

    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return count, latencies


async def bench_backend(name: str, url: str | None, args: argparse.Namespace) -> list[str]:
    data = Path(tempfile.mkdtemp(prefix=f"linedesk-tp-{name}-"))
    core = await make_core(url, data, args.pool)
    rows = []
    try:
        actor = (
            await authenticate_password(core, username="admin", password="admin-demo")
        ).unwrap()
        pool = [v.e164 for v in await core.read(numbers.list_numbers, actor, status="active")]

        async def op_list(w: int, i: int) -> None:
            await core.read(numbers.list_numbers, actor, limit=50)

        pending: set[str] = set()

        async def op_toggle(w: int, i: int) -> None:
            # each worker owns a slice of the pool: no conflicts between workers by design
            mine = pool[w::args.max_concurrency]
            e164 = mine[(i // 2) % len(mine)]
            if e164 in pending:
                await core.run(numbers.undo_deactivation, actor, number=e164)
                pending.discard(e164)
            else:
                await core.run(numbers.deactivate, actor, number=e164)
                pending.add(e164)

        for c in args.concurrency:
            for label, op in (("list 50", op_list), ("deactivate/undo", op_toggle)):
                n, lat = await run_for(args.seconds, c, op)
                lat.sort()
                p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
                rows.append(f"| {name} | {label} | {c} | {n / args.seconds:.0f} | {p95:.1f} |")
                print(rows[-1], flush=True)
    finally:
        await core.close()
    return rows


async def main_async(args: argparse.Namespace) -> None:
    rows = ["| backend | operation | concurrency | calls/s | p95 ms |", "|---|---|---|---|---|"]
    rows += await bench_backend("SQLite", None, args)
    if not args.no_postgres:
        from tests.pg import create_database, postgres_server

        with ExitStack() as stack:
            server = stack.enter_context(postgres_server())
            if server is None:
                print("PostgreSQL not installed: skipped")
            else:
                rows += await bench_backend("PostgreSQL", await create_database(server), args)
    print("\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[1, 8, 32]
    )
    parser.add_argument("--pool", type=int, default=400, help="extra active numbers to toggle")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    args.max_concurrency = max(args.concurrency)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
