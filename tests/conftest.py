"""Shared fixtures: a migrated (optionally demo-seeded) database per test, an injected
clock fixed at 2026-11-21 10:00 UTC, and actors for the demo accounts.

The core test modules (tests/unit) run every test that uses ``core``/``demo_core``/``actors``
on both backends: ``[sqlite]`` on a copy of a migrated SQLite file, ``[postgresql]`` on a
``CREATE DATABASE ... TEMPLATE`` copy of a migrated template database on one throwaway
PostgreSQL server per test process (tests/pg.py). Where PostgreSQL is not installed the
``[postgresql]`` variants skip; with ``LINEDESK_REQUIRE_PG=1`` (set by .ci/run) they fail.
Elsewhere (tests/tui, tests/e2e) these fixtures stay on SQLite.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from core.authz import Actor
from core.clock import FixedClock
from core.config import Settings
from core.runtime import Core

if TYPE_CHECKING:
    from tests.pg import TemplateCopies

DEMO_NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)

BACKENDS = ("sqlite", "postgresql")
REQUIRE_PG = os.environ.get("LINEDESK_REQUIRE_PG", "") == "1"
"""Set by .ci/run: PostgreSQL missing (or every [postgresql] test skipped) is an error."""
NO_PG = "PostgreSQL is not installed (apt install postgresql, or set LINEDESK_TEST_PG_URL)"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite: the SQLite variant of a core test")
    config.addinivalue_line("markers", "postgresql: needs PostgreSQL (a [postgresql] variant)")
    config.addinivalue_line(
        "markers", "sqlite_only(reason): a core test that can only hold on SQLite (says why)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Core tests (tests/unit, using the core fixtures) run once per backend."""
    if "backend" not in metafunc.fixturenames or "unit" not in metafunc.definition.path.parts:
        return
    only = metafunc.definition.get_closest_marker("sqlite_only")
    pg_marks = [pytest.mark.postgresql]
    if only is not None:
        reason = only.kwargs.get("reason") or (only.args[0] if only.args else "")
        assert reason, "sqlite_only needs a reason"
        pg_marks.append(pytest.mark.skip(reason=f"SQLite only: {reason}"))
    metafunc.parametrize(
        "backend",
        [pytest.param("sqlite", marks=pytest.mark.sqlite, id="sqlite"),
         pytest.param("postgresql", marks=pg_marks, id="postgresql")],
        indirect=True,
    )


_pg_outcomes: dict[str, int] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "[postgresql" in report.nodeid and (report.when == "call" or report.skipped):
        _pg_outcomes[report.outcome] = _pg_outcomes.get(report.outcome, 0) + 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With LINEDESK_REQUIRE_PG=1, a run whose [postgresql] tests all skipped fails."""
    if not REQUIRE_PG or hasattr(session.config, "workerinput"):
        return  # xdist workers report to the controller, which decides
    if _pg_outcomes.get("skipped") and not _pg_outcomes.get("passed") \
            and not _pg_outcomes.get("failed"):
        writer = session.config.get_terminal_writer()
        writer.line()
        writer.line(
            f"LINEDESK_REQUIRE_PG=1: all {_pg_outcomes['skipped']} [postgresql] tests "
            "were skipped", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Test settings: the simulated carrier's test switch is on (a test configuration)."""
    overrides.setdefault("carrier_test_switch", True)
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


@pytest.fixture(scope="session")
def pg_session() -> Iterator[str]:
    """One throwaway PostgreSQL server per test process (each xdist worker has its own)."""
    from tests.pg import postgres_server

    with postgres_server() as url:
        if url is None:
            if REQUIRE_PG:
                pytest.fail(f"LINEDESK_REQUIRE_PG=1 but {NO_PG}", pytrace=False)
            pytest.skip(NO_PG)
        yield url


@dataclass(frozen=True)
class PgTemplate:
    database: str
    """Name of the migrated template database on the server."""
    key_dir: Path
    """Holds the ``secret.key`` its encrypted rows were written with."""


async def _build_pg_templates(server: str, root: Path) -> dict[str, PgTemplate]:
    from tests.pg import create_database

    out: dict[str, PgTemplate] = {}
    for name, demo in (("empty", False), ("demo", True)):
        url = await create_database(server, prefix=f"template_{name}")
        data_dir = root / name
        core = Core(make_settings(data_dir, database_url=url), clock=FixedClock(DEMO_NOW))
        try:
            from core import migrate

            await migrate.prepare(core, demo=demo)
        finally:
            await core.close()  # no connection left: PostgreSQL copies idle templates only
        out[name] = PgTemplate(url.rpartition("/")[2], data_dir)
    return out


