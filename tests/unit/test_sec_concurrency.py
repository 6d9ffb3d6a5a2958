"""SECURITY.md "Concurrency": 1,000 conflicting edit pairs on SQLite and on PostgreSQL.

Two actors (the customer's admin and a support agent with a ticket) work through two
separate cores on the same database (as two server workers do), each pair on a number both
read at the same version: two forwardings, two assignments, two deactivations or two undos.
Twenty numbers are worked on at once. Figures: exactly one of each pair wins, the final state
is the winner's (0 lost updates), the loser gets a domain error with a message in German and
English (told clearly), and no "database is locked" (or any other raw error) surfaces.

``LINEDESK_CONFLICT_PAIRS`` (default 1000) and ``LINEDESK_CONFLICT_WORKERS`` (default 20).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from core.authz import Actor
from core.clock import FixedClock
from core.errors import DomainError
from core.models import NumberStatus
from core.runtime import Core
from core.services import numbers
from core.services.areas import new_voice_number
from core.services.number_views import NumberView
from tests.conftest import DEMO_NOW, copy_template, login, make_settings

PAIRS = int(os.environ.get("LINEDESK_CONFLICT_PAIRS", "1000"))
WORKERS = int(os.environ.get("LINEDESK_CONFLICT_WORKERS", "20"))


@dataclass
class Tally:
    pairs: int = 0
    lost_updates: int = 0
    locked: int = 0
    unclear_losers: list[str] = field(default_factory=list)
    raw_errors: list[str] = field(default_factory=list)
    winners_not_one: list[str] = field(default_factory=list)
    losers: dict[str, int] = field(default_factory=dict)


async def _add_numbers(core: Core, customer_id: int) -> list[str]:
    out = [f"+4930777{i:06d}" for i in range(WORKERS)]
    async with core.uow() as uow:
        for e164 in out:
            uow.session.add(new_voice_number(customer_id, e164, "030", NumberStatus.ACTIVE,
                                             DEMO_NOW))
    return out


def _classify(result: Any, tally: Tally, what: str) -> bool:
    """True for a win; records a loser that was not told clearly."""
    if not isinstance(result, BaseException):
        return True
    if "locked" in str(result).lower():
        tally.locked += 1
    if not isinstance(result, DomainError):
        tally.raw_errors.append(f"{what}: {result!r}")
        return False
    kind = type(result).__name__
    tally.losers[kind] = tally.losers.get(kind, 0) + 1
    de, en = result.render("de"), result.render("en")
    if not de or not en or result.key in (de, en):
        tally.unclear_losers.append(f"{what}: {result.key}")
    return False


async def _pair(cores: tuple[Core, Core], actors: tuple[Actor, Actor], e164: str, i: int,
                tally: Tally) -> None:
    before: NumberView = await cores[0].read(numbers.get_number, actors[0], number=e164)
    v = before.version
    if i % 3 == 0:
        what, field_name = "forwarding", "forwarding_target"
        values = (f"sip:a{i}@example.org", f"sip:b{i}@example.org")
        calls = [cores[k].run(numbers.set_forwarding, actors[k], number=e164, target=values[k],
                              expected_version=v) for k in (0, 1)]
    elif i % 3 == 1:
        what, field_name = "assign", "assigned_to"
        # the same user again would be refused by R14, so never the current one
        names = [u for u in ("mia", "tom", "admin") if u != before.assigned_to][:2]
        calls = [cores[k].run(numbers.assign, actors[k], number=e164, username=names[k],
                              expected_version=v) for k in (0, 1)]
    else:
        field_name = "status"
        fn = (numbers.deactivate if before.status == NumberStatus.ACTIVE.value
              else numbers.undo_deactivation)
        what = fn.__name__
        calls = [cores[k].run(fn, actors[k], number=e164, expected_version=v) for k in (0, 1)]
    results = await asyncio.gather(*calls, return_exceptions=True)
    tally.pairs += 1
    wins = [r for r in results if _classify(r, tally, what)]
    if len(wins) != 1:
        tally.winners_not_one.append(f"{what} on {e164}: {results!r}")
        return
    after: NumberView = await cores[1].read(numbers.get_number, actors[1], number=e164)
    winner = wins[0]
    assert isinstance(winner, NumberView)
    if getattr(after, field_name) != getattr(winner, field_name) or after.version != v + 1:
        tally.lost_updates += 1


async def _run(cores: tuple[Core, Core], actors: tuple[Actor, Actor], e164s: list[str]) -> Tally:
    tally = Tally()

    async def worker(w: int) -> None:
        for i in range(w, PAIRS, WORKERS):
            await _pair(cores, actors, e164s[w], i, tally)

    await asyncio.gather(*(worker(w) for w in range(WORKERS)))
    return tally


async def _actors(core: Core) -> tuple[Actor, Actor]:
    admin = await login(core, "admin")
    agent = (await login(core, "support")).for_customer(
        admin.customer_id, customer_name="Muster GmbH", reason="TICKET-4711")
    return admin, agent


def _check(tally: Tally) -> None:
    print(f"\nconflict pairs: {tally.pairs}, lost updates: {tally.lost_updates}, "
          f"'database is locked': {tally.locked}, raw errors: {len(tally.raw_errors)}, "
          f"unclear losers: {len(tally.unclear_losers)}, "
          f"pairs without exactly one winner: {len(tally.winners_not_one)}, "
          f"losers told: {tally.losers}")
    assert tally.pairs == PAIRS
    assert tally.locked == 0
    assert tally.raw_errors == []
    assert tally.winners_not_one == []
    assert tally.lost_updates == 0
    assert tally.unclear_losers == []


@pytest.fixture
async def sqlite_cores(db_templates: dict[str, Path], tmp_path: Path) -> AsyncIterator[
        tuple[Core, Core]]:
    data_dir = copy_template(db_templates["demo"], tmp_path / "data")
    cores = (Core(make_settings(data_dir), clock=FixedClock(DEMO_NOW)),
             Core(make_settings(data_dir), clock=FixedClock(DEMO_NOW)))
    yield cores
    for c in cores:
        await c.close()


async def test_conflicting_pairs_on_sqlite(sqlite_cores: tuple[Core, Core]) -> None:
    actors = await _actors(sqlite_cores[0])
    assert actors[0].customer_id is not None
    e164s = await _add_numbers(sqlite_cores[0], actors[0].customer_id)
    _check(await _run(sqlite_cores, actors, e164s))


@pytest.fixture
async def pg_cores(pg_server: str, tmp_path: Path) -> AsyncIterator[tuple[Core, Core]]:
    from core import migrate
    from core.demo import seed_demo
    from tests.pg import create_database

    url = await create_database(pg_server)
    cores = (Core(make_settings(tmp_path, database_url=url), clock=FixedClock(DEMO_NOW)),
             Core(make_settings(tmp_path, database_url=url), clock=FixedClock(DEMO_NOW)))
    await migrate.upgrade(cores[0].db)
    async with cores[0].uow() as uow:
        await seed_demo(uow)
    yield cores
    for c in cores:
        await c.close()


async def test_conflicting_pairs_on_postgres(pg_cores: tuple[Core, Core]) -> None:
    actors = await _actors(pg_cores[0])
    assert actors[0].customer_id is not None
    e164s = await _add_numbers(pg_cores[0], actors[0].customer_id)
    _check(await _run(pg_cores, actors, e164s))
