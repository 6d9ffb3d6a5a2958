"""Engines, sessions and the unit of work.

SQLite: WAL, a busy timeout, and two engines on the same file: one writer connection
whose transactions start with ``BEGIN IMMEDIATE`` (in-process writers queue on the
pool instead of failing with "database is locked") and a small pool of readers.
PostgreSQL (``postgresql+asyncpg://``): one engine; concurrent writes are caught by
version columns (optimistic concurrency).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm.exc import StaleDataError

from core.errors import Conflict, DatabaseUnavailable, StorageFull

log = logging.getLogger(__name__)


def _sqlite_pragmas(engine: AsyncEngine, *, immediate: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (pysqlite's implicit BEGIN is DEFERRED).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Owns the engines; hands out sessions for units of work."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.is_postgres = parsed.get_backend_name() == "postgresql"
        if self.is_sqlite:
            connect_args = {"timeout": 30}
            self.write_engine = create_async_engine(
                url, echo=echo, connect_args=connect_args, pool_size=1, max_overflow=0,
                pool_timeout=120,
            )
            self.read_engine = create_async_engine(
                url, echo=echo, connect_args=connect_args, pool_size=4, max_overflow=4,
                pool_timeout=120,
            )
            _sqlite_pragmas(self.write_engine, immediate=True)
            _sqlite_pragmas(self.read_engine, immediate=False)
        else:
            # pre-ping: a pooled connection that a PostgreSQL restart cut is replaced on
            # checkout instead of failing the first unit of work after the restart
            self.write_engine = create_async_engine(url, echo=echo, pool_size=10, max_overflow=10,
                                                    pool_pre_ping=True)
            self.read_engine = self.write_engine
        self._write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)

    def session(self, *, readonly: bool = False) -> AsyncSession:
        return (self._read_sessions if readonly else self._write_sessions)()

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


@asynccontextmanager
async def transaction(db: Database, *, readonly: bool = False) -> AsyncIterator[AsyncSession]:
    """One session, one transaction: commit on success, roll back on any error.

    Lost optimistic-concurrency races surface as :class:`core.errors.Conflict`, a full disk
    as :class:`core.errors.StorageFull`, a database that cannot be reached (PostgreSQL
    restarting) as :class:`core.errors.DatabaseUnavailable` (rolled back; front ends show a
    clear message).
    """
    session = db.session(readonly=readonly)
    try:
        async with session.begin():
            yield session
    except StaleDataError as exc:
        raise Conflict() from exc
    except DBAPIError as exc:  # SQLite: OperationalError; asyncpg's DiskFullError: DBAPIError
        if is_connection_lost(exc):
            log.warning("database unreachable: %s", type(exc.orig).__name__)
            raise DatabaseUnavailable() from None
        if not is_disk_full(exc):
            raise
        log.error("database write failed: the disk is full (%s)", type(exc.orig).__name__)
        raise StorageFull() from None
    except Exception as exc:  # e.g. ConnectionRefusedError: nobody listens on the port
        if not is_connection_lost(exc):
            raise
        log.warning("database unreachable: %s", type(exc).__name__)
        raise DatabaseUnavailable() from None
    finally:
        await session.close()


def is_disk_full(exc: DBAPIError) -> bool:
    """SQLite's SQLITE_FULL ("database or disk is full") or PostgreSQL's disk_full (53100)."""
    orig = exc.orig
    if getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return True
    if getattr(orig, "sqlstate", None) == "53100" or getattr(orig, "pgcode", None) == "53100":
        return True
    text = str(orig).lower()
    return "database or disk is full" in text or "no space left on device" in text


_LOST_STATES = ("08", "57P")
"""SQLSTATE classes of a lost server: connection exception, operator intervention (admin
or crash shutdown, "the database system is starting up")."""


def is_connection_lost(exc: BaseException) -> bool:
    """The database could not be reached or the connection broke (a PostgreSQL restart):
    a connection refused, reset or timed out, one SQLAlchemy invalidated, or a SQLSTATE of
    :data:`_LOST_STATES`; never an error of the statement itself."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        return is_connection_lost(exc.orig) if exc.orig is not None else False
    if isinstance(exc, ConnectionError):
        return True
    if isinstance(exc, OSError) and "connect call failed" in str(exc).lower():
        return True  # asyncio's "Multiple exceptions: ... Connect call failed" is a bare OSError
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    return isinstance(state, str) and state.startswith(_LOST_STATES)


def is_unique_violation(exc: IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate key" in text