@pytest.fixture(scope="session")
def pg_templates(
    pg_session: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, PgTemplate]]:
    """Migrated (and demo-seeded) template databases, built once per test process."""
    from tests.pg import drop_database

    templates = asyncio.run(_build_pg_templates(pg_session, tmp_path_factory.mktemp("pg-tpl")))
    yield templates
    # matters on a LINEDESK_TEST_PG_URL server; a throwaway server goes away anyway

    async def _drop() -> None:
        for t in templates.values():
            await drop_database(f"{pg_session}/{t.database}")

    asyncio.run(_drop())


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: parametrised in tests/unit, SQLite elsewhere."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_copies(pg_session: str, pg_templates: dict[str, PgTemplate]) -> Iterator[TemplateCopies]:
    """Makes each [postgresql] test's database from a template, one test ahead."""
    from tests.pg import TemplateCopies

    copies = TemplateCopies(pg_session, {k: t.database for k, t in pg_templates.items()})
    yield copies
    copies.close()


@dataclass(frozen=True)
class _Source:
    backend: str
    sqlite: dict[str, Path] | None = None
    pg: dict[str, PgTemplate] | None = None
    copies: TemplateCopies | None = None


@pytest.fixture
def _db_source(backend: str, request: pytest.FixtureRequest) -> _Source:
    """The templates of the test's backend (resolved here, outside the event loop)."""
    if backend == "postgresql":
        return _Source(backend, pg=request.getfixturevalue("pg_templates"),
                       copies=request.getfixturevalue("pg_copies"))
    return _Source(backend, sqlite=request.getfixturevalue("db_templates"))


def _copy_key(template: PgTemplate, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(template.key_dir / "secret.key", data_dir / "secret.key")


@asynccontextmanager
async def _open_core(
    source: _Source, template: str, data_dir: Path, clock: FixedClock
) -> AsyncIterator[Core]:
    if source.sqlite is not None:
        copy_template(source.sqlite[template], data_dir)
        c = Core(make_settings(data_dir), clock=clock)
        try:
            yield c
        finally:
            await c.close()
        return
    assert source.pg is not None and source.copies is not None
    _copy_key(source.pg[template], data_dir)
    url = await source.copies.take(template)
    c = Core(make_settings(data_dir, database_url=url), clock=clock)
    try:
        yield c
    finally:
        await c.close()
        source.copies.drop(url)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEMO_NOW)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def core(_db_source: _Source, data_dir: Path, clock: FixedClock) -> AsyncIterator[Core]:
    """A core on a migrated database holding only reference data."""
    async with _open_core(_db_source, "empty", data_dir, clock) as c:
        yield c


@pytest.fixture
async def demo_core(
    _db_source: _Source, data_dir: Path, clock: FixedClock
) -> AsyncIterator[Core]:
    """A core on a database with the demo data of SPEC §7."""
    async with _open_core(_db_source, "demo", data_dir, clock) as c:
        yield c


def _sqlite_files(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data_dir.glob("linedesk.db*")))


async def stored_bytes(core: Core) -> bytes:
    """What the database holds, to prove a secret is not in it: on SQLite the files as they
    are on disk (free pages and the WAL included); on PostgreSQL every value of every row."""
    if core.db.is_sqlite:
        return _sqlite_files(core.settings.data_dir)
    from sqlalchemy import select

    from core.models import Base

    parts: list[bytes] = []
    async with core.uow(readonly=True) as uow:
        for table in Base.metadata.sorted_tables:
            for row in await uow.session.execute(select(table)):
                parts += [v if isinstance(v, bytes) else str(v).encode() for v in row]
    return b"\n".join(parts)


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


@pytest.fixture
async def beispiel(demo_core: Core) -> tuple[Actor, Actor]:
    """Beispiel AG's two admins (four eyes on in the demo data): requester and approver."""
    return await login(demo_core, "beispiel"), await login(demo_core, "beispiel2")


@pytest.fixture(scope="module")
def pg_server(pg_session: str) -> str:
    """The PostgreSQL server URL (no database name) for tests that make their own databases
    with tests.pg.create_database (skipped where PostgreSQL is not installed)."""
    return pg_session
