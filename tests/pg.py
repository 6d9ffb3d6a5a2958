"""A throwaway PostgreSQL server for tests (skipped when no PostgreSQL is installed).

tests/conftest.py starts one per test process (xdist worker) and keeps migrated template
databases on it; each test's database is a ``CREATE DATABASE ... TEMPLATE`` copy.

``LINEDESK_TEST_PG_URL`` (``postgresql+asyncpg://user@host:port``) points at an existing
server; otherwise the installed ``postgres`` binaries start one in a temp dir on a free
loopback port, run as the ``postgres`` system user when the tests run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.ports import free_port


def _free_port() -> int:
    return free_port()  # outside the ephemeral range: see tests/ports.py


def _bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(candidates[-1]).parent if candidates else None


@contextmanager
def postgres_server() -> Iterator[str | None]:
    """Yield a server URL without database name, or None when PostgreSQL is unavailable."""
    if os.environ.get("LINEDESK_TEST_PG_URL"):
        yield os.environ["LINEDESK_TEST_PG_URL"].rstrip("/")
        return
    bindir = _bindir()
    if bindir is None:
        yield None
        return
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    # Not under pytest's tmp dir: that one is 0700 and the postgres user could not enter it.
    workdir = Path(tempfile.mkdtemp(prefix="linedesk-pg-"))
    data = workdir / "pgdata"
    data.mkdir(parents=True)
    if as_root:
        shutil.chown(workdir, "postgres")
        shutil.chown(data, "postgres")
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    # a throwaway server: durability off (no fsync, minimal WAL), so CREATE DATABASE is quick
    settings = {"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off",
                "wal_level": "minimal", "max_wal_senders": "0", "max_connections": "200"}
    proc = subprocess.Popen(
        [*prefix, str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-h", "127.0.0.1",
         "-k", str(data), *(arg for k, v in settings.items() for arg in ("-c", f"{k}={v}"))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        # ready when it accepts connections (pg_isready: not merely when the port answers,
        # which it does while "the database system is starting up"); a server that exited
        # (the port taken after all) is not waited for
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"postgres exited with {proc.returncode}"
            ready = subprocess.run(
                [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port),
                 "-U", "postgres", "-t", "5"], check=False)
            if ready.returncode == 0:
                break
            assert time.monotonic() < deadline, "postgres did not accept connections in 60 s"
            time.sleep(0.1)
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def admin_dsn(server_url: str) -> str:
    """asyncpg DSN of the server's maintenance database ``postgres``."""
    return server_url.replace("postgresql+asyncpg://", "postgresql://") + "/postgres"


async def _connect_admin(server_url: str) -> Any:
    import asyncio

    import asyncpg

    for _ in range(50):
        try:
            return await asyncpg.connect(admin_dsn(server_url))
        except (OSError, asyncpg.PostgresError):
            await asyncio.sleep(0.2)
    raise RuntimeError("PostgreSQL did not come up")


async def create_database(
    server_url: str, *, template: str | None = None, prefix: str = "t"
) -> str:
    """A fresh database on the server (a copy of ``template`` if given); its SQLAlchemy URL.

    The template must have no open connections (PostgreSQL refuses to copy it otherwise).
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await _connect_admin(server_url)
    try:
        source = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{source}')
    finally:
        await conn.close()
    return f"{server_url}/{name}"


async def drop_database(url: str) -> None:
    """Drop the database of ``url`` (a :func:`create_database` URL), ending its sessions."""
    server_url, _, name = url.rpartition("/")
    conn = await _connect_admin(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


class TemplateCopies:
    """Each test's database, a ``CREATE DATABASE ... TEMPLATE`` copy made one test ahead.

    A thread with its own event loop and one maintenance connection keeps a spare copy of
    every template in use and drops used databases, so the ~0.1–0.3 s of copying (mostly
    the server's work) overlaps the previous test instead of delaying the next one.
    """

    def __init__(self, server_url: str, templates: dict[str, str]) -> None:
        import asyncio
        import threading

        self.server_url = server_url
        self.templates = templates
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="pg-template-copies", daemon=True
        )
        self._thread.start()
        self._conn: Any = self._submit(_connect_admin(server_url)).result()
        self._lock: Any = None
        self._spare: dict[str, Future[str]] = {}
        self._drops: list[Future[None]] = []

    def _submit(self, coro: Any) -> Future[Any]:
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _execute(self, sql: str) -> None:
        import asyncio

        if self._lock is None:
            self._lock = asyncio.Lock()  # one statement at a time on the one connection
        async with self._lock:
            await self._conn.execute(sql)

    async def _create(self, template: str) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        await self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.templates[template]}"')
        return f"{self.server_url}/{name}"

    async def take(self, template: str) -> str:
        """A fresh copy of ``template`` (its SQLAlchemy URL); the next one is started."""
        import asyncio

        ready = self._spare.pop(template, None) or self._submit(self._create(template))
        url: str = await asyncio.wrap_future(ready)
        self._spare[template] = self._submit(self._create(template))
        return url

    def drop(self, url: str) -> None:
        """Drop a used copy in the background (its sessions are ended if any are left)."""
        name = url.rpartition("/")[2]
        self._drops.append(
            self._submit(self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        )
        self._drops = [f for f in self._drops if not f.done()]

    def close(self) -> None:
        for ready in self._spare.values():
            try:
                self.drop(ready.result(timeout=60))
            except Exception:  # a copy that failed needs no drop
                pass
        for pending in self._drops:
            pending.result(timeout=60)
        self._submit(self._conn.close()).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
