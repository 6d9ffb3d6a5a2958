"""R27 bulk actions and R28 CSV on SQLite: 1,000 marked numbers (targets: preview ≤ 1 s,
apply ≤ 5 s), the export of the whole stock and an import of 1,000 assignments.

    python -m bench.bulk --numbers 1000 --rounds 3
    python -m bench.bulk --numbers 1000 --rounds 3 --blocks    # R30: half of them in blocks

Each round uses a fresh copy of the database (demo data + ``--numbers`` extra Berlin
numbers of Muster GmbH, half active, half inactive) so apply always changes the same
amount. ``--blocks`` (R30): the second half of the numbers are blocks on the demo's
SIP-Trunk contract instead (two of 100, then blocks of 10; active and inactive blocks by
turns, so still about half each), marked like the others (a member brings its block).
Timed is the service call through ``Core.read``/``Core.run`` (one unit of work,
commit and event publishing included), wall clock and process CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core import migrate
from core.config import Settings
from core.demo import seed_demo
from core.models import Contract, ContractType, Number, NumberBlock, NumberKind, NumberStatus
from core.runtime import Core
from core.services import bulk, number_csv
from core.services.auth import authenticate_password
from core.tariffs import NUMBER_TARIFFS


def _e164(i: int) -> str:
    return f"+4930555{i:07d}"


def _block_ranges(count: int) -> list[tuple[int, int]]:
    """``--blocks``: (start, size) of the blocks over the second half of the numbers,
    aligned: two of 100 where they fit, then blocks of 10."""
    ranges: list[tuple[int, int]] = []
    start = -(-(count // 2) // 10) * 10
    while start + 10 <= count:
        size = 100 if start % 100 == 0 and start + 100 <= count and len(ranges) < 2 else 10
        ranges.append((start, size))
        start += size
    return ranges


async def _template(count: int, blocks: bool = False) -> Path:
    data = Path(tempfile.mkdtemp(prefix="linedesk-bulk-"))
    core = Core(Settings(data_dir=data))
    await migrate.upgrade(core.db)
    async with core.uow() as uow:
        await seed_demo(uow)
    now = core.clock.now()
    tariff = NUMBER_TARIFFS[NumberKind.VOICE]
    member: dict[int, tuple[int, NumberStatus]] = {}  # number index: (range, state)
    if blocks:
        async with core.uow() as uow:
            trunk = await uow.session.scalar(select(Contract.id).where(
                Contract.type == ContractType.SIP_TRUNK).order_by(Contract.id))
            for r, (start, size) in enumerate(_block_ranges(count)):
                block = NumberBlock(customer_id=1, contract_id=trunk, area_prefix="030",
                                    first_e164=_e164(start), last_e164=_e164(start + size - 1),
                                    size=size, created_at=now)
                uow.session.add(block)
                await uow.session.flush()
                state = NumberStatus.ACTIVE if r % 2 == 0 else NumberStatus.INACTIVE
                for i in range(start, start + size):
                    member[i] = (block.id, state)
    async with core.uow() as uow:
        for i in range(count):
            block_id, state = member.get(i, (None, NumberStatus.ACTIVE if i % 2 == 0
                                             else NumberStatus.INACTIVE))
            uow.session.add(Number(
                customer_id=1, e164=_e164(i), area_prefix="030", kind=NumberKind.VOICE,
                status=state, block_id=block_id,
                settings={}, activation_fee_cents=tariff.activation_cents,
                monthly_price_cents=tariff.monthly_cents, created_at=now,
                emergency_street="Friedrichstraße", emergency_house_number="123",
                emergency_postcode="10117", emergency_city="Berlin",  # R29: needed to activate
            ))
    await core.close()
    return data


async def _timed(fn: Callable[[], Awaitable[Any]]) -> tuple[float, float, float, Any]:
    """Wall and CPU seconds of ``fn``, and the longest the event loop was blocked meanwhile
    (a 5 ms ticker's worst lateness: what every other session on this loop waits)."""
    lag = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal lag
        loop = asyncio.get_running_loop()
        while not done.is_set():
            before = loop.time()
            await asyncio.sleep(0.005)
            lag = max(lag, loop.time() - before - 0.005)

    tick = asyncio.create_task(ticker())
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        result = await fn()
    finally:
        elapsed, used = time.perf_counter() - wall, time.process_time() - cpu
        done.set()
        await tick
    return elapsed, used, lag, result


async def main_async(count: int, rounds: int, blocks: bool = False) -> None:
    template = await _template(count, blocks)
    marked = [_e164(i) for i in range(count)]
    figures: dict[str, list[tuple[float, float, float]]] = {}
    try:
        for r in range(rounds):
            data = Path(tempfile.mkdtemp(prefix="linedesk-bulk-run-"))
            shutil.copytree(template, data, dirs_exist_ok=True)
            core = Core(Settings(data_dir=data))
            actor = (await authenticate_password(
                core, username="admin", password="admin-demo")).unwrap()
            steps = _steps(core, actor, marked, count)
            for name, step in steps:
                wall, cpu, lag, result = await _timed(step)
                figures.setdefault(name, []).append((wall, cpu, lag))
                if r == 0:
                    print(f"  {name}: {_describe(result)}")
            await core.close()
            shutil.rmtree(data, ignore_errors=True)
    finally:
        shutil.rmtree(template, ignore_errors=True)
    shape = f", {len(_block_ranges(count))} blocks" if blocks else ""
    print(f"\n{count} numbers{shape}, {rounds} round(s), SQLite; median (max) seconds")
    print("| step | wall s | CPU s | loop blocked max ms |")
    print("|---|---|---|---|")
    for name, values in figures.items():
        walls = [w for w, _, _ in values]
        cpus = [c for _, c, _ in values]
        lags = [g for _, _, g in values]
        print(f"| {name} | {statistics.median(walls):.3f} ({max(walls):.3f}) | "
              f"{statistics.median(cpus):.3f} | {max(lags) * 1000:.0f} |")


def _steps(core: Core, actor: Any, marked: list[str],
           count: int) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    """The timed calls of one round, in order (each builds on the one before)."""
    return [
        ("preview deactivate", lambda: core.read(
            bulk.preview, actor, action="deactivate", numbers=marked)),
        ("apply deactivate", lambda: core.run(
            bulk.apply, actor, action="deactivate", numbers=marked)),
        ("apply undo", lambda: core.run(
            bulk.apply, actor, action="undo", numbers=marked)),
        ("preview activate", lambda: core.read(
            bulk.preview, actor, action="activate", numbers=marked)),
        ("apply activate", lambda: core.run(
            bulk.apply, actor, action="activate", numbers=marked)),
        ("apply assign", lambda: core.run(
            bulk.apply, actor, action="assign", numbers=marked, username="mia")),
        ("export csv", lambda: _export(core, actor)),
        ("import dry run", lambda: core.read(
            number_csv.import_assignments, actor, text=_import_text(count),
            dry_run=True)),
        ("import", lambda: core.run(
            number_csv.import_assignments, actor, text=_import_text(count))),
    ]


async def _export(core: Core, actor: Any) -> str:
    return number_csv.to_csv(await core.read(number_csv.export_rows, actor))


def _import_text(count: int) -> str:
    """number,username for every extra number: the active half to tom, changes all."""
    lines = ["number,username"]
    lines += [f"{_e164(i)},tom" for i in range(count)]
    return "\n".join(lines)


def _describe(result: Any) -> str:
    if isinstance(result, bulk.BulkOutcome):
        return f"{result.count} done/doable, {len(result.refused)} refused"
    if isinstance(result, number_csv.ImportOutcome):
        return f"{len(result.changes)} changes, {len(result.problems)} problems"
    if isinstance(result, str):
        return f"{len(result.encode())} bytes"
    return type(result).__name__


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--numbers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--blocks", action="store_true",
                        help="R30: the second half of the numbers in blocks of 100 and 10")
    args = parser.parse_args()
    asyncio.run(main_async(args.numbers, args.rounds, args.blocks))


if __name__ == "__main__":
    main()
