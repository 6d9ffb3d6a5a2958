"""Schema migrations (Alembic) driven from code: ``linedesk db upgrade`` and ``serve``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from core.db import Database
from core.demo import seed_demo
from core.files import open_private, tighten
from core.reference import ensure_reference_data
from core.runtime import Core

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _set_sqlite_foreign_keys(connection: Any, on: bool) -> None:
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    finally:
        cursor.close()


def _check_sqlite_foreign_keys(connection: Any) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise RuntimeError(f"migration left rows with broken foreign keys in: {tables}")


async def _alembic(db: Database, fn: Any, revision: str) -> None:
    """Runs an Alembic command in one transaction.

    On SQLite, batch mode re-creates a table (copy, DROP, rename); with foreign keys on, the
    DROP of a table that other rows point at (numbers, customers ...) is refused, and
    deferring the keys does not help (the rename never clears the count). So, as SQLite's
    own procedure for altering a table says: keys off (only possible outside a transaction),
    migrate, `PRAGMA foreign_key_check` before COMMIT, keys on again."""

    def _run(connection: Any) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        fn(cfg, revision)
        if db.is_sqlite:
            _check_sqlite_foreign_keys(connection)

    async with db.write_engine.connect() as conn:
        if db.is_sqlite:
            await conn.run_sync(_set_sqlite_foreign_keys, False)
        try:
            async with conn.begin():
                await conn.run_sync(_run)
        finally:
            if db.is_sqlite:
                await conn.run_sync(_set_sqlite_foreign_keys, True)


async def upgrade(db: Database, revision: str = "head") -> None:
    await _alembic(db, command.upgrade, revision)


async def downgrade(db: Database, revision: str) -> None:
    """Operators' way back (and the migration tests'): same transaction rules as upgrade."""
    await _alembic(db, command.downgrade, revision)


async def current_revision(db: Database) -> str | None:
    def _get(connection: Any) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.write_engine.connect() as conn:
        return await conn.run_sync(_get)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def revision(db: Database, message: str) -> None:
    """Developer helper: autogenerate a migration against an up-to-date database."""

    def _run(connection: Any) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True)

    async with db.write_engine.begin() as conn:
        await conn.run_sync(_run)


async def prepare(core: Core, *, demo: bool = False) -> bool:
    """Make a database ready to serve: create the data dir, migrate to the newest schema,
    load reference data and, with ``demo``, the demo data if the database is empty.
    Returns True when demo data was loaded."""
    tighten(core.settings.data_dir)  # 0700, its files 0600 (also an older data dir)
    if core.settings.database_url is None:
        # SQLite would create the file with the umask's mode (0644): create it private
        # first; its -wal and -shm files take the database file's mode.
        os.close(open_private(core.settings.data_dir / "linedesk.db", os.O_WRONLY | os.O_CREAT))
    await upgrade(core.db)
    async with core.uow() as uow:
        await ensure_reference_data(uow)
        return await seed_demo(uow) if demo else False
