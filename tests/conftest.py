"""Shared fixtures: a migrated (optionally demo-seeded) database per test in a temp dir,
an injected clock fixed at 2026-11-21 10:00 UTC, and actors for the demo accounts."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.authz import Actor
from core.clock import FixedClock
from core.config import Settings
from core.runtime import Core

DEMO_NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, **overrides)  # type: ignore[arg-type]


async def _build_template(data_dir: Path, *, demo: bool) -> None:
    from core import migrate

    core = Core(make_settings(data_dir), clock=FixedClock(DEMO_NOW))
    try:
        await migrate.prepare(core, demo=demo)
    finally:
        await core.close()


@pytest.fixture(scope="session")
def db_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Migrating and seeding (argon2 hashes) once per test run; tests get copies."""
    out: dict[str, Path] = {}
    for name, demo in (("empty", False), ("demo", True)):
        path = tmp_path_factory.mktemp(f"template-{name}")
        asyncio.run(_build_template(path, demo=demo))
        out[name] = path
    return out


def copy_template(template: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("linedesk.db", "secret.key"):
        shutil.copy(template / name, target / name)
    return target


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEMO_NOW)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def core(
    db_templates: dict[str, Path], data_dir: Path, clock: FixedClock
) -> AsyncIterator[Core]:
    """A core on a migrated database holding only reference data."""
    copy_template(db_templates["empty"], data_dir)
    c = Core(make_settings(data_dir), clock=clock)
    yield c
    await c.close()


@pytest.fixture
async def demo_core(
    db_templates: dict[str, Path], data_dir: Path, clock: FixedClock
) -> AsyncIterator[Core]:
    """A core on a database with the demo data of SPEC §7."""
    copy_template(db_templates["demo"], data_dir)
    c = Core(make_settings(data_dir), clock=clock)
    yield c
    await c.close()


async def login(core: Core, username: str, password: str | None = None) -> Actor:
    from core.services.auth import authenticate_password

    result = await authenticate_password(
        core, username=username, password=password or f"{username}-demo", source="127.0.0.1"
    )
    return result.unwrap()


@pytest.fixture
async def actors(demo_core: Core) -> dict[str, Actor]:
    """Signed-in actors for every demo account (support not yet acting for a customer)."""
    names = ("admin", "mia", "tom", "beispiel", "support")
    return {name: await login(demo_core, name) for name in names}


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    """A throwaway PostgreSQL server for the module's tests (skipped where not installed)."""
    from tests.pg import postgres_server

    with postgres_server() as url:
        if url is None:
            pytest.skip("PostgreSQL is not installed")
        yield url
